// Building a tokenizer from a large corpus and encoding it without holding the thread for long:
// the same results as `buildTokenizer` and `tokenizer.encode`, computed file by file with a
// pause (`yieldNow`) whenever about `chunkChars` characters have been processed, so an
// extension host tokenizing a 20 MB workspace keeps serving other extensions. Token ids come
// out in one typed array (16-bit when the vocabulary allows) ready to be transferred.
import { BYTE_COUNT } from '../tokenizers/byteFallback';
import { DEFAULT_CHAR_MAX_VOCAB } from '../tokenizers/charTokenizer';
import { compareCodePoints, isSingleCodePoint } from '../tokenizers/codePoints';
import { preTokenize } from '../tokenizers/preTokenize';
import { tokenizerFromJson, type Tokenizer, type TokenizerKind, type TokenizerOptions } from '../tokenizers';
import { compareCodeUnits, countItems, mostFrequent } from '../tokenizers/vocabulary';
import { DEFAULT_WORD_MAX_VOCAB } from '../tokenizers/wordTokenizer';

export interface ChunkOptions {
  /** Called between chunks; should let the event loop run (setImmediate in Node). */
  readonly yieldNow: () => Promise<void>;
  /** Characters to process between pauses. Default 262,144. */
  readonly chunkChars?: number;
  /** Checked at every pause; true abandons the work with an Error('cancelled'). */
  readonly isCancelled?: () => boolean;
  /** Fraction of the characters processed so far. */
  readonly onProgress?: (fraction: number) => void;
}

class Pacer {
  private sinceYield = 0;
  private done = 0;
  constructor(
    private readonly options: ChunkOptions,
    private readonly total: number,
  ) {}
  async advance(chars: number): Promise<void> {
    this.sinceYield += chars;
    this.done += chars;
    if (this.sinceYield < (this.options.chunkChars ?? 262_144)) return;
    this.sinceYield = 0;
    this.options.onProgress?.(this.total > 0 ? this.done / this.total : 1);
    await this.options.yieldNow();
    if (this.options.isCancelled?.()) throw new Error('cancelled');
  }
}

/** Equal to `buildTokenizer(kind, texts, options)`, built in chunks. */
export async function buildTokenizerInChunks(
  kind: TokenizerKind,
  texts: readonly string[],
  chunks: ChunkOptions,
  options: TokenizerOptions = {},
): Promise<Tokenizer> {
  const pacer = new Pacer(chunks, texts.reduce((s, t) => s + t.length, 0));
  const charCounts = new Map<string, number>();
  if (kind === 'char') {
    const maxVocab = options.maxVocab ?? DEFAULT_CHAR_MAX_VOCAB;
    for (const text of texts) {
      countItems(text, charCounts);
      await pacer.advance(text.length);
    }
    // fromJson validates the vocabulary the same way build's constructor takes it.
    return tokenizerFromJson({ kind: 'char', version: 1, chars: mostFrequent(charCounts, maxVocab - 1, compareCodePoints) });
  }
  if (kind === 'word') {
    const maxVocab = options.maxVocab ?? DEFAULT_WORD_MAX_VOCAB;
    const pieceCounts = new Map<string, number>();
    for (const text of texts) {
      countItems(text, charCounts);
      countItems(preTokenize(text), pieceCounts);
      await pacer.advance(text.length);
    }
    const chars = mostFrequent(charCounts, maxVocab - BYTE_COUNT, compareCodePoints);
    for (const [piece] of pieceCounts) if (isSingleCodePoint(piece)) pieceCounts.delete(piece);
    const words = mostFrequent(pieceCounts, maxVocab - BYTE_COUNT - chars.length, compareCodeUnits);
    return tokenizerFromJson({ kind: 'word', version: 1, chars, words });
  }
  throw new Error(`Unknown tokenizer kind ${JSON.stringify(kind)} (expected "char" or "word")`);
}

export interface EncodedTexts {
  /** Every text's ids, one after another. */
  readonly tokens: Uint16Array | Int32Array;
  /** Ids per text, in order. */
  readonly lengths: Uint32Array;
}

/** `tokenizer.encode` of every text, concatenated into one typed array, in chunks. */
export async function encodeInChunks(tokenizer: Tokenizer, texts: readonly string[], chunks: ChunkOptions): Promise<EncodedTexts> {
  const pacer = new Pacer(chunks, texts.reduce((s, t) => s + t.length, 0));
  const wide = tokenizer.vocabSize > 0x10000;
  const parts: Array<Uint16Array | Int32Array> = [];
  const lengths = new Uint32Array(texts.length);
  let total = 0;
  for (let i = 0; i < texts.length; i++) {
    const ids = tokenizer.encode(texts[i]);
    parts.push(wide ? Int32Array.from(ids) : Uint16Array.from(ids));
    lengths[i] = ids.length;
    total += ids.length;
    await pacer.advance(texts[i].length);
  }
  const tokens = wide ? new Int32Array(total) : new Uint16Array(total);
  let offset = 0;
  for (const part of parts) {
    tokens.set(part, offset);
    offset += part.length;
  }
  return { tokens, lengths };
}

/** Views of each text's ids inside `encoded.tokens` (no copies). */
export function splitEncoded(encoded: EncodedTexts): Array<Uint16Array | Int32Array> {
  const out: Array<Uint16Array | Int32Array> = [];
  let offset = 0;
  for (const n of encoded.lengths) {
    out.push(encoded.tokens.subarray(offset, offset + n));
    offset += n;
  }
  return out;
}
