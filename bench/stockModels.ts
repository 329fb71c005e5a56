// Reference models built from stock TensorFlow.js layers (tf.layers), of the same size as our
// models, trained the stock way: model.compile(Adam) + model.trainOnBatch with a softmax output
// and categorical cross-entropy. They are the yardstick of the throughput benchmark.
//
// Choices, each forced or advised by /work/shared/notes/tfjs-and-onnx-facts.md:
// - Input. tf.layers.embedding's gradient (UnsortedSegmentSum) is missing on the wasm backend,
//   so on wasm the stock models take one-hot vectors [B, T, V] (the recurrent layer's input
//   kernel is then [V, G·H] instead of [E, G·H]: 96 rows instead of 64). On cpu they use
//   tf.layers.embedding(V, E) like ours.
// - Recurrent kernels use glorotUniform: the default orthogonal initialiser takes seconds to
//   minutes for 256 units and would only slow model creation, not training.
// - tf.layers (4.22) has no MultiHeadAttention layer. The stock Transformer is built the plainest
//   way: tf.layers.dense for every projection (token embedding, fused QKV, attention output, FFN,
//   head), tf.layers.add for the residuals, and three small custom layers written with tf ops:
//   `PositionalEncoding` (x·√C + sinusoidal table), `CausalSelfAttention` (split heads,
//   QKᵀ/√d + causal mask, softmax, ·V, merge heads) and `PlainLayerNormalization` (the stock
//   tf.layers.layerNormalization has a pathologically slow gradient, see there). Same
//   shape as ours: pre-LN blocks, ReLU FFN, final LayerNorm, no dropout, untied head.
import * as tf from '@tensorflow/tfjs';
import type { Arch } from '../src/core/models';

export interface StockSizes {
  readonly vocabSize: number;
  readonly seqLen: number;
  /** Recurrent: embedding width (cpu only, see above). Transformer: model width C. */
  readonly embeddingSize: number;
  readonly hiddenSize: number;
  readonly modelSize: number;
  readonly heads: number;
  readonly layers: number;
  readonly ffnSize: number;
}

export type StockInput = 'onehot' | 'embedding';

export interface StockModel {
  readonly arch: Arch;
  readonly input: StockInput;
  readonly model: tf.LayersModel;
  /** Trainable parameters. */
  readonly parameters: number;
  /** One Adam update on a batch of ids/targets (row-major [B, T]); resolves after the loss is read. */
  trainStep(inputs: Int32Array, targets: Int32Array, batchSize: number): Promise<number>;
  dispose(): void;
}

/** Sinusoidal table [T, C] of "Attention Is All You Need": sin on even columns, cos on odd. */
function sinusoidalTable(length: number, width: number): Float32Array {
  const table = new Float32Array(length * width);
  for (let pos = 0; pos < length; pos++) {
    for (let i = 0; i < width; i += 2) {
      const angle = pos / Math.pow(10000, i / width);
      table[pos * width + i] = Math.sin(angle);
      if (i + 1 < width) table[pos * width + i + 1] = Math.cos(angle);
    }
  }
  return table;
}

/** x·√C + PE: the token vectors scaled as in the 2017 paper, plus a constant sinusoidal table. */
class PositionalEncoding extends tf.layers.Layer {
  static className = 'BenchPositionalEncoding';
  private table: tf.Tensor2D | null = null;

  constructor(private readonly length: number, private readonly width: number) {
    super({});
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!this.table) this.table = tf.keep(tf.tensor2d(sinusoidalTable(this.length, this.width), [this.length, this.width]));
    const table = this.table;
    return tf.tidy(() => x.mul(Math.sqrt(this.width)).add(table.slice([0, 0], [x.shape[1]!, this.width])));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), length: this.length, width: this.width };
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    this.table?.dispose();
    this.table = null;
    return super.dispose();
  }
}

/**
 * Layer normalisation over the last axis, written with tf ops: (x − mean)/√(var + ε)·γ + β.
 * Used instead of tf.layers.layerNormalization, which tiles its mean, variance, γ and β to the
 * input's shape before calling batchNormalization; the gradient of tf.tile is a loop of one
 * slice and one add per tiled row (2,048 a call at B·T = 2,048), which made the whole stock
 * Transformer step 15-30x slower on wasm (measured: ~160 tokens/s). That would be a straw man.
 */
