// The architectures the arena can put side by side, each with its size preset and the knobs
// the models support through their config, and how a contender becomes a model config.
import { NGRAM_ORDER_OF_PRESET } from '../ngram/ngram';
import { presetConfig, type InputEncoding, type ModelConfig, type PositionalEncodingKind, type Preset } from '../models';

export type ContenderKind = 'rnn-tanh' | 'rnn-relu-identity' | 'gru' | 'lstm' | 'transformer' | 'ngram';
export const CONTENDER_KINDS: readonly ContenderKind[] = ['rnn-tanh', 'rnn-relu-identity', 'gru', 'lstm', 'transformer', 'ngram'];

export const CONTENDER_LABELS: Readonly<Record<ContenderKind, string>> = {
  'rnn-tanh': 'RNN tanh',
  'rnn-relu-identity': 'RNN ReLU + identity init',
  gru: 'GRU',
  lstm: 'LSTM',
  transformer: 'Transformer',
  ngram: 'n-gram (Kneser-Ney)',
};

/** Knobs tied to lecture statements; each applies to the architectures whose config has it. */
export interface Knobs {
  /** Gradient clipping by global norm; 0 turns it off (exploding gradients). Default 1. */
  readonly clipNorm?: number;
  /** Stacked layers (recurrent or Transformer blocks). */
  readonly layers?: number;
  /** One-hot or learned embedding input. */
  readonly input?: InputEncoding;
  /** LSTM: initial forget-gate bias. */
  readonly forgetBias?: number;
  /** Transformer: attention heads (must divide the model width). */
  readonly heads?: number;
  /** Transformer: how positions are encoded; 'none' loses order. */
  readonly positional?: PositionalEncodingKind;
  /** Transformer: divide attention scores by √d; false lets the softmax saturate. Default true. */
  readonly scaleScores?: boolean;
  /** Transformer: the causal mask while training; false is the leak (loss collapses, generation fails). Default true. */
  readonly causalMask?: boolean;
  /** n-gram: context length + 1. Default: the preset's (NGRAM_ORDER_OF_PRESET; small, 6). */
  readonly order?: number;
}

export interface ContenderSpec {
  readonly kind: ContenderKind;
  /** Default 'nano'; for the n-gram its order (nano 4, small 6, medium 8; default small) unless knobs.order says. */
  readonly preset?: Preset;
  readonly knobs?: Knobs;
}

export function contenderLabel(spec: ContenderSpec): string {
  if (spec.kind === 'ngram') return `${CONTENDER_LABELS.ngram}, order ${ngramOrderOf(spec)}`;
  const knobs = Object.entries(spec.knobs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${(k === 'clipNorm' && !(Number(v) > 0 && Number(v) < Infinity)) || v === false ? 'off' : v === true ? 'on' : v}`);
  return [`${CONTENDER_LABELS[spec.kind]} ${spec.preset ?? 'nano'}`, ...knobs].join(', ');
}

/** An n-gram contender's order: its knob, else its preset's. */
export function ngramOrderOf(spec: ContenderSpec): number {
  return spec.knobs?.order ?? NGRAM_ORDER_OF_PRESET[spec.preset ?? 'small'];
}

/** The model config of a neural contender over a vocabulary of `vocabSize`. */
export function contenderConfig(spec: ContenderSpec, vocabSize: number, seed: number): ModelConfig {
  if (spec.kind === 'ngram') throw new Error('the n-gram has no neural model config');
  const knobs = spec.knobs ?? {};
  const arch = spec.kind === 'rnn-tanh' || spec.kind === 'rnn-relu-identity' ? 'rnn' : spec.kind;
  const base = presetConfig(arch, spec.preset ?? 'nano', vocabSize, { seed, input: knobs.input });
  const layers = knobs.layers ?? base.layers;
  if (base.arch === 'transformer') {
    const heads = knobs.heads ?? base.heads;
    if (base.modelSize % heads !== 0) throw new Error(`${heads} heads do not divide the model width ${base.modelSize}`);
    return {
      ...base,
      layers,
      heads,
      positional: knobs.positional ?? base.positional,
      ...(knobs.scaleScores === false ? { scaleScores: false } : {}),
      ...(knobs.causalMask === false ? { causalMaskInTraining: false } : {}),
    };
  }
  return {
    ...base,
    layers,
    activation: spec.kind === 'rnn-relu-identity' ? 'relu' : 'tanh',
    identityInit: spec.kind === 'rnn-relu-identity',
    forgetBias: knobs.forgetBias ?? base.forgetBias,
  };
}
