// A tiny SequenceModel for the training, generation and model-file tests, so they depend on no
// real architecture: h_t = decay·h_{t−1} + E[x_t] (a leaky bag of embeddings; decay 0 makes it a
// bigram model), logits_t = h_t·W + b. Because h_t feeds h_{t+1} with the constant factor
// `decay`, ∂L/∂h_t = decay^(T−1−t)·∂L/∂h_{T−1} for a loss at the last step: an exact reference
// for the gradient-flow measurement.
import * as tf from '@tensorflow/tfjs';
import { embeddingLookup } from '../../src/core/models/embedding';
import type {
  ForwardOptions,
  ModelConfig,
  ModelInternals,
  ModelState,
  RecurrentConfig,
  SequenceModel,
  StepResult,
} from '../../src/core/models/sequenceModel';

export function leakyBagConfig(vocabSize: number, width = 8, seed = 1): RecurrentConfig {
  return {
    arch: 'rnn',
    vocabSize,
    input: 'embedding',
    embeddingSize: width,
    hiddenSize: 1,
    layers: 1,
    dropout: 0,
    activation: 'tanh',
    identityInit: false,
    forgetBias: 1,
    seed,
  };
}

export class LeakyBagModel implements SequenceModel {
  readonly weights: ReadonlyMap<string, tf.Variable>;
  readonly probeSize: number;
  private readonly table: tf.Variable;
  private readonly kernel: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(
    readonly config: ModelConfig,
    readonly decay = 0.5,
  ) {
    const V = config.vocabSize;
    const E = config.embeddingSize;
    this.probeSize = E;
    this.table = tf.tidy(() => tf.variable(tf.randomNormal([V, E], 0, 0.5, 'float32', config.seed)));
    this.kernel = tf.tidy(() => tf.variable(tf.randomNormal([E, V], 0, 0.5, 'float32', config.seed + 1)));
    this.bias = tf.tidy(() => tf.variable(tf.zeros([V])));
    this.weights = new Map([
      ['embedding', this.table],
      ['output/kernel', this.kernel],
      ['output/bias', this.bias],
    ]);
  }

  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      const x = embeddingLookup(this.table as unknown as tf.Tensor2D, ids) as tf.Tensor3D; // [B, T, E]
      let h: tf.Tensor2D = tf.zeros([B, this.probeSize]);
      const outs: tf.Tensor2D[] = [];
      for (let t = 0; t < T; t++) {
        const xt = x.slice([0, t, 0], [B, 1, this.probeSize]).reshape([B, this.probeSize]) as tf.Tensor2D;
        h = h.mul(this.decay).add(xt) as tf.Tensor2D;
        if (options.probe) h = h.add(options.probe.slice([t, 0, 0], [1, B, this.probeSize]).reshape([B, this.probeSize]));
        outs.push(h);
      }
      const hs = tf.stack(outs, 1) as tf.Tensor3D; // [B, T, E]
      return hs.reshape([B * T, this.probeSize]).matMul(this.kernel).add(this.bias).reshape([B, T, -1]) as tf.Tensor3D;
    });
  }

  inspect(ids: readonly number[]): ModelInternals {
    const logits = tf.tidy(() => this.forward(tf.tensor2d([...ids], [1, ids.length], 'int32')).arraySync()[0]);
    return { tokens: [...ids], inputs: [], layers: [], logits };
  }

  initialState(): ModelState {
    return { position: 0, tensors: [tf.zeros([1, this.probeSize])] };
  }

  step(state: ModelState, tokenId: number): StepResult {
    if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= this.config.vocabSize) throw new Error(`bad token ${tokenId}`);
    const [h, logits] = tf.tidy(() => {
      const x = embeddingLookup(this.table as unknown as tf.Tensor2D, tf.tensor1d([tokenId], 'int32'));
      const next = state.tensors[0].mul(this.decay).add(x) as tf.Tensor2D;
      return [next, next.matMul(this.kernel).add(this.bias)];
    });
    const data = logits.dataSync() as Float32Array;
    logits.dispose();
    return { logits: Float32Array.from(data), state: { position: state.position + 1, tensors: [h] } };
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
  }
}

/** A character codec over a fixed alphabet (id = index), independent of the project's tokenizers. */
export function alphabetCodec(alphabet: string) {
  const chars = [...alphabet];
  return {
    vocabSize: chars.length,
    encode: (text: string) => [...text].map((c) => {
      const id = chars.indexOf(c);
      if (id < 0) throw new Error(`'${c}' is not in the alphabet`);
      return id;
    }),
    decode: (ids: readonly number[]) => ids.map((id) => chars[id]).join(''),
  };
}
