// The count-based baseline: a character n-gram language model with interpolated Kneser-Ney
// smoothing. P(next | previous order-1 characters) mixes the discounted counts of every
// order, from the full context down to a uniform distribution, so that unseen contexts and
// unseen characters still get probability. It trains in one pass over the text and needs no
// gradient descent: the yardstick the neural models have to beat.
//
// Interpolated Kneser-Ney (Chen & Goodman 1998), for a context h and its shortening h':
//   P(w | h) = max(a(h w) - D(a), 0) / A(h) + gamma(h) · P(w | h'),   gamma(h) = Σ_w D(a(h w)) / A(h)
// where a is the raw count at the highest order and the continuation count N1+(• h w) below it
// (see counts.ts), A(h) = Σ_w a(h w), and a context never seen is skipped (its mass goes
// to P(w | h')). Below the empty context is the uniform distribution over the V characters of
// the vocabulary plus one "unknown character" outcome: every character never seen in training
// shares that one outcome, so the probabilities of the V characters and the unknown mass sum to 1.
//
// Texts are padded with order-1 begin-of-text symbols, so file starts are modelled and no
// n-gram spans two files. A query context shorter than order-1 characters is taken to be the
// start of a text; to complete mid-document, pass at least the order-1 preceding characters.

import { type FrozenCounts, BEGIN_OF_TEXT, NgramCounter } from './counts';
import { decodeCounts, encodeCounts } from './storage';
import { expectCharList, expectObject, expectVersion, invalid } from '../tokenizers/jsonValidation';
import type { Preset } from '../models/sequenceModel';

export const DEFAULT_NGRAM_ORDER = 6;
/** The order a size preset means for an n-gram (characters of context plus one): the CLI's and the arena's. */
export const NGRAM_ORDER_OF_PRESET: Readonly<Record<Preset, number>> = { nano: 4, small: DEFAULT_NGRAM_ORDER, medium: 8 };
export const MAX_NGRAM_ORDER = 12;

/** 'kn': one discount per order; 'mkn': modified Kneser-Ney, separate discounts for counts 1, 2, 3+. */
export type NgramSmoothing = 'kn' | 'mkn';

export interface NgramOptions {
  /** n: characters of context plus one (1..12). */
  readonly order?: number;
  readonly smoothing?: NgramSmoothing;
}

export interface CharDistribution {
  /** The vocabulary, in code point order. */
  readonly chars: readonly string[];
  /** probs[i] is the probability of chars[i]. */
  readonly probs: Float64Array;
  /** Probability that the next character is one never seen in training. */
  readonly unknown: number;
}

export interface CompleteOptions {
  /** Most characters to add (default 40). */
  readonly maxChars?: number;
  /** End at a line break, which is not included (default true). */
  readonly stopAtNewline?: boolean;
  /** End when the most likely character is less likely than this (default 0). */
  readonly minProbability?: number;
  /** End before the character that would bring the product of the probabilities below this (default 0). */
  readonly minProduct?: number;
}

export interface Completion {
  readonly text: string;
  /** The probability of each added character, in order. */
  readonly probabilities: number[];
}

export interface NgramJson {
  readonly kind: 'ngram';
  readonly version: 1;
  readonly order: number;
  readonly smoothing: NgramSmoothing;
  /** The vocabulary in code point order; character i has symbol i + 1. */
  readonly chars: string[];
  /** Highest-order counts, see storage.ts. */
  readonly counts: string;
}

/** Marks a context character outside the vocabulary: no context containing it was ever seen. */
const UNSEEN = -1;
/** Outcome index of the unknown character in dense distributions (begin-of-text is never predicted). */
const UNKNOWN_OUTCOME = BEGIN_OF_TEXT;

/**
 * Discounts [D1, D2, D3+] of one order from its count-of-counts [n1, n2, n3, n4] (how many
 * n-grams have count 1, 2, 3, 4). 'kn': D = n1 / (n1 + 2 n2) for every count, 0.5 when n1 = 0.
 * 'mkn': Dk = k - (k+1) Y n(k+1) / nk with Y = n1 / (n1 + 2 n2); where a count-of-counts is
 * zero or a discount leaves (0, k], it falls back to 'kn'. Each discount is at most the count
 * it applies to, which keeps every distribution normalised.
 */
export function kneserNeyDiscounts(countOfCounts: readonly number[], smoothing: NgramSmoothing): [number, number, number] {
  const [n1, n2, n3, n4] = countOfCounts;
  const single = n1 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
  if (smoothing === 'kn' || n1 === 0 || n2 === 0 || n3 === 0 || n4 === 0) return [single, single, single];
  const y = n1 / (n1 + 2 * n2);
  const modified: [number, number, number] = [1 - (2 * y * n2) / n1, 2 - (3 * y * n3) / n2, 3 - (4 * y * n4) / n3];
  return modified.every((d, k) => d > 0 && d <= k + 1) ? modified : [single, single, single];
}

