// Where training windows come from. The corpus is a list of documents (one per file), each a
// token sequence. Truncated backpropagation through time trains on windows of `seqLen` input
// tokens and the `seqLen` tokens that follow each (the targets); gradients flow back at most
// `seqLen` steps, and every window starts from the model's initial state.
//
// Rules (see docs/model-file.md for how the split is recorded):
// - A window never spans two documents: the end of one file is not context for the next.
// - Training windows are drawn with a seeded PRNG, uniformly over every start position at
//   which a full window fits in a training document (so a file contributes in proportion to
//   its length). A document with 2..seqLen tokens gives one window, padded at the end; padded
//   positions carry weight 0 in the loss. Documents with fewer than 2 tokens have no targets
//   and are ignored.
// - Validation windows are fixed: consecutive, non-overlapping windows covering every token of
//   each validation document (the last one padded), so the validation loss is the loss of the
//   whole held-out text, optionally thinned to an evenly spaced subset of at most N windows.
// - The train/validation split is by file (see `splitCorpus`); with one file, by position.
import { hashString, type Rng } from '../random';

export interface Document {
  /** A stable name (e.g. the file path); the split is keyed on it. Defaults to the index. */
  readonly name?: string;
  readonly tokens: ArrayLike<number>;
}

export interface CorpusSplit {
  readonly train: Document[];
  readonly validation: Document[];
  /** 'file': whole files held out; 'position': a single file cut in two (validation = its end). */
  readonly splitBy: 'file' | 'position';
}

export interface SplitOptions {
  /** Share of tokens aimed at for validation, in (0, 1). Default 0.1. */
  readonly validationFraction?: number;
  /** Seed of the file ordering. Default 0. */
  readonly seed?: number;
}

/**
 * Splits a corpus into training and validation documents, by whole file.
 *
 * Files are ordered by a seeded hash of their name (stable when other files are added or
 * removed), then taken for validation greedily while the validation share stays at or under
 * `validationFraction` of all tokens; if none fits, the smallest file is taken. With two or more
 * usable files (≥ 2 tokens) each side gets at least one. With a single usable file, it is cut
 * at floor((1 − fraction)·n): training is the start, validation the end.
 */
export function splitCorpus(docs: readonly Document[], options: SplitOptions = {}): CorpusSplit {
  const fraction = options.validationFraction ?? 0.1;
  if (!(fraction > 0 && fraction < 1)) throw new Error(`validationFraction must be in (0, 1), got ${fraction}`);
  const seed = options.seed ?? 0;
  const usable = docs
    .map((doc, index) => ({ doc, index, n: doc.tokens.length }))
    .filter((d) => d.n >= 2);
  if (usable.length === 0) throw new Error('the corpus has no document with at least 2 tokens');

  if (usable.length === 1) {
    const { doc, n } = usable[0];
    if (n < 4) throw new Error(`a single document needs at least 4 tokens to split, got ${n}`);
    const cut = Math.min(n - 2, Math.max(2, Math.floor(n * (1 - fraction))));
    const name = doc.name ?? '0';
    return {
      train: [{ name, tokens: slice(doc.tokens, 0, cut) }],
      validation: [{ name, tokens: slice(doc.tokens, cut, n) }],
      splitBy: 'position',
    };
  }

  const ordered = usable
    .map((d) => ({ ...d, key: hashString(d.doc.name ?? String(d.index), seed) }))
    .sort((a, b) => a.key - b.key || a.index - b.index);
  const total = ordered.reduce((s, d) => s + d.n, 0);
  const target = fraction * total;
  const isValidation = new Set<number>();
  let valTokens = 0;
  for (const d of ordered) {
    if (valTokens + d.n <= target) {
      isValidation.add(d.index);
      valTokens += d.n;
    }
  }
  if (isValidation.size === 0) {
    const smallest = ordered.reduce((best, d) => (d.n < best.n ? d : best));
    isValidation.add(smallest.index);
  }
  // Keep the caller's order inside each side.
  const bySource = [...usable].sort((a, b) => a.index - b.index);
  return {
    train: bySource.filter((d) => !isValidation.has(d.index)).map((d) => d.doc),
    validation: bySource.filter((d) => isValidation.has(d.index)).map((d) => d.doc),
    splitBy: 'file',
  };
}

