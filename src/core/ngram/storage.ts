// Compact storage of n-gram counts inside JSON: the context trie is written in preorder as
// variable-length integers (symbols delta-coded), then base64. Only the highest-order counts
// are stored; the continuation counts of the lower orders follow from them and are rebuilt.
// Pure TypeScript (no Buffer, no atob), because webviews load models too.

import { type FrozenCounts, NgramCounter } from './counts';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const MAX_INT32 = 0x7fffffff;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const triple = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    chunk +=
      BASE64[triple >> 18] +
      BASE64[(triple >> 12) & 63] +
      (i + 1 < bytes.length ? BASE64[(triple >> 6) & 63] : '=') +
      (i + 2 < bytes.length ? BASE64[triple & 63] : '=');
    if (chunk.length >= 1 << 14) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

const BASE64_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE64.length; i++) values[BASE64.charCodeAt(i)] = i;
  return values;
})();

/** Decodes padded base64; throws on any other character or a length not a multiple of 4. */
export function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error(`base64 length ${text.length} is not a multiple of 4`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  for (let i = 0, o = 0; i < text.length; i += 4) {
    let triple = 0;
    for (let k = 0; k < 4; k++) {
      const unit = text.charCodeAt(i + k);
      const isPadding = unit === 61 && i + k >= text.length - padding;
      const value = isPadding ? 0 : unit < 128 ? BASE64_VALUES[unit] : -1;
      if (value < 0) throw new Error(`invalid base64 character at offset ${i + k}`);
      triple = (triple << 6) | value;
    }
    if (o < bytes.length) bytes[o++] = triple >> 16;
    if (o < bytes.length) bytes[o++] = (triple >> 8) & 255;
    if (o < bytes.length) bytes[o++] = triple & 255;
  }
  return bytes;
}

class VarintWriter {
  private bytes = new Uint8Array(1 << 12);
  private length = 0;

  write(value: number): void {
    if (this.length + 5 > this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    while (value >= 0x80) {
      this.bytes[this.length++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.bytes[this.length++] = value;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

class VarintReader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get atEnd(): boolean {
    return this.offset === this.bytes.length;
  }

  /** A non-negative integer no larger than `max`. */
  read(max: number, what: string): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.offset >= this.bytes.length) throw new Error(`counts data ends inside ${what}`);
      const byte = this.bytes[this.offset++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        if (value > max) throw new Error(`${what} ${value} exceeds ${max} at byte ${this.offset - 1}`);
        return value;
      }
    }
    throw new Error(`over-long number for ${what} at byte ${this.offset}`);
  }
}

/** The highest-order counts of `counts`, as base64. */
export function encodeCounts(counts: FrozenCounts): string {
  const writer = new VarintWriter();
  const topDepth = counts.order - 1;
  const visit = (node: number, depth: number): void => {
    const [start, end, symbols] =
      depth === topDepth
        ? [counts.entryStart[node], counts.entryStart[node + 1], counts.entrySym]
        : [counts.childStart[node], counts.childStart[node + 1], counts.childSym];
    writer.write(end - start);
    // Deltas from the previous symbol, less one; entries start at 1 (begin-of-text is never predicted).
    let previous = depth === topDepth ? 0 : -1;
    for (let i = start; i < end; i++) {
      writer.write(symbols[i] - previous - 1);
      previous = symbols[i];
      if (depth === topDepth) writer.write(counts.entryValue[i]);
      else visit(counts.childNode[i], depth + 1);
    }
  };
  visit(0, 0);
  return bytesToBase64(writer.result());
}

/**
 * Rebuilds the counts that `encodeCounts` wrote, for a model of `order` over characters
 * 1..charCount (0 is begin-of-text). Throws an Error describing the first inconsistency.
 */
export function decodeCounts(base64: string, order: number, charCount: number): FrozenCounts {
  const reader = new VarintReader(base64ToBytes(base64));
  const counter = new NgramCounter(order);
  const topDepth = order - 1;
  const context = new Int32Array(Math.max(topDepth, 1));
  const visit = (depth: number): void => {
    const rows = reader.read(charCount + 1, depth === topDepth ? 'entry count' : 'child count');
    const lowest = depth === topDepth ? 1 : 0;
    let previous = lowest - 1;
    for (let i = 0; i < rows; i++) {
      const symbol = previous + 1 + reader.read(charCount, 'symbol delta');
      if (symbol > charCount) throw new Error(`symbol ${symbol} outside ${lowest}..${charCount}`);
      previous = symbol;
      if (depth === topDepth) {
        const count = reader.read(MAX_INT32, 'count');
        if (count === 0) throw new Error('an n-gram count of 0');
        counter.addNgram(context, symbol, count);
      } else {
        context[depth] = symbol;
        visit(depth + 1);
      }
    }
  };
  visit(0);
  if (!reader.atEnd) throw new Error('counts data has trailing bytes');
  return counter.freeze();
}
