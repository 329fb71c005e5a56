// Balanced brackets (counting): a random prefix of '(' and ')' that never closes more than it
// opened, '|', then as many ')' as are still open and a '.'.
//
//   "(()((|)))."   depth 3 after the prefix
//
// To know when to write '.', the model has to count the open brackets: a counter kept in the
// hidden state (the lecture's "memory"), not a pattern of the last few characters.
import type { Rng } from '../random';
import { generate, type LectureTask, type TaskOptions } from './task';

export interface BracketOptions extends TaskOptions {
  /** Length of the prefix. Default 12. */
  readonly length?: number;
}

/** Open brackets left after `prefix` (−1 if it ever closes more than it opened). */
export function openDepth(prefix: string): number {
  let depth = 0;
  for (const ch of prefix) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return -1;
  }
  return depth;
}

function prefixOf(rng: Rng, length: number): string {
  let depth = 0;
  let s = '';
  for (let i = 0; i < length; i++) {
    const open = depth === 0 || rng.next() < 0.5;
    s += open ? '(' : ')';
    depth += open ? 1 : -1;
  }
  return s;
}

export function bracketsTask(options: BracketOptions = {}): LectureTask {
  const length = options.length ?? 12;
  if (!Number.isInteger(length) || length < 1) throw new Error(`length must be a positive integer, got ${length}`);
  const examples = generate(options, (rng) => {
    const prefix = prefixOf(rng, length);
    return { text: `${prefix}|${')'.repeat(openDepth(prefix))}.`, answerStart: length + 1 };
  });
  return {
    id: 'brackets',
    title: `Balanced brackets after ${length}`,
    statement: 'The hidden state is memory: closing the right number of brackets needs a count of what is still open.',
    examples,
    // A guesser that knows only the format picks ')' or '.' at each answer position.
    chanceAccuracy: 0.5,
  };
}