export class NgramModel {
  private readonly symbols: SymbolTable;
  /** A(h) of each context node. */
  private readonly total: Float64Array;
  /** gamma(h) of each context node: the mass handed to the shorter context. */
  private readonly gamma: Float64Array;
  /** [D1, D2, D3+] of the context depth d at 3d .. 3d+2. */
  private readonly discounts: Float64Array;
  private readonly uniform: number;
  /** Reused by complete(), which runs per keystroke. */
  private readonly scratch: Float64Array;

  private constructor(
    readonly order: number,
    readonly smoothing: NgramSmoothing,
    /** The vocabulary in code point order; character i has symbol i + 1. */
    readonly chars: readonly string[],
    private readonly counts: FrozenCounts,
  ) {
    this.symbols = new SymbolTable(chars);
    this.uniform = 1 / (chars.length + 1);
    this.scratch = new Float64Array(chars.length + 1);
    this.discounts = this.computeDiscounts();
    const { nodeCount, entryStart, entryValue, nodeDepth } = counts;
    this.total = new Float64Array(nodeCount);
    this.gamma = new Float64Array(nodeCount);
    for (let node = 0; node < nodeCount; node++) {
      let total = 0;
      let discounted = 0;
      for (let e = entryStart[node]; e < entryStart[node + 1]; e++) {
        total += entryValue[e];
        discounted += this.discount(nodeDepth[node], entryValue[e]);
      }
      this.total[node] = total;
      this.gamma[node] = total > 0 ? discounted / total : 1;
    }
  }

  /** Counts every n-gram of `texts` (one entry per file; none spans two). */
  static train(texts: readonly string[], options: NgramOptions = {}): NgramModel {
    const order = options.order ?? DEFAULT_NGRAM_ORDER;
    const smoothing = options.smoothing ?? 'mkn';
    checkOrder(order);
    checkSmoothing(smoothing);
    const chars = vocabularyOf(texts);
    const symbols = new SymbolTable(chars);
    const counter = new NgramCounter(order);
    for (const text of texts) counter.addPaddedText(symbols.padded(text, order - 1));
    return new NgramModel(order, smoothing, chars, counter.freeze());
  }

  /** The model `toJSON` saved; throws an Error naming the problem when `json` is malformed. */
  static fromJSON(json: unknown): NgramModel {
    const what = 'n-gram model JSON';
    const record = expectObject(json, what);
    if (record.kind !== 'ngram') throw invalid(what, `"kind" must be "ngram", got ${JSON.stringify(record.kind)}`);
    expectVersion(record, what, 1);
    const order = record.order;
    if (typeof order !== 'number' || !Number.isInteger(order) || order < 1 || order > MAX_NGRAM_ORDER) {
      throw invalid(what, `"order" must be an integer in 1..${MAX_NGRAM_ORDER}, got ${JSON.stringify(order)}`);
    }
    const smoothing = record.smoothing;
    if (smoothing !== 'kn' && smoothing !== 'mkn') {
      throw invalid(what, `"smoothing" must be "kn" or "mkn", got ${JSON.stringify(smoothing)}`);
    }
    const chars = expectCharList(record.chars, what, 'chars');
    for (let i = 1; i < chars.length; i++) {
      if ((chars[i - 1].codePointAt(0) ?? 0) >= (chars[i].codePointAt(0) ?? 0)) {
        throw invalid(what, `"chars" must be in code point order ("chars[${i}]")`);
      }
    }
    if (typeof record.counts !== 'string') throw invalid(what, '"counts" must be a base64 string');
    let counts: FrozenCounts;
    try {
      counts = decodeCounts(record.counts, order, chars.length);
    } catch (error) {
      throw invalid(what, `"counts": ${(error as Error).message}`);
    }
    return new NgramModel(order, smoothing, [...chars], counts);
  }

  /** Number of characters in the vocabulary (the unknown outcome not included). */
  get vocabSize(): number {
    return this.chars.length;
  }

  /**
   * P(nextChar | context). A character outside the vocabulary gets the unknown mass, the
   * probability that the next character is any one never seen in training.
   */
  probability(context: string, nextChar: string): number {
    const codePoint = nextChar.codePointAt(0);
    if (codePoint === undefined || String.fromCodePoint(codePoint) !== nextChar) {
      throw new RangeError(`nextChar must be a single character, got ${JSON.stringify(nextChar)}`);
    }
    const symbol = this.symbols.of(codePoint);
    const next = symbol === UNSEEN ? UNKNOWN_OUTCOME : symbol;
    const history = this.symbols.context(context, this.order - 1);
    return this.probabilityAt(history, history.length, next);
  }

