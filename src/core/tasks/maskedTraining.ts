// Training and scoring on the fill-in-the-blank task, the same way for a causal model (any
// SequenceModel's forward) and the bidirectional RNN: the loss is the cross-entropy of the
// hidden letter at the blank's position only, and accuracy is how often the most likely
// letter there is the hidden one. The causal model's output at the blank has read everything
// up to and including the '_'; the bidirectional one has read the whole line.
import * as tf from '@tensorflow/tfjs';
import type { WholeSequenceModel } from '../models/bidirectionalRnn';
import { createRng } from '../random';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { clipByGlobalNorm } from '../training/gradientClipping';
import { crossEntropy } from '../training/loss';
import { createOptimizer } from '../training/optimizers';
import type { BlankExample } from './fillBlank';

export interface BlankTrainingOptions {
  readonly steps: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** Adam's learning rate. Default 1e-2. */
  readonly learningRate?: number;
  /** Default 1. */
  readonly clipNorm?: number;
  readonly seed?: number;
}

interface BlankBatch {
  readonly ids: tf.Tensor2D;
  readonly targets: tf.Tensor2D;
  readonly weights: tf.Tensor2D;
}

/** ids (B, T), targets (B, T) with the answer at the blank, weights 1 there and 0 elsewhere. */
function blankBatch(tokenizer: Tokenizer, examples: readonly BlankExample[]): BlankBatch {
  const T = Math.max(...examples.map((e) => e.text.length));
  const B = examples.length;
  const ids = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const weights = new Float32Array(B * T);
  examples.forEach((e, b) => {
    const encoded = tokenizer.encode(e.text);
    if (encoded.length !== e.text.length) throw new Error('the blank task needs a character tokenizer');
    ids.set(encoded, b * T);
    targets[b * T + e.blankIndex] = tokenizer.encode(e.answer)[0];
    weights[b * T + e.blankIndex] = 1;
  });
  return { ids: tf.tensor2d(ids, [B, T], 'int32'), targets: tf.tensor2d(targets, [B, T], 'int32'), weights: tf.tensor2d(weights, [B, T]) };
}

/** Trains `model` on blanks drawn from `examples`; returns the loss of every step. */
export function trainOnBlanks(model: WholeSequenceModel, tokenizer: Tokenizer, examples: readonly BlankExample[], options: BlankTrainingOptions): number[] {
  const batchSize = options.batchSize ?? 32;
  const rng = createRng(options.seed ?? 0);
  const optimizer = createOptimizer({ kind: 'adam' }, model.weights);
  const variables = [...model.weights.values()];
  const nameOf = new Map([...model.weights].map(([name, v]) => [v.name, name]));
  const losses: number[] = [];
  try {
    for (let s = 0; s < options.steps; s++) {
      const chosen = Array.from({ length: batchSize }, () => examples[rng.int(examples.length)]);
      const loss = tf.tidy(() => {
        const batch = blankBatch(tokenizer, chosen);
        const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(batch.ids), batch.targets, batch.weights), variables);
        const names = Object.keys(grads);
        const clipped = clipByGlobalNorm(names.map((n) => grads[n]), options.clipNorm ?? 1);
        optimizer.apply(new Map(names.map((n, i) => [nameOf.get(n) ?? n, clipped.grads[i]])), options.learningRate ?? 1e-2);
        return value.dataSync()[0];
      });
      losses.push(loss);
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}

/** Share of `examples` whose most likely token at the blank is the hidden letter. */
export function blankAccuracy(model: WholeSequenceModel, tokenizer: Tokenizer, examples: readonly BlankExample[]): number {
  return tf.tidy(() => {
    const batch = blankBatch(tokenizer, examples);
    const predicted = model.forward(batch.ids).argMax(2).arraySync() as number[][];
    const answers = examples.map((e) => tokenizer.encode(e.answer)[0]);
    const correct = examples.filter((e, b) => predicted[b][e.blankIndex] === answers[b]).length;
    return correct / examples.length;
  });
}
