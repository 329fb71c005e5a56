// ONNX graphs of the RNN, GRU and LSTM language models (recurrent.ts), built on ONNX's own
// RNN, GRU and LSTM operators, one node per layer:
//
//   input_ids [batch, seq] int64 → Transpose → [seq, batch]
//   → layer 0's input X [seq, batch, I]:
//       embedding input: Gather(embedding [V, E])
//       one-hot input, V ≤ G·H: OneHot(depth V) [seq, batch, V], the layer's W as usual
//       one-hot input, V > G·H: Gather(the rows of W [V, G·H]) and W = identity; the one-hot
//         product x W is row id of W, and this costs (G·H)² a token instead of V·G·H
//   → per layer: RNN/GRU/LSTM(X, W, R, B, initial state) → Y [seq, 1, batch, H] → Squeeze
//   → Transpose → [batch, seq, H] → MatMul(output/kernel) + output/bias → logits
//
// Weight layouts (the cell files document their conventions):
//   ONNX W [1, G·H, I] = layer{l}/W ᵀ,  R [1, G·H, H] = layer{l}/U ᵀ,  B [1, 2·G·H] = [b | Rb].
//   LSTM: our gate blocks [i | o | f | g] are ONNX's (i, o, f, c): Rb = 0.
//   GRU: our blocks [z | r | n] are ONNX's (z, r, h), with z meaning the opposite (ours takes
//     the candidate, ONNX's keeps the old state): the z rows of W, R and Wb are negated, since
//     1 − σ(a) = σ(−a). Reset after the recurrent product: linear_before_reset = 1, and the
//     candidate's recurrent bias bh is Rb's h block.
//   RNN: activation Tanh or Relu, Rb = 0.
//
// The step graph adds h_in [layers, batch, H] (and c_in for the LSTM) as each layer's initial
// state and returns the final states h_out (c_out); the full graph starts from zeros.
import type { RecurrentConfig } from '../models/sequenceModel';
import { OnnxGraph } from './onnxGraph';
import { identity, readWeight, transpose, type ModelWeights } from './weightArrays';

const OP_TYPE = { rnn: 'RNN', gru: 'GRU', lstm: 'LSTM' } as const;
const GATES = { rnn: 1, gru: 3, lstm: 4 } as const;

/** A layer's weights in ONNX's layout (see the top of this file). */
interface OnnxLayerWeights {
  /** [G·H, I] */
  readonly W: Float32Array;
  /** [G·H, H] */
  readonly R: Float32Array;
  /** [2·G·H]: Wb then Rb. */
  readonly B: Float32Array;
  /** I */
  readonly inputSize: number;
}

/** Layer l's W, R and B as ONNX wants them. */
export function onnxLayerWeights(model: ModelWeights, config: RecurrentConfig, layer: number): OnnxLayerWeights {
  const H = config.hiddenSize;
  const G = GATES[config.arch];
  const W = readWeight(model, `layer${layer}/W`);
  const U = readWeight(model, `layer${layer}/U`);
  const b = readWeight(model, `layer${layer}/b`).data;
  const inputSize = W.shape[0];
  const onnxW = transpose(W.data, inputSize, G * H);
  const onnxR = transpose(U.data, H, G * H);
  const B = new Float32Array(2 * G * H);
  B.set(b, 0);
  if (config.arch === 'gru') {
    negateRows(onnxW, 0, H, inputSize);
    negateRows(onnxR, 0, H, H);
    negateRows(B, 0, H, 1);
    B.set(readWeight(model, `layer${layer}/bh`).data, G * H + 2 * H); // Rb's h block
  }
  return { W: onnxW, R: onnxR, B, inputSize };
}

/** Negates rows [from, from + count) of a row-major matrix `cols` wide, in place. */
function negateRows(m: Float32Array, from: number, count: number, cols: number): void {
  for (let i = from * cols; i < (from + count) * cols; i++) m[i] = -m[i];
}

/**
 * The graph of a recurrent model: `withState` false gives the full-sequence graph
 * (input_ids → logits), true the step graph (also h_in/c_in → h_out/c_out).
 */
