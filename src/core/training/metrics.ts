// The numbers a training run reports, as small pure functions.
//
// Losses are in nats per target token. Bits per character divides the total nats of the
// validation text by the number of characters those targets decode to (so a word- or BPE-level
// model is compared with a character model on the same scale): total nats / total chars / ln 2.

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