  /** Index in `chars` (and in a distribution's probs) of the character with this UTF-16 code unit; −1 for none. */
  indexOfUnit(unit: number): number {
    const symbol = unit >= 0xd800 && unit <= 0xdfff ? UNSEEN : this.symbols.of(unit);
    return symbol === UNSEEN ? -1 : symbol - 1;
  }

  /** The distribution of the next character; probs and unknown sum to 1. */
  distribution(context: string): CharDistribution {
    const history = this.symbols.context(context, this.order - 1);
    const dense = new Float64Array(this.chars.length + 1);
    this.fillDistribution(history, history.length, dense);
    return { chars: this.chars, probs: dense.slice(1), unknown: dense[UNKNOWN_OUTCOME] };
  }

  /**
   * Cross-entropy of held-out text in bits per character (code point): each text is scored
   * from its start, like a file. NaN when there is no character to score.
   */
  bitsPerChar(texts: string | readonly string[]): number {
    let bits = 0;
    let characters = 0;
    for (const text of typeof texts === 'string' ? [texts] : texts) {
      const symbols = this.symbols.padded(text, this.order - 1);
      for (let i = this.order - 1; i < symbols.length; i++) {
        const next = symbols[i] === UNSEEN ? UNKNOWN_OUTCOME : symbols[i];
        bits -= Math.log2(this.probabilityAt(symbols, i, next));
        characters++;
      }
    }
    return bits / characters;
  }

  /** Greedy continuation of `prefix`: the most likely character, again and again. */
  complete(prefix: string, options: CompleteOptions = {}): Completion {
    const maxChars = options.maxChars ?? 40;
    const stopAtNewline = options.stopAtNewline ?? true;
    const minProbability = options.minProbability ?? 0;
    const minProduct = options.minProduct ?? 0;
    const context = this.symbols.context(prefix, this.order - 1);
    const symbols = new Int32Array(context.length + Math.max(0, maxChars));
    symbols.set(context);
    let text = '';
    const probabilities: number[] = [];
    let product = 1;
    for (let end = context.length; end < symbols.length; end++) {
      this.fillDistribution(symbols, end, this.scratch);
      let best = 0;
      for (let s = 1; s < this.scratch.length; s++) if (this.scratch[s] > this.scratch[best] || best === 0) best = s;
      if (best === 0 || this.scratch[best] < minProbability || product * this.scratch[best] < minProduct) break;
      product *= this.scratch[best];
      const ch = this.chars[best - 1];
      if (stopAtNewline && (ch === '\n' || ch === '\r')) break;
      text += ch;
      probabilities.push(this.scratch[best]);
      symbols[end] = best;
    }
    return { text, probabilities };
  }

  toJSON(): NgramJson {
    return {
      kind: 'ngram',
      version: 1,
      order: this.order,
      smoothing: this.smoothing,
      chars: [...this.chars],
      counts: encodeCounts(this.counts),
    };
  }

  /** P(next | the symbols before `end`), the context read backwards from `end`. */
  private probabilityAt(symbols: ArrayLike<number>, end: number, next: number): number {
    const { childStart, childSym, childNode, entryStart, entrySym, entryValue, order } = this.counts;
    let probability = this.uniform;
    let node = 0;
    for (let depth = 0; ; depth++) {
      const total = this.total[node];
      if (total > 0) {
        const e = findSorted(entrySym, entryStart[node], entryStart[node + 1], next);
        const count = e < 0 ? 0 : entryValue[e];
        const discounted = count > 0 ? Math.max(count - this.discount(depth, count), 0) / total : 0;
        probability = discounted + this.gamma[node] * probability;
      }
      if (depth === order - 1) return probability;
      const c = findSorted(childSym, childStart[node], childStart[node + 1], symbols[end - 1 - depth]);
      if (c < 0) return probability;
      node = childNode[c];
    }
  }

  /** `out[s]` = P(symbol s | the symbols before `end`), out[0] being the unknown mass. */
  private fillDistribution(symbols: ArrayLike<number>, end: number, out: Float64Array): void {
    const { childStart, childSym, childNode, entryStart, entrySym, entryValue, order } = this.counts;
    out.fill(this.uniform);
    let node = 0;
    for (let depth = 0; ; depth++) {
      const total = this.total[node];
      if (total > 0) {
        const gamma = this.gamma[node];
        for (let s = 0; s < out.length; s++) out[s] *= gamma;
        for (let e = entryStart[node]; e < entryStart[node + 1]; e++) {
          out[entrySym[e]] += Math.max(entryValue[e] - this.discount(depth, entryValue[e]), 0) / total;
        }
      }
      if (depth === order - 1) return;
      const c = findSorted(childSym, childStart[node], childStart[node + 1], symbols[end - 1 - depth]);
      if (c < 0) return;
      node = childNode[c];
    }
  }

