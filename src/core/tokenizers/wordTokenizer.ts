// Code-aware word-level tokenizer. Text is pre-tokenized into identifiers, numbers,
// operators, whitespace runs and line breaks (see preTokenize.ts); the most frequent such
// pieces are whole tokens. A piece outside the vocabulary is spelled character by character,
// and a character never seen in the corpus as its UTF-8 bytes (see byteFallback.ts).
// So there is no <unk>: decode(encode(x)) === x for every JS string, lone surrogates included.
//
// Id layout: 0..255 are the byte tokens, then one token per character kept, then the words.

import { BYTE_COUNT, byteLabel, codePointBytes, decodeBytes } from './byteFallback';
import { compareCodePoints, isSingleCodePoint } from './codePoints';
import { checkMaxVocab, expectCharList, expectObject, expectStringArray, expectVersion, invalid } from './jsonValidation';
import { preTokenize } from './preTokenize';
import type { Tokenizer, WordTokenizerJson } from './tokenizer';
import { compareCodeUnits, countItems, mostFrequent } from './vocabulary';

/** Default cap, the 256 byte tokens included. */
export const DEFAULT_WORD_MAX_VOCAB = 4096;

export interface WordTokenizerOptions {
  /**
   * Largest vocabulary (>= 256): the 256 byte tokens always, then the corpus's characters by
   * frequency, then its multi-character pieces by frequency while room is left.
   */
  readonly maxVocab?: number;
}

export class WordTokenizer implements Tokenizer {
  readonly kind = 'word' as const;
  readonly vocabSize: number;
  private readonly firstWordId: number;
  /** Characters and words to their ids (a character is never a word: words have >= 2 code points). */
  private readonly ids = new Map<string, number>();

  private constructor(
    private readonly chars: readonly string[],
    private readonly words: readonly string[],
  ) {
    this.firstWordId = BYTE_COUNT + chars.length;
    this.vocabSize = this.firstWordId + words.length;
    chars.forEach((ch, i) => this.ids.set(ch, BYTE_COUNT + i));
    words.forEach((word, i) => this.ids.set(word, this.firstWordId + i));
  }

  static build(texts: readonly string[], options: WordTokenizerOptions = {}): WordTokenizer {
    const maxVocab = options.maxVocab ?? DEFAULT_WORD_MAX_VOCAB;
    checkMaxVocab(maxVocab, BYTE_COUNT, 'word tokenizer');
    const charCounts = new Map<string, number>();
    const pieceCounts = new Map<string, number>();
    for (const text of texts) {
      countItems(text, charCounts);
      countItems(preTokenize(text), pieceCounts);
    }
    const chars = mostFrequent(charCounts, maxVocab - BYTE_COUNT, compareCodePoints);
    for (const [piece] of pieceCounts) if (isSingleCodePoint(piece)) pieceCounts.delete(piece);
    const words = mostFrequent(pieceCounts, maxVocab - BYTE_COUNT - chars.length, compareCodeUnits);
    return new WordTokenizer(chars, words);
  }

  static fromJson(json: unknown): WordTokenizer {
    const what = 'word tokenizer JSON';
    const record = expectObject(json, what);
    if (record.kind !== 'word') throw invalid(what, `"kind" must be "word", got ${JSON.stringify(record.kind)}`);
    expectVersion(record, what, 1);
    const chars = expectCharList(record.chars, what, 'chars');
    const words = expectStringArray(record.words, what, 'words');
    const seen = new Set<string>();
    words.forEach((word, i) => {
      if (word.length < 2 || isSingleCodePoint(word)) {
        throw invalid(what, `"words[${i}]" must be at least two characters, got ${JSON.stringify(word)}`);
      }
      if (seen.has(word)) throw invalid(what, `"words[${i}]" repeats ${JSON.stringify(word)}`);
      seen.add(word);
    });
    return new WordTokenizer([...chars], [...words]);
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const piece of preTokenize(text)) {
      const id = this.ids.get(piece);
      if (id !== undefined) out.push(id);
      else this.spell(piece, out);
    }
    return out;
  }

  decode(ids: readonly number[]): string {
    let out = '';
    let pendingBytes: number[] = [];
    for (const id of ids) {
      if (Number.isInteger(id) && id >= 0 && id < BYTE_COUNT) {
        pendingBytes.push(id);
        continue;
      }
      if (pendingBytes.length > 0) {
        out += decodeBytes(pendingBytes);
        pendingBytes = [];
      }
      out += this.textOf(id);
    }
    return pendingBytes.length > 0 ? out + decodeBytes(pendingBytes) : out;
  }

  /** The piece's text; a byte token, which is no text on its own, as <0xNN>. */
  tokenText(id: number): string {
    return Number.isInteger(id) && id >= 0 && id < BYTE_COUNT ? byteLabel(id) : this.textOf(id);
  }

  toJSON(): WordTokenizerJson {
    return { kind: 'word', version: 1, chars: [...this.chars], words: [...this.words] };
  }

  /** Appends the ids of an out-of-vocabulary piece: its characters, or their bytes. */
  private spell(piece: string, out: number[]): void {
    for (const ch of piece) {
      const id = this.ids.get(ch);
      if (id !== undefined) out.push(id);
      else out.push(...codePointBytes(ch.codePointAt(0) ?? 0));
    }
  }

  private textOf(id: number): string {
    const text = !Number.isInteger(id)
      ? undefined
      : id < this.firstWordId
        ? this.chars[id - BYTE_COUNT]
        : this.words[id - this.firstWordId];
    if (text === undefined) throw new RangeError(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
    return text;
  }
}
