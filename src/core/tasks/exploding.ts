// A setup made to explode, for the lecture's "many values > 1 cause exploding gradients;
// mitigation: gradient clipping". A ReLU RNN whose recurrent matrix starts at `gain`·I
// (gain > 1): the backward pass multiplies ∂L/∂h_t by Uᵀ once per step back (where the units
// are active), so the gradient grows like gain^T. Unclipped, one update of that size
// throws the weights far off and the loss blows up; clipped by global norm, the update keeps its
// direction and a bounded size, and training goes on.
import * as tf from '@tensorflow/tfjs';
import { createRnn } from '../models/rnn';
import type { RecurrentConfig, SequenceModel } from '../models/sequenceModel';

export interface ExplodingOptions {
  readonly vocabSize: number;
  /** Default 32. */
  readonly hiddenSize?: number;
  /** U = gain · I. Default 1.5. */
  readonly gain?: number;
  readonly seed?: number;
}

export function explodingRnnConfig(options: ExplodingOptions): RecurrentConfig {
  return {
    arch: 'rnn',
    vocabSize: options.vocabSize,
    input: 'embedding',
    embeddingSize: 16,
    hiddenSize: options.hiddenSize ?? 32,
    layers: 1,
    dropout: 0,
    activation: 'relu',
    identityInit: true,
    forgetBias: 1,
    seed: options.seed ?? 0,
  };
}

/** The ReLU RNN of `explodingRnnConfig` with U scaled to gain · I. */
export function createExplodingRnn(options: ExplodingOptions): SequenceModel {
  const model = createRnn(explodingRnnConfig(options));
  const U = model.weights.get('layer0/U')!;
  tf.tidy(() => U.assign(U.mul(options.gain ?? 1.5)));
  return model;
}
