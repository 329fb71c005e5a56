// Fill in the blank: letters in pairs ("ccaadd"), one of them replaced by '_'; the answer is
// the hidden letter. When the blank is the second of its pair the letter before it tells; when
// it is the first, only the letter after it does.
//
//   "cc_add"  → 'a'   (only the right-hand neighbour knows)
//
// The lecture: "output cannot depend on information that has not been seen yet, but when we
// read we look ahead" → the bidirectional RNN. A causal model gets the first-of-pair blanks
// right only by chance, so its accuracy is about 1/2 + 1/(2·|alphabet|); a bidirectional one
// can reach 1. This is not a next-token task: the answer is the blank, not the text's end, so
// `answerStart` is the blank's index and the answer is `answer`, not the text's tail.
import { generate, pick, type TaskExample, type TaskOptions } from './task';

export const BLANK_ALPHABET = 'abcdef';
export const BLANK = '_';

export interface BlankExample extends TaskExample {
  /** The text with one letter replaced by '_'. */
  readonly text: string;
  readonly blankIndex: number;
  readonly answer: string;
}

export interface BlankOptions extends TaskOptions {
  /** Letter pairs per example. Default 6. */
  readonly pairs?: number;
}

export function fillBlankExamples(options: BlankOptions = {}): BlankExample[] {
  const pairs = options.pairs ?? 6;
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`pairs must be a positive integer, got ${pairs}`);
  return generate(options, (rng) => {
    let full = '';
    for (let i = 0; i < pairs; i++) full += pick(rng, BLANK_ALPHABET).repeat(2);
    const blankIndex = rng.int(full.length);
    const text = `${full.slice(0, blankIndex)}${BLANK}${full.slice(blankIndex + 1)}`;
    return { text, answerStart: blankIndex, blankIndex, answer: full[blankIndex] };
  });
}

/** Best accuracy a model reading left to right can reach (the left neighbour helps only for second-of-pair blanks). */
export const CAUSAL_BLANK_CEILING = 0.5 + 0.5 / BLANK_ALPHABET.length;
