// What every lecture task is: seeded examples of text whose end (the answer) is determined by
// what came before, so a model that has learned the task predicts it and one that has not
// guesses. Each example is one document (training windows never span two), and the answer is
// `text.slice(answerStart)`. A task states the lecture claim it tests and the accuracy a
// guesser gets, so a result can be read against chance.
import { createRng, type Rng } from '../random';

export type TaskId = 'recall' | 'copy' | 'brackets' | 'blank';

export interface TaskExample {
  readonly text: string;
  /** Index in `text` where the answer starts; everything from here on is determined by the prefix. */
  readonly answerStart: number;
}

export interface LectureTask {
  readonly id: TaskId;
  readonly title: string;
  /** The lecture's statement this task puts to the test. */
  readonly statement: string;
  readonly examples: readonly TaskExample[];
  /** Accuracy per answer character of a model that knows the format but not the rule. */
  readonly chanceAccuracy: number;
}

export interface TaskOptions {
  /** Number of examples. Default 512. */
  readonly count?: number;
  readonly seed?: number;
}

export function answerOf(example: TaskExample): string {
  return example.text.slice(example.answerStart);
}

/** One character of `alphabet`, uniformly. */
export function pick(rng: Rng, alphabet: string): string {
  return alphabet[rng.int(alphabet.length)];
}

/** `length` characters of `alphabet`, uniformly and independently. */
export function randomString(rng: Rng, alphabet: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += pick(rng, alphabet);
  return s;
}

/** `count` examples from `make`, drawn from one generator seeded by `seed`. */
export function generate<E extends TaskExample>(options: TaskOptions, make: (rng: Rng) => E): E[] {
  const count = options.count ?? 512;
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
  const rng = createRng(options.seed ?? 0);
  return Array.from({ length: count }, () => make(rng));
}
