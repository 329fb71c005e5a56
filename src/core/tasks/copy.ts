// Copy: a random string, '|', and the same string again.
//
//   "gbda|gbda"
//
// The lecture's encoding bottleneck: a recurrent model must squeeze the whole string into its
// fixed-size hidden state before the '|', while attention looks back at each letter directly.
// Harder as `length` grows relative to the hidden size.
import { generate, randomString, type LectureTask, type TaskOptions } from './task';

export const COPY_ALPHABET = 'abcdefgh';

export interface CopyOptions extends TaskOptions {
  /** Letters to copy. Default 8. */
  readonly length?: number;
}

export function copyTask(options: CopyOptions = {}): LectureTask {
  const length = options.length ?? 8;
  if (!Number.isInteger(length) || length < 1) throw new Error(`length must be a positive integer, got ${length}`);
  const examples = generate(options, (rng) => {
    const s = randomString(rng, COPY_ALPHABET, length);
    return { text: `${s}|${s}`, answerStart: length + 1 };
  });
  return {
    id: 'copy',
    title: `Copy ${length} letters`,
    statement: 'A fixed-size hidden state is an encoding bottleneck; attention reads every earlier position directly.',
    examples,
    chanceAccuracy: 1 / COPY_ALPHABET.length,
  };
}
