// Size presets per architecture. "small" is the reference config the benchmarks measure:
// embedding 64 and one recurrent layer of 256 units; Transformer 2 layers, d_model 128,
// 4 heads, FFN 512.
import type { Arch, InputEncoding, ModelConfig, Preset, RecurrentConfig, TransformerConfig } from './sequenceModel';

const recurrentSizes: Record<Preset, Pick<RecurrentConfig, 'embeddingSize' | 'hiddenSize' | 'layers'>> = {
  nano: { embeddingSize: 32, hiddenSize: 64, layers: 1 },
  small: { embeddingSize: 64, hiddenSize: 256, layers: 1 },
  medium: { embeddingSize: 128, hiddenSize: 512, layers: 2 },
};

const transformerSizes: Record<
  Preset,
  Pick<TransformerConfig, 'embeddingSize' | 'modelSize' | 'heads' | 'layers' | 'ffnSize' | 'contextSize'>
> = {
  nano: { embeddingSize: 64, modelSize: 64, heads: 4, layers: 1, ffnSize: 256, contextSize: 64 },
  small: { embeddingSize: 128, modelSize: 128, heads: 4, layers: 2, ffnSize: 512, contextSize: 128 },
  medium: { embeddingSize: 256, modelSize: 256, heads: 8, layers: 4, ffnSize: 1024, contextSize: 256 },
};

export interface PresetOptions {
  readonly input?: InputEncoding;
  readonly seed?: number;
}

export function presetConfig(arch: Arch, preset: Preset, vocabSize: number, options: PresetOptions = {}): ModelConfig {
  const base = { vocabSize, input: options.input ?? 'embedding', seed: options.seed ?? 42 } as const;
  if (arch === 'transformer') {
    return {
      ...base,
      arch,
      ...transformerSizes[preset],
      positional: 'sinusoidal',
      tieWeights: false,
      dropout: 0,
    };
  }
  return {
    ...base,
    arch,
    ...recurrentSizes[preset],
    dropout: 0,
    activation: 'tanh',
    identityInit: false,
    forgetBias: 1,
  };
}

/** Tokens per training window for recurrent models (their state carries any length at serving). */
const RECURRENT_TRAINING_WINDOW = 64;

/**
 * Tokens per training window by default. A Transformer trains on its whole context: serving
 * asks it about every position up to contextSize, and positions it never trained on are noise
 * to it (a small one trained on windows of 64 of its 128 positions read mocha's code at 1.9
 * bits/char in its first 64 positions and 4-5.5 beyond, saving 2.5 % of keystrokes).
 */
export function defaultTrainingWindow(config: ModelConfig): number {
  return config.arch === 'transformer' ? config.contextSize : RECURRENT_TRAINING_WINDOW;
}
