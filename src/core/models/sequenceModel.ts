// The contract every architecture meets, so that training, generation, export, the
// visualizer and completions work on any of them without knowing which.
import type * as tf from '@tensorflow/tfjs';

export type Arch = 'rnn' | 'gru' | 'lstm' | 'transformer';
export const ARCHS: readonly Arch[] = ['rnn', 'gru', 'lstm', 'transformer'];
export type Preset = 'nano' | 'small' | 'medium';
export const PRESETS: readonly Preset[] = ['nano', 'small', 'medium'];

/** How token ids become vectors: a learned lookup table, or one-hot vectors (the lecture contrasts both). */
export type InputEncoding = 'embedding' | 'onehot';

/** How a Transformer tells positions apart (positionalEncoding.ts). */
export type PositionalEncodingKind = 'sinusoidal' | 'learned' | 'none';
export const POSITIONAL_ENCODINGS: readonly PositionalEncodingKind[] = ['sinusoidal', 'learned', 'none'];

export interface BaseModelConfig {
  readonly vocabSize: number;
  readonly input: InputEncoding;
  /** Width of the learned embedding; ignored for one-hot input (the width is then vocabSize). */
  readonly embeddingSize: number;
  /** Seed of every random initialiser, so equal configs give equal weights. */
  readonly seed: number;
}

export interface RecurrentConfig extends BaseModelConfig {
  readonly arch: 'rnn' | 'gru' | 'lstm';
  readonly hiddenSize: number;
  readonly layers: number;
  /** Dropout between stacked layers and before the output projection, in training only. */
  readonly dropout: number;
  /** RNN only: the nonlinearity f in h_t = f(W x_t + U h_{t-1} + b). */
  readonly activation: 'tanh' | 'relu';
  /** RNN only: initialise U to the identity (the lecture's remedy for vanishing gradients). */
  readonly identityInit: boolean;
  /** LSTM only: initial bias of the forget gate (1 keeps memory open early in training). */
  readonly forgetBias: number;
}

export interface TransformerConfig extends BaseModelConfig {
  readonly arch: 'transformer';
  readonly modelSize: number;
  readonly heads: number;
  readonly layers: number;
  readonly ffnSize: number;
  /** Longest context the model attends over (the learned positional table's length). */
  readonly contextSize: number;
  /** 'none': no position vectors at all, so attention cannot tell order (a lecture experiment). */
  readonly positional: PositionalEncodingKind;
  /** Share the token embedding with the output projection. */
  readonly tieWeights: boolean;
  readonly dropout: number;
  /**
   * Divide the attention scores by √d (default true). false is a lecture experiment: scores grow
   * with the width and the softmax saturates.
   */
  readonly scaleScores?: boolean;
  /**
   * Apply the causal mask while training (default true). false is a lecture experiment, the
   * leak: every position may read the token it is asked to predict, so the training loss
   * collapses, while validation, completion and generation (always causal) fail.
   */
  readonly causalMaskInTraining?: boolean;
}

export type ModelConfig = RecurrentConfig | TransformerConfig;

export interface ForwardOptions {
  /** Enables dropout. */
  readonly training?: boolean;
  /**
   * Zeros of shape [T, B, probeSize] added to the probed representation at each step, so that
   * the gradient of the loss w.r.t. this tensor is ∂L/∂h_t (BPTT made measurable).
   */
  readonly probe?: tf.Tensor3D;
}

/** Per-timestep internals of one layer, rows indexed by time: values[t][unit]. */
export type LayerInternals =
  | { readonly kind: 'rnn'; readonly hidden: number[][] }
  | {
      readonly kind: 'gru';
      readonly update: number[][];
      readonly reset: number[][];
      readonly candidate: number[][];
      readonly hidden: number[][];
    }
  | {
      readonly kind: 'lstm';
      readonly forget: number[][];
      readonly input: number[][];
      readonly candidate: number[][];
      readonly output: number[][];
      readonly cell: number[][];
      readonly hidden: number[][];
    }
  | {
      readonly kind: 'attention';
      /** attention[head][query][key]; zero above the diagonal (causal mask). */
      readonly attention: number[][][];
      /** The residual stream after this block, [T][modelSize]. */
      readonly hidden: number[][];
    };

export interface ModelInternals {
  readonly tokens: readonly number[];
  /** The vector each token enters the first layer as, [T][width]. */
  readonly inputs: number[][];
  readonly layers: LayerInternals[];
  /** Next-token logits, [T][vocabSize]. */
  readonly logits: number[][];
}

/** Inference state carried between `step` calls. Owned by the caller: dispose when done. */
export interface ModelState {
  /** Tokens consumed so far. */
  readonly position: number;
  readonly tensors: readonly tf.Tensor[];
}

export interface StepResult {
  /** Next-token logits after the consumed token. */
  readonly logits: Float32Array;
  readonly state: ModelState;
}

export interface SequenceModel {
  readonly config: ModelConfig;
  /** Width of the representation `ForwardOptions.probe` perturbs. */
  readonly probeSize: number;
  /** Trainable weights by stable name (save/load, optimisers, export rely on the names). */
  readonly weights: ReadonlyMap<string, tf.Variable>;
  /** Training forward: ids [B, T] int32 → logits [B, T, V]. Call inside tf.tidy or grads. */
  forward(ids: tf.Tensor2D, options?: ForwardOptions): tf.Tensor3D;
  /** Forward over one sequence returning every gate, state and attention map as plain arrays. */
  inspect(ids: readonly number[]): ModelInternals;
  /** The state before any token. */
  initialState(): ModelState;
  /** Consumes one token: costs one step, not a re-run of the prefix. Leaves `state` intact. */
  step(state: ModelState, tokenId: number): StepResult;
  dispose(): void;
}

export function disposeState(state: ModelState): void {
  for (const t of state.tensors) t.dispose();
}
