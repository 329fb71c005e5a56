// A document cache: the n-gram keeps counting the text being written. Code repeats itself within
// a file (its identifiers, its idioms) far more than across a codebase, so the counts of the
// document before the cursor, mixed over the counts of the workspace, predict the next character
// better than either: the "nested cache" of Hellendoorn & Devanbu (FSE 2017); a KN 8-gram that
// keeps counting reached 0.87x its static bits/char on a JavaScript library's held-out files.
//
// The mix, for the context h of the last order-1 characters (h_d: its last d characters):
//   P_0(w)   = P_static(w | h)                                  the workspace n-gram
//   P_d(w)   = (c(h_d w) + β · P_{d-1}(w)) / (c(h_d) + β)       for d = minContext .. order-1
// where c counts the document's text before the cursor and a context the document never had is
// skipped. Each longer context the document has seen pulls the distribution towards what
// followed it there, the more the more often it was seen; β (`concentration`) is how many
// observations the distribution below is worth. Contexts shorter than `minContext` are left out:
// the document's counts after one or two characters say less than the workspace's after seven.
//
// Served by every n-gram engine (completion/servingEngine.ts `ngramServing`): the workspace
// n-gram, n-gram model files, `seqlab eval`. The defaults were chosen on held-out files of three
// codebases (bench/documentCacheSweep.ts; docs/completions.md has the figures).
//
// The cache counts code units; a character outside the static model's vocabulary is counted in
// contexts but cannot be predicted (the static model has no outcome for it).

export interface DocumentCacheOptions {
  /** Longest context is order − 1 characters (the static model's order is a sensible choice). */
  readonly order: number;
  /** Shortest document context that counts. */
  readonly minContext: number;
  /** β: observations the distribution below is worth. */
  readonly concentration: number;
}

/**
 * Contexts of 5+ characters, each worth 8 observations of the level below: shorter contexts or a
 * smaller β let a few document counts override the workspace's longer context and cost keystrokes.
 */
export const DEFAULT_DOCUMENT_CACHE: DocumentCacheOptions = { order: 8, minContext: 5, concentration: 8 };

/** Past this many characters of difference, counting afresh is cheaper than undoing counts. */
const RECOUNT_BEYOND = 1 << 15;

export class DocumentCache {
  /** The text counted: the document before the cursor (the window the engine was given). */
  private text = '';
  /** Context (code units) → next code unit → count. */
  private readonly counts = new Map<string, Map<number, number>>();
  private readonly totals = new Map<string, number>();

  constructor(readonly options: DocumentCacheOptions = DEFAULT_DOCUMENT_CACHE) {
    if (!Number.isInteger(options.order) || options.order < 2) throw new RangeError(`cache order must be an integer ≥ 2, got ${options.order}`);
    if (!Number.isInteger(options.minContext) || options.minContext < 1) throw new RangeError(`minContext must be an integer ≥ 1, got ${options.minContext}`);
    if (!(options.concentration > 0)) throw new RangeError(`concentration must be > 0, got ${options.concentration}`);
  }

  /** Characters counted. */
  get length(): number {
    return this.text.length;
  }

  /**
   * Makes the counts those of `text`: what it shares with the text counted so far stays, the
   * rest of the old text is uncounted and the rest of the new one counted (typing on costs one
   * character; a jump back costs what lies between).
   */
  sync(text: string): void {
    let common = 0;
    const limit = Math.min(text.length, this.text.length);
    while (common < limit && text.charCodeAt(common) === this.text.charCodeAt(common)) common++;
    if (this.text.length - common + (text.length - common) > RECOUNT_BEYOND && common < text.length / 2) {
      this.clear();
      common = 0;
    }
    for (let i = this.text.length - 1; i >= common; i--) this.add(this.text, i, -1);
    for (let i = common; i < text.length; i++) this.add(text, i, 1);
    this.text = text;
  }

  clear(): void {
    this.text = '';
    this.counts.clear();
    this.totals.clear();
  }

  /**
   * Mixes the document's counts into `probs`, the static model's distribution after `context`;
   * `symbolOf(unit)` is the index in `probs` of the character with that code unit, or −1 where
   * the static model has none. Mixed in place; the sum stays 1.
   */
  mixInto(context: string, probs: Float64Array, symbolOf: (unit: number) => number): void {
    const { order, minContext, concentration } = this.options;
    for (let d = minContext; d <= order - 1 && d <= context.length; d++) {
      const key = context.slice(context.length - d);
      const total = this.totals.get(key);
      if (!total) continue;
      const scale = concentration / (total + concentration);
      for (let k = 0; k < probs.length; k++) probs[k] *= scale;
      for (const [unit, count] of this.counts.get(key)!) {
        const k = symbolOf(unit);
        if (k >= 0) probs[k] += count / (total + concentration);
        // A character the static model cannot name keeps its mass with the rest (renormalised below).
      }
      normalise(probs);
    }
  }

  /** Counts (delta 1) or uncounts (−1) the character at `i` after each of its contexts. */
  private add(text: string, i: number, delta: 1 | -1): void {
    const next = text.charCodeAt(i);
    const { order, minContext } = this.options;
    for (let d = minContext; d <= order - 1 && d <= i; d++) {
      const key = text.slice(i - d, i);
      let row = this.counts.get(key);
      if (!row) {
        row = new Map();
        this.counts.set(key, row);
      }
      const count = (row.get(next) ?? 0) + delta;
      const total = (this.totals.get(key) ?? 0) + delta;
      if (count > 0) row.set(next, count);
      else row.delete(next);
      if (total > 0) this.totals.set(key, total);
      else {
        this.totals.delete(key);
        this.counts.delete(key);
      }
    }
  }
}

function normalise(probs: Float64Array): void {
  let sum = 0;
  for (let k = 0; k < probs.length; k++) sum += probs[k];
  if (sum > 0 && Math.abs(sum - 1) > 1e-12) for (let k = 0; k < probs.length; k++) probs[k] /= sum;
}
