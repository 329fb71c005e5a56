// When generation ends: stopping criteria are small functions of what has been generated so
// far, checked after every token. The first one that fires ends generation; it may also say
// where to cut the text (a stop sequence is not part of the result).

export type StopReason = 'maxTokens' | 'stopSequence' | 'stopToken' | 'custom';

export interface GenerationSoFar {
  /** Generated ids (prompt excluded). */
  readonly ids: readonly number[];
  /** Decoded text of `ids`. */
  readonly text: string;
  /** Where the newest token's text starts in `text`. */
  readonly lastTokenStart: number;
}

export interface Stop {
  readonly reason: StopReason;
  /** Length of `text` to keep (the default keeps everything). */
  readonly keep?: number;
}

export type StoppingCriterion = (soFar: GenerationSoFar) => Stop | null;

/** Stops after `n` tokens. */
export function maxTokens(n: number): StoppingCriterion {
  if (!Number.isInteger(n) || n < 0) throw new Error(`maxTokens must be an integer ≥ 0, got ${n}`);
  return (s) => (s.ids.length >= n ? { reason: 'maxTokens' } : null);
}

/**
 * Stops when any of `sequences` appears in the generated text; the text is cut where the
 * earliest one begins. Only the window the newest token can have completed is searched.
 */
export function stopSequences(sequences: readonly string[]): StoppingCriterion {
  const list = sequences.filter((s) => s.length > 0);
  if (list.length === 0) return () => null;
  const longest = Math.max(...list.map((s) => s.length));
  return (s) => {
    const from = Math.max(0, s.lastTokenStart - longest + 1);
    let earliest = -1;
    for (const seq of list) {
      const at = s.text.indexOf(seq, from);
      if (at >= 0 && (earliest < 0 || at < earliest)) earliest = at;
    }
    return earliest >= 0 ? { reason: 'stopSequence', keep: earliest } : null;
  };
}

/** Stops at the end of the first line: the newline is not kept. */
export function endOfLine(): StoppingCriterion {
  return stopSequences(['\n']);
}

/** Stops when one of `ids` is generated; that token's text is not kept. */
export function stopTokens(ids: readonly number[]): StoppingCriterion {
  const set = new Set(ids);
  return (s) =>
    s.ids.length > 0 && set.has(s.ids[s.ids.length - 1]) ? { reason: 'stopToken', keep: s.lastTokenStart } : null;
}

/** The first criterion that fires, in order, or null. */
export function firstStop(criteria: readonly StoppingCriterion[], soFar: GenerationSoFar): Stop | null {
  for (const c of criteria) {
    const stop = c(soFar);
    if (stop) return stop;
  }
  return null;
}
