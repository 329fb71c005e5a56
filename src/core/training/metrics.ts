// The numbers a training run reports, as small pure functions.
//
// Losses are in nats per target token. Bits per character divides the total nats of the
// validation text by the number of characters those targets decode to (so a word- or BPE-level
// model is compared with a character model on the same scale): total nats / total chars / ln 2.
import type { Tokenizer } from '../tokenizers/tokenizer';

/** How many characters a token decodes to: a function of the id, or a table indexed by id. */
export type CharsPerToken = ((id: number) => number) | ArrayLike<number>;

/** A lookup for `CharsPerToken`; without one every token is one character (character models). */
export function charCounter(charsPerToken?: CharsPerToken): (id: number) => number {
  if (charsPerToken === undefined) return () => 1;
  if (typeof charsPerToken === 'function') return charsPerToken;
  const table = charsPerToken;
  return (id) => {
    const n = table[id];
    if (n === undefined) throw new Error(`charsPerToken has no entry for token ${id}`);
    return n;
  };
}

/**
 * Characters (code points) each token of `tokenizer` decodes to, indexed by id. The word
 * tokenizer's ids 0..255 are single UTF-8 bytes: a continuation byte (0x80–0xBF) counts 0 and
 * any other byte 1, so a character spelt as several byte tokens counts once.
 */
export function charsPerTokenOf(tokenizer: Pick<Tokenizer, 'kind' | 'vocabSize' | 'decode'>): Uint32Array {
  const table = new Uint32Array(tokenizer.vocabSize);
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    if (tokenizer.kind === 'word' && id < 256) table[id] = id >= 0x80 && id <= 0xbf ? 0 : 1;
    else table[id] = [...tokenizer.decode([id])].length;
  }
  return table;
}

/** e^(mean nats per token): the effective number of equally likely choices per token. */
export function perplexity(meanNatsPerToken: number): number {
  return Math.exp(meanNatsPerToken);
}

/** total nats / total characters / ln 2. */
export function bitsPerCharacter(totalNats: number, totalChars: number): number {
  return totalNats / totalChars / Math.LN2;
}

export function tokensPerSecond(tokens: number, milliseconds: number): number {
  return milliseconds > 0 ? (tokens * 1000) / milliseconds : 0;
}
