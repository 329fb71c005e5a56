// The counts behind a character n-gram model, kept in a trie of contexts read backwards:
// the root is the empty context, its child for symbol c is the context "c", whose child for b
// is "bc", and so on. Walking from the root along the most recent characters thus visits the
// context of every order at once, which is what interpolated smoothing needs.
//
// Each context node holds one entry per next symbol w seen after it:
// - at the highest order (depth order-1): the raw count c(h w);
// - at lower orders: the continuation count N1+(• h w), the number of distinct symbols seen
//   before "h w" (Kneser-Ney's key idea: a lower order is only consulted for contexts the
//   higher order has not seen, so it should reward characters that follow many contexts).
// A continuation count rises exactly when an n-gram one order up is seen for the first time,
// so each new n-gram bumps the order below, cascading down while the n-grams are new.

/** Symbol 0 pads the start of every text (begin-of-text); characters are 1..V. */
export const BEGIN_OF_TEXT = 0;

/** Open-addressing hash map from a pair of non-negative int32s to an int32, in typed arrays. */
class PairTable {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private values: Int32Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1 << 12) {
    this.keysA = new Int32Array(initialCapacity).fill(-1);
    this.keysB = new Int32Array(initialCapacity);
    this.values = new Int32Array(initialCapacity);
    this.mask = initialCapacity - 1;
  }

  private static hash(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return h ^ (h >>> 12);
  }

  get(a: number, b: number): number {
    for (let slot = PairTable.hash(a, b) & this.mask; ; slot = (slot + 1) & this.mask) {
      const keyA = this.keysA[slot];
      if (keyA === -1) return -1;
      if (keyA === a && this.keysB[slot] === b) return this.values[slot];
    }
  }

  /** The value stored for (a, b); if none, stores `valueIfNew` and returns it. */
  findOrAdd(a: number, b: number, valueIfNew: number): number {
    let slot = PairTable.hash(a, b) & this.mask;
    for (;;) {
      const keyA = this.keysA[slot];
      if (keyA === -1) break;
      if (keyA === a && this.keysB[slot] === b) return this.values[slot];
      slot = (slot + 1) & this.mask;
    }
    this.keysA[slot] = a;
    this.keysB[slot] = b;
    this.values[slot] = valueIfNew;
    if (++this.size * 2 > this.keysA.length) this.grow();
    return valueIfNew;
  }

  /** Calls `visit` for every stored pair. */
  forEach(visit: (a: number, b: number, value: number) => void): void {
    for (let slot = 0; slot < this.keysA.length; slot++) {
      if (this.keysA[slot] !== -1) visit(this.keysA[slot], this.keysB[slot], this.values[slot]);
    }
  }

  private grow(): void {
    const { keysA, keysB, values } = this;
    const capacity = keysA.length * 2;
    this.keysA = new Int32Array(capacity).fill(-1);
    this.keysB = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let old = 0; old < keysA.length; old++) {
      if (keysA[old] === -1) continue;
      let slot = PairTable.hash(keysA[old], keysB[old]) & this.mask;
      while (this.keysA[slot] !== -1) slot = (slot + 1) & this.mask;
      this.keysA[slot] = keysA[old];
      this.keysB[slot] = keysB[old];
      this.values[slot] = values[old];
    }
  }
}

/** An Int32Array that grows as values are appended. */
class GrowableInt32 {
  data = new Int32Array(1 << 12);
  length = 0;

  push(value: number): number {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length] = value;
    return this.length++;
  }
}

/**
 * The trie frozen into compressed sparse rows: node n's children are childSym/childNode
 * [childStart[n], childStart[n+1]) sorted by symbol, its entries entrySym/entryValue
 * [entryStart[n], entryStart[n+1]) sorted by symbol. Node 0 is the root.
 */
export interface FrozenCounts {
  readonly order: number;
  readonly nodeCount: number;
  readonly nodeDepth: Int32Array;
  readonly childStart: Int32Array;
  readonly childSym: Int32Array;
  readonly childNode: Int32Array;
  readonly entryStart: Int32Array;
  readonly entrySym: Int32Array;
  readonly entryValue: Int32Array;
}