function slice(tokens: ArrayLike<number>, from: number, to: number): Int32Array {
  const out = new Int32Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = tokens[i];
  return out;
}

/** One window: `targets` targets starting after `start` in document `doc` (≤ seqLen; fewer means padded). */
export interface Window {
  readonly doc: number;
  readonly start: number;
  readonly targets: number;
}

/** A batch as flat row-major [batchSize, seqLen] arrays. */
export interface Batch {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
  /** 1 for a real target, 0 for padding. */
  readonly weights: Float32Array;
  /** Number of real targets (sum of weights). */
  readonly targetCount: number;
}

/** Token sequences stored once as Int32Array, with the windowing rules above. */
export class TokenStream {
  readonly docs: readonly Int32Array[];
  readonly names: readonly string[];
  /** Total tokens, and total targets (every token but the first of each document). */
  readonly tokenCount: number;
  readonly targetCount: number;
  private readonly cumulativeStarts: Float64Array;

  constructor(docs: readonly Document[], readonly seqLen: number) {
    if (!Number.isInteger(seqLen) || seqLen < 1) throw new Error(`seqLen must be a positive integer, got ${seqLen}`);
    const kept = docs.map((d, i) => ({ d, i })).filter(({ d }) => d.tokens.length >= 2);
    this.docs = kept.map(({ d }) => Int32Array.from(d.tokens));
    this.names = kept.map(({ d, i }) => d.name ?? String(i));
    this.tokenCount = this.docs.reduce((s, d) => s + d.length, 0);
    this.targetCount = this.tokenCount - this.docs.length;
    this.cumulativeStarts = new Float64Array(this.docs.length);
    let acc = 0;
    this.docs.forEach((d, i) => {
      acc += Math.max(1, d.length - seqLen);
      this.cumulativeStarts[i] = acc;
    });
  }

  /** Number of distinct training window positions. */
  get windowPositions(): number {
    return this.cumulativeStarts.length ? this.cumulativeStarts[this.cumulativeStarts.length - 1] : 0;
  }

  /** A window drawn uniformly over all start positions. */
  sampleWindow(rng: Rng): Window {
    const total = this.windowPositions;
    if (total === 0) throw new Error('no training windows: every document has fewer than 2 tokens');
    const u = rng.int(total);
    // First document whose cumulative count exceeds u.
    let lo = 0;
    let hi = this.cumulativeStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeStarts[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    const start = u - (lo === 0 ? 0 : this.cumulativeStarts[lo - 1]);
    return { doc: lo, start, targets: Math.min(this.seqLen, this.docs[lo].length - 1 - start) };
  }

  sampleBatch(rng: Rng, batchSize: number): Batch {
    const windows: Window[] = [];
    for (let b = 0; b < batchSize; b++) windows.push(this.sampleWindow(rng));
    return this.pack(windows);
  }

  /**
   * Consecutive non-overlapping windows covering every target of every document; if more than
   * `maxWindows`, an evenly spaced subset of that many.
   */
  coveringWindows(maxWindows = Infinity): Window[] {
    const all: Window[] = [];
    this.docs.forEach((d, doc) => {
      for (let start = 0; start < d.length - 1; start += this.seqLen) {
        all.push({ doc, start, targets: Math.min(this.seqLen, d.length - 1 - start) });
      }
    });
    if (all.length <= maxWindows) return all;
    const picked: Window[] = [];
    for (let i = 0; i < maxWindows; i++) picked.push(all[Math.floor((i * all.length) / maxWindows)]);
    return picked;
  }

  /** Packs windows into a batch (one row each); padding inputs are token 0 with weight 0. */
  pack(windows: readonly Window[]): Batch {
    const T = this.seqLen;
    const B = windows.length;
    const inputs = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    const weights = new Float32Array(B * T);
    let targetCount = 0;
    windows.forEach((w, b) => {
      const d = this.docs[w.doc];
      for (let t = 0; t < w.targets; t++) {
        inputs[b * T + t] = d[w.start + t];
        targets[b * T + t] = d[w.start + t + 1];
        weights[b * T + t] = 1;
      }
      targetCount += w.targets;
    });
    return { batchSize: B, seqLen: T, inputs, targets, weights, targetCount };
  }
}
