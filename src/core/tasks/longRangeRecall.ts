// Long-range recall at lag L: a key letter, L − 2 digits of noise, a ':' and the key again.
//
//   "c4719:c"   (L = 6: the answer is 6 positions after the key)
//
// The lecture: an RNN must carry information across many steps, gradients through time vanish
// (many factors < 1), so a vanilla tanh RNN fails as L grows while gated cells (LSTM, GRU), ReLU
// with identity init and attention keep up. The digits are noise: only the answer is predictable.
import { generate, pick, randomString, type LectureTask, type TaskOptions } from './task';

export const RECALL_KEYS = 'abcdefgh';
export const RECALL_NOISE = '0123456789';

export interface RecallOptions extends TaskOptions {
  /** Positions from the key to its recall; at least 2. Default 16. */
  readonly lag?: number;
}

export function longRangeRecallTask(options: RecallOptions = {}): LectureTask {
  const lag = options.lag ?? 16;
  if (!Number.isInteger(lag) || lag < 2) throw new Error(`lag must be an integer ≥ 2, got ${lag}`);
  const examples = generate(options, (rng) => {
    const key = pick(rng, RECALL_KEYS);
    const text = `${key}${randomString(rng, RECALL_NOISE, lag - 2)}:${key}`;
    return { text, answerStart: lag };
  });
  return {
    id: 'recall',
    title: `Long-range recall at lag ${lag}`,
    statement: 'Vanishing gradients bias a vanilla RNN to short-term dependencies; gated cells, ReLU + identity init and attention carry information across many steps.',
    examples,
    chanceAccuracy: 1 / RECALL_KEYS.length,
  };
}