export class NgramCounter {
  private readonly children = new PairTable();
  private readonly entries = new PairTable();
  private readonly nodeDepth = new GrowableInt32();
  private readonly entryValue = new GrowableInt32();
  /** Scratch: the context nodes of depth 0..order-1 for the n-gram being added. */
  private readonly path: Int32Array;

  constructor(readonly order: number) {
    this.nodeDepth.push(0);
    this.path = new Int32Array(order);
  }

  /**
   * Counts every n-gram of a text given as symbols, already preceded by order-1
   * begin-of-text symbols (which are context only, never predicted).
   */
  addPaddedText(symbols: Int32Array): void {
    const contextLength = this.order - 1;
    for (let i = contextLength; i < symbols.length; i++) {
      let node = 0;
      for (let d = 1; d <= contextLength; d++) {
        node = this.child(node, symbols[i - d]);
        this.path[d] = node;
      }
      this.countNgram(symbols[i], 1);
    }
  }

  /** Adds `count` occurrences of `next` after a context given most recent symbol first. */
  addNgram(contextMostRecentFirst: ArrayLike<number>, next: number, count: number): void {
    let node = 0;
    for (let d = 1; d < this.order; d++) {
      node = this.child(node, contextMostRecentFirst[d - 1]);
      this.path[d] = node;
    }
    this.countNgram(next, count);
  }

  freeze(): FrozenCounts {
    const nodeCount = this.nodeDepth.length;
    const childRows = this.toRows(this.children, nodeCount);
    const entryRows = this.toRows(this.entries, nodeCount);
    const entryValue = new Int32Array(entryRows.values.length);
    for (let e = 0; e < entryValue.length; e++) entryValue[e] = this.entryValue.data[entryRows.values[e]];
    return {
      order: this.order,
      nodeCount,
      nodeDepth: this.nodeDepth.data.slice(0, nodeCount),
      childStart: childRows.start,
      childSym: childRows.symbols,
      childNode: childRows.values,
      entryStart: entryRows.start,
      entrySym: entryRows.symbols,
      entryValue,
    };
  }

  /** The child context of `node` one symbol further back, created if new. */
  private child(node: number, symbol: number): number {
    const candidate = this.nodeDepth.length;
    const found = this.children.findOrAdd(node, symbol, candidate);
    if (found === candidate) this.nodeDepth.push(this.nodeDepth.data[node] + 1);
    return found;
  }

  /** Raw count at the top order; continuation counts below while the n-grams are new. */
  private countNgram(next: number, count: number): void {
    this.path[0] = 0;
    for (let d = this.order - 1; d >= 0; d--) {
      const candidate = this.entryValue.length;
      const entry = this.entries.findOrAdd(this.path[d], next, candidate);
      if (entry === candidate) this.entryValue.push(0);
      const wasNew = this.entryValue.data[entry] === 0;
      this.entryValue.data[entry] += d === this.order - 1 ? count : 1;
      if (!wasNew) return;
    }
  }

  /** A pair table as rows grouped by its first key and sorted by its second. */
  private toRows(table: PairTable, rowCount: number): { start: Int32Array; symbols: Int32Array; values: Int32Array } {
    const keys = new Float64Array(table.size);
    let symbolCount = 1;
    table.forEach((_row, symbol) => {
      if (symbol + 1 > symbolCount) symbolCount = symbol + 1;
    });
    let k = 0;
    table.forEach((row, symbol) => {
      keys[k++] = row * symbolCount + symbol;
    });
    keys.sort();
    const start = new Int32Array(rowCount + 1);
    const symbols = new Int32Array(keys.length);
    const values = new Int32Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const row = Math.floor(keys[i] / symbolCount);
      symbols[i] = keys[i] - row * symbolCount;
      values[i] = table.get(row, symbols[i]);
      start[row + 1]++;
    }
    for (let row = 0; row < rowCount; row++) start[row + 1] += start[row];
    return { start, symbols, values };
  }
}
