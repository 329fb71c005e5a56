// A bidirectional recurrent network (Schuster & Paliwal 1997): one recurrent layer reads the
// sequence left to right, a second one reads it right to left, and the output at t sees both:
//
//   →h_t = cell(x_t, →h_{t−1})          forward layer, x_1 .. x_T
//   ←h_t = cell(x_t, ←h_{t+1})          backward layer, x_T .. x_1
//   y_t  = [→h_t ; ←h_t] W_out + b_out   (2H → V)
//
// The lecture: "output cannot depend on information that has not been seen yet, but when we
// read we look ahead". The fill-in-the-blank task (tasks/fillBlank.ts) shows the gain.
//
// Why it cannot serve completions: ←h_t is a function of x_{t..T}, the text *after* t. At the
// cursor there is no text after t yet (and a next-token target would be visible to the model
// through ←h_t: trained as a language model it would learn to copy its target). So it has no
// `step`, is not a SequenceModel, and is never offered for completions or saved to the registry.
//
// Both directions reuse recurrent.ts's layer (same cells, same hand-written BPTT); the backward
// direction is that layer run on the time-reversed input, reversed back.
import * as tf from '@tensorflow/tfjs';
import { embeddingLookup } from './embedding';
import { gruCell } from './gru';
import { lstmCell } from './lstm';
import { recurrentLayer, type Cell, type LayerWeights } from './recurrent';
import { rnnCell } from './rnn';

export const BIDIRECTIONAL_CANNOT_COMPLETE =
  'A bidirectional RNN reads the text after each position; at the cursor there is none yet, so it cannot predict what you type next.';

export interface BidirectionalRnnConfig {
  readonly cell: 'rnn' | 'gru' | 'lstm';
  readonly vocabSize: number;
  readonly embeddingSize: number;
  /** Units per direction (the output sees 2 × hiddenSize). */
  readonly hiddenSize: number;
  readonly seed: number;
  /** RNN only. Default tanh. */
  readonly activation?: 'tanh' | 'relu';
  /** LSTM only: initial forget-gate bias. Default 1. */
  readonly forgetBias?: number;
}

/** A model with a training forward over whole sequences and no stepping. */
export interface WholeSequenceModel {
  readonly weights: ReadonlyMap<string, tf.Variable>;
  /** ids [B, T] → logits [B, T, V]. Call inside tf.tidy or grads. */
  forward(ids: tf.Tensor2D): tf.Tensor3D;
  dispose(): void;
}

export interface BidirectionalRnn extends WholeSequenceModel {
  readonly config: BidirectionalRnnConfig;
  readonly canServeCompletions: false;
}

function cellOf(config: BidirectionalRnnConfig): Cell {
  switch (config.cell) {
    case 'rnn':
      return rnnCell(config.activation ?? 'tanh');
    case 'gru':
      return gruCell;
    case 'lstm':
      return lstmCell;
  }
}

export function createBidirectionalRnn(config: BidirectionalRnnConfig): BidirectionalRnn {
  const { vocabSize: V, embeddingSize: E, hiddenSize: H, seed } = config;
  for (const [name, v] of [['vocabSize', V], ['embeddingSize', E], ['hiddenSize', H]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`config.${name} must be a positive integer, got ${v}`);
  }
  const cell = cellOf(config);
  const G = cell.gates;
  const weights = new Map<string, tf.Variable>();
  const add = (name: string, initial: tf.Tensor): tf.Variable => {
    const v = tf.variable(initial, true);
    initial.dispose();
    weights.set(name, v);
    return v;
  };
  const uniform = (shape: number[], limit: number, name: string) => tf.randomUniform(shape, -limit, limit, 'float32', `${seed}/${name}`);
  const glorot = (fanIn: number, columns: number, name: string) => uniform([fanIn, columns], Math.sqrt(6 / (fanIn + H)), name);
  const bias = () => {
    const b = new Float32Array(G * H);
    if (config.cell === 'lstm') b.fill(config.forgetBias ?? 1, 2 * H, 3 * H); // [i | o | f | g]
    return tf.tensor1d(b);
  };
  const embedding = add('embedding', uniform([V, E], Math.sqrt(3), 'embedding'));
  const direction = (p: string): LayerWeights => ({
    W: add(`${p}/W`, glorot(E, G * H, `${p}/W`)) as tf.Tensor2D,
    U: add(`${p}/U`, glorot(H, G * H, `${p}/U`)) as tf.Tensor2D,
    b: add(`${p}/b`, bias()) as tf.Tensor1D,
    extras: cell.extraWeights.map((name) => add(`${p}/${name}`, tf.zeros([H]))),
  });
  const forwardLayer = direction('forward');
  const backwardLayer = direction('backward');
  const outKernel = add('output/kernel', uniform([2 * H, V], Math.sqrt(6 / (2 * H + V)), 'output/kernel'));
  const outBias = add('output/bias', tf.zeros([V]));

  return {
    config,
    canServeCompletions: false,
    weights,
    forward(ids: tf.Tensor2D): tf.Tensor3D {
      const [B, T] = ids.shape;
      const x = embeddingLookup(embedding as tf.Tensor2D, ids.transpose().toInt()) as tf.Tensor3D; // (T, B, E)
      const ahead = recurrentLayer(cell, { x }, forwardLayer); // (T, B, H): x_1..x_t
      const behind = tf.reverse(recurrentLayer(cell, { x: tf.reverse(x, 0) }, backwardLayer), 0) as tf.Tensor3D; // x_t..x_T
      const h = tf.concat([ahead, behind], 2).reshape([T * B, 2 * H]);
      return h.matMul(outKernel).add(outBias).reshape([T, B, V]).transpose([1, 0, 2]) as tf.Tensor3D; // (B, T, V)
    },
    dispose(): void {
      for (const v of weights.values()) v.dispose();
    },
  };
}