export function recurrentGraph(model: ModelWeights, withState: boolean): OnnxGraph {
  const config = model.config;
  if (config.arch === 'transformer') throw new Error('recurrentGraph: not a recurrent model');
  const { vocabSize: V, hiddenSize: H, layers: L, arch } = config;
  const G = GATES[arch];
  const lstm = arch === 'lstm';
  const g = new OnnxGraph(`seqlab_${arch}_${withState ? 'step' : 'full'}`);

  const ids = g.addInput('input_ids', 'int64', ['batch', 'sequence'], 'token ids');
  const stateDims = [L, 'batch', H];
  const hIn = withState ? g.addInput('h_in', 'float32', stateDims, 'hidden state of every layer before the first token') : '';
  const cIn = withState && lstm ? g.addInput('c_in', 'float32', stateDims, 'LSTM cell state of every layer before the first token') : '';
  const perLayer = (state: string, name: string): string[] => {
    if (!state) return new Array<string>(L).fill('');
    if (L === 1) return [state];
    return g.op('Split', [state, g.int64(new Array<number>(L).fill(1))], { axis: { int: 0 } }, Array.from({ length: L }, (_, l) => `${name}_layer${l}`));
  };
  const h0 = perLayer(hIn, 'h_in');
  const c0 = lstm ? perLayer(cIn, 'c_in') : [];

  const idsT = g.op1('Transpose', [ids], { perm: { ints: [1, 0] } }); // [seq, batch]
  const hOuts: string[] = [];
  const cOuts: string[] = [];
  let x = '';
  for (let l = 0; l < L; l++) {
    const w = onnxLayerWeights(model, config, l);
    let W = w.W;
    let inputSize = w.inputSize;
    if (l === 0) {
      if (config.input === 'embedding') {
        x = g.op1('Gather', [g.addFloats('embedding', readWeight(model, 'embedding').data, [V, config.embeddingSize]), idsT]);
      } else if (V <= G * H) {
        x = g.op1('OneHot', [idsT, g.int64(V), g.addFloats('one_hot_values', Float32Array.of(0, 1), [2])], { axis: { int: -1 } });
      } else {
        x = g.op1('Gather', [g.addFloats('layer0/W_rows', transpose(w.W, G * H, V), [V, G * H]), idsT]);
        W = identity(G * H);
        inputSize = G * H;
      }
    }
    const p = `layer${l}`;
    const inputs = [
      x,
      g.addFloats(`${p}/W`, W, [1, G * H, inputSize]),
      g.addFloats(`${p}/R`, w.R, [1, G * H, H]),
      g.addFloats(`${p}/B`, w.B, [1, 2 * G * H]),
      '', // sequence_lens: every sequence runs to the end
      h0[l],
      ...(lstm ? [c0[l]] : []),
    ];
    const attributes = {
      hidden_size: { int: H },
      ...(arch === 'rnn' ? { activations: { strings: [config.activation === 'relu' ? 'Relu' : 'Tanh'] } } : {}),
      ...(arch === 'gru' ? { linear_before_reset: { int: 1 } } : {}),
    };
    const outputs = [`${p}/Y`, withState ? `${p}/Y_h` : '', ...(lstm ? [withState ? `${p}/Y_c` : ''] : [])];
    const [y, yh, yc] = g.op(OP_TYPE[arch], inputs, attributes, outputs);
    x = g.op1('Squeeze', [y, g.int64([1])]); // [seq, 1, batch, H] → [seq, batch, H]
    hOuts.push(yh);
    if (lstm) cOuts.push(yc);
  }

  const hidden = g.op1('Transpose', [x], { perm: { ints: [1, 0, 2] } }); // [batch, seq, H]
  const projected = g.op1('MatMul', [hidden, g.addFloats('output/kernel', readWeight(model, 'output/kernel').data, [H, V])]);
  g.op1('Add', [projected, g.addFloats('output/bias', readWeight(model, 'output/bias').data, [V])], {}, 'logits');
  g.addOutput('logits', 'float32', ['batch', 'sequence', V], 'next-token logits after each token');
  if (withState) {
    const join = (states: string[], name: string) => (L === 1 ? g.op1('Identity', [states[0]], {}, name) : g.op1('Concat', states, { axis: { int: 0 } }, name));
    join(hOuts, 'h_out');
    g.addOutput('h_out', 'float32', stateDims, 'hidden state of every layer after the last token');
    if (lstm) {
      join(cOuts, 'c_out');
      g.addOutput('c_out', 'float32', stateDims, 'LSTM cell state of every layer after the last token');
    }
  }
  return g;
}