  private discount(depth: number, count: number): number {
    return this.discounts[depth * 3 + Math.min(count, 3) - 1];
  }

  private computeDiscounts(): Float64Array {
    const { order, nodeCount, nodeDepth, entryStart, entryValue } = this.counts;
    const countOfCounts = Array.from({ length: order }, () => [0, 0, 0, 0]);
    for (let node = 0; node < nodeCount; node++) {
      for (let e = entryStart[node]; e < entryStart[node + 1]; e++) {
        if (entryValue[e] <= 4) countOfCounts[nodeDepth[node]][entryValue[e] - 1]++;
      }
    }
    return Float64Array.from(countOfCounts.flatMap((n) => kneserNeyDiscounts(n, this.smoothing)));
  }
}

/** Characters to symbols 1..V (UNSEEN outside the vocabulary), the ASCII ones without a Map lookup. */
class SymbolTable {
  private readonly byCodePoint = new Map<number, number>();
  private readonly ascii = new Int32Array(128).fill(UNSEEN);

  constructor(chars: readonly string[]) {
    chars.forEach((ch, i) => {
      const codePoint = ch.codePointAt(0) ?? 0;
      this.byCodePoint.set(codePoint, i + 1);
      if (codePoint < 128) this.ascii[codePoint] = i + 1;
    });
  }

  of(codePoint: number): number {
    return codePoint < 128 ? this.ascii[codePoint] : (this.byCodePoint.get(codePoint) ?? UNSEEN);
  }

  /** The symbols of `text` after `padding` begin-of-text symbols. */
  padded(text: string, padding: number): Int32Array {
    const symbols = new Int32Array(padding + text.length);
    let length = padding;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 128) {
        symbols[length++] = this.ascii[unit];
        continue;
      }
      const codePoint = text.codePointAt(i) ?? unit;
      if (codePoint > 0xffff) i++;
      symbols[length++] = this.byCodePoint.get(codePoint) ?? UNSEEN;
    }
    return symbols.subarray(0, length);
  }

  /**
   * The last `length` characters of `text` as symbols, oldest first, preceded by
   * begin-of-text symbols when the text is shorter (it is then the start of a text).
   */
  context(text: string, length: number): Int32Array {
    const symbols = new Int32Array(length).fill(BEGIN_OF_TEXT);
    let i = text.length;
    for (let k = length - 1; k >= 0 && i > 0; k--) {
      let codePoint = text.charCodeAt(--i);
      if (codePoint >= 0xdc00 && codePoint <= 0xdfff && i > 0) {
        const high = text.charCodeAt(i - 1);
        if (high >= 0xd800 && high <= 0xdbff) {
          codePoint = (high - 0xd800) * 0x400 + (codePoint - 0xdc00) + 0x10000;
          i--;
        }
      }
      symbols[k] = this.of(codePoint);
    }
    return symbols;
  }
}

/** Index of `value` in the sorted `array[start, end)`, or -1. */
function findSorted(array: Int32Array, start: number, end: number, value: number): number {
  let low = start;
  let high = end - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const found = array[middle];
    if (found === value) return middle;
    if (found < value) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** Every character of `texts`, in code point order. */
function vocabularyOf(texts: readonly string[]): string[] {
  const seenAscii = new Uint8Array(128);
  const seen = new Set<number>();
  for (const text of texts) {
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 128) {
        seenAscii[unit] = 1;
        continue;
      }
      const codePoint = text.codePointAt(i) ?? unit;
      if (codePoint > 0xffff) i++;
      seen.add(codePoint);
    }
  }
  seenAscii.forEach((wasSeen, codePoint) => wasSeen && seen.add(codePoint));
  return [...seen].sort((a, b) => a - b).map((codePoint) => String.fromCodePoint(codePoint));
}

function checkOrder(order: number): void {
  if (!Number.isInteger(order) || order < 1 || order > MAX_NGRAM_ORDER) {
    throw new RangeError(`n-gram order must be an integer in 1..${MAX_NGRAM_ORDER}, got ${order}`);
  }
}

function checkSmoothing(smoothing: string): void {
  if (smoothing !== 'kn' && smoothing !== 'mkn') {
    throw new RangeError(`n-gram smoothing must be "kn" or "mkn", got ${JSON.stringify(smoothing)}`);
  }
}