class PlainLayerNormalization extends tf.layers.Layer {
  static className = 'BenchLayerNormalization';
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  constructor(private readonly epsilon = 1e-3) {
    super({});
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const width = s[s.length - 1] as number;
    this.gamma = this.addWeight('gamma', [width], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [width], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      return x.sub(mean).div(variance.add(this.epsilon).sqrt()).mul(this.gamma!.read()).add(this.beta!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

/** Causal multi-head scaled dot-product attention over a fused [B, T, 3C] = [Q | K | V] input. */
class CausalSelfAttention extends tf.layers.Layer {
  static className = 'BenchCausalSelfAttention';
  private mask: tf.Tensor2D | null = null;

  constructor(private readonly heads: number) {
    super({});
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], s[1], (s[2] as number) / 3];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const qkv = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    const [B, T, C3] = qkv.shape;
    const C = C3 / 3;
    const H = this.heads;
    const d = C / H;
    if (!this.mask || this.mask.shape[0] !== T) {
      this.mask?.dispose();
      // 0 on and below the diagonal, −1e9 above: position t attends to 0..t.
      this.mask = tf.keep(tf.tidy(() => tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)).mul(-1e9) as tf.Tensor2D));
    }
    const mask = this.mask;
    return tf.tidy(() => {
      const [q, k, v] = tf.split(qkv, 3, 2);
      const heads = (x: tf.Tensor) => x.reshape([B, T, H, d]).transpose([0, 2, 1, 3]); // [B, H, T, d]
      const scores = tf.matMul(heads(q), heads(k), false, true).mul(1 / Math.sqrt(d)).add(mask); // [B, H, T, T]
      const weights = tf.softmax(scores, -1);
      return tf.matMul(weights, heads(v)).transpose([0, 2, 1, 3]).reshape([B, T, C]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads };
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    this.mask?.dispose();
    this.mask = null;
    return super.dispose();
  }
}

function recurrentLayer(arch: 'rnn' | 'gru' | 'lstm', units: number): tf.layers.Layer {
  const options = {
    units,
    returnSequences: true,
    kernelInitializer: 'glorotUniform' as const,
    recurrentInitializer: 'glorotUniform' as const,
  };
  switch (arch) {
    case 'rnn':
      return tf.layers.simpleRNN({ ...options, activation: 'tanh' });
    case 'gru':
      return tf.layers.gru(options);
    case 'lstm':
      return tf.layers.lstm({ ...options, unitForgetBias: true });
  }
}

/**
 * 'plain': PlainLayerNormalization (default); 'tf.layers': the stock layer, kept to measure
 * its cost (see PlainLayerNormalization).
 */
export type StockLayerNorm = 'plain' | 'tf.layers';

function buildModel(arch: Arch, sizes: StockSizes, input: StockInput, layerNorm: StockLayerNorm): tf.LayersModel {
  const norm = () =>
    layerNorm === 'plain' ? new PlainLayerNormalization() : tf.layers.layerNormalization({ axis: -1 });
  const { vocabSize: V, seqLen: T } = sizes;
  const inp = input === 'onehot' ? tf.input({ shape: [T, V] }) : tf.input({ shape: [T], dtype: 'int32' });
  const layer = (l: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => l.apply(x) as tf.SymbolicTensor;

  if (arch !== 'transformer') {
    let x = inp;
    if (input === 'embedding') x = layer(tf.layers.embedding({ inputDim: V, outputDim: sizes.embeddingSize }), x);
    for (let l = 0; l < sizes.layers; l++) x = layer(recurrentLayer(arch, sizes.hiddenSize), x);
    const out = layer(tf.layers.dense({ units: V, activation: 'softmax' }), x);
    return tf.model({ inputs: inp, outputs: out });
  }

  const C = sizes.modelSize;
  let x =
    input === 'embedding'
      ? layer(tf.layers.embedding({ inputDim: V, outputDim: C }), inp)
      : layer(tf.layers.dense({ units: C, useBias: false }), inp); // one-hot · table = embedding
  x = layer(new PositionalEncoding(T, C), x);
  for (let b = 0; b < sizes.layers; b++) {
    let h = layer(norm(), x);
    h = layer(tf.layers.dense({ units: 3 * C }), h);
    h = layer(new CausalSelfAttention(sizes.heads), h);
    h = layer(tf.layers.dense({ units: C }), h);
    x = layer(tf.layers.add(), [x, h]);
    h = layer(norm(), x);
    h = layer(tf.layers.dense({ units: sizes.ffnSize, activation: 'relu' }), h);
    h = layer(tf.layers.dense({ units: C }), h);
    x = layer(tf.layers.add(), [x, h]);
  }
  x = layer(norm(), x);
  const out = layer(tf.layers.dense({ units: V, activation: 'softmax' }), x);
  return tf.model({ inputs: inp, outputs: out });
}

/** A stock model of `arch` at `sizes`, compiled with Adam(learningRate) and categorical cross-entropy. */
export function createStockModel(
  arch: Arch,
  sizes: StockSizes,
  input: StockInput,
  learningRate = 1e-3,
  layerNorm: StockLayerNorm = 'plain',
): StockModel {
  const model = buildModel(arch, sizes, input, layerNorm);
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy' });
  const V = sizes.vocabSize;
  return {
    arch,
    input,
    model,
    parameters: model.countParams(),
    async trainStep(inputs, targets, batchSize) {
      const T = inputs.length / batchSize;
      const [x, y] = tf.tidy(() => {
        const ids = tf.tensor2d(inputs, [batchSize, T], 'int32');
        const xs = input === 'onehot' ? tf.oneHot(ids, V).toFloat() : ids;
        const ys = tf.oneHot(tf.tensor2d(targets, [batchSize, T], 'int32'), V).toFloat();
        return [xs, ys];
      });
      try {
        const loss = await model.trainOnBatch(x, y);
        return Array.isArray(loss) ? loss[0] : loss;
      } finally {
        tf.dispose([x, y]);
      }
    },
    dispose() {
      (model.optimizer as tf.Optimizer | undefined)?.dispose();
      model.dispose();
    },
  };
}
