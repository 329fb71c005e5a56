// Character-level tokenizer: one token per Unicode code point, plus <unk> for characters
// outside the vocabulary. The vocabulary is the corpus's most frequent characters, capped.
//
// Because rare and unseen characters all map to <unk>, decode(encode(x)) === x only holds
// when every character of x is in the vocabulary; an <unk> decodes to U+FFFD.

import { compareCodePoints } from './codePoints';
import { checkMaxVocab, expectCharList, expectObject, expectVersion, invalid } from './jsonValidation';
import type { CharTokenizerJson, Tokenizer } from './tokenizer';
import { countItems, mostFrequent } from './vocabulary';

export const UNK_ID = 0;
export const UNK_TEXT = '<unk>';
/** What an <unk> decodes to: the Unicode replacement character. */
export const UNK_REPLACEMENT = '\uFFFD';
/** Default cap, <unk> included; code and prose rarely use more distinct characters. */
export const DEFAULT_CHAR_MAX_VOCAB = 256;

/**
 * Tab, newline and printable ASCII: a vocabulary that fits any workspace's code, so a model
 * trained on one corpus (the base model) can be fine-tuned on another. Anything else is <unk>.
 */
export const ASCII_CHARS: readonly string[] = ['\t', '\n', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];

export interface CharTokenizerOptions {
  /** Largest vocabulary, <unk> included (>= 1). */
  readonly maxVocab?: number;
}

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  readonly vocabSize: number;
  private readonly ids = new Map<string, number>();
  /** ids of ASCII characters by char code(<unk> where absent): the common case without a Map lookup. */
  private readonly asciiIds = new Int32Array(128).fill(UNK_ID);

  /** `chars[i]` gets id i + 1; id 0 is <unk>. */
  private constructor(private readonly chars: readonly string[]) {
    this.vocabSize = chars.length + 1;
    chars.forEach((ch, i) => {
      this.ids.set(ch, i + 1);
      if (ch.length === 1 && ch.charCodeAt(0) < 128) this.asciiIds[ch.charCodeAt(0)] = i + 1;
    });
  }

  /** Vocabulary from `texts`: characters by descending frequency, ties by code point. */
  static build(texts: readonly string[], options: CharTokenizerOptions = {}): CharTokenizer {
    const maxVocab = options.maxVocab ?? DEFAULT_CHAR_MAX_VOCAB;
    checkMaxVocab(maxVocab, 1, 'char tokenizer');
    const counts = new Map<string, number>();
    for (const text of texts) countItems(text, counts);
    return new CharTokenizer(mostFrequent(counts, maxVocab - 1, compareCodePoints));
  }

  /** The fixed vocabulary of ASCII_CHARS (ids in that order after <unk>), whatever the corpus. */
  static ascii(): CharTokenizer {
    return new CharTokenizer(ASCII_CHARS);
  }

  static fromJson(json: unknown): CharTokenizer {
    const what = 'char tokenizer JSON';
    const record = expectObject(json, what);
    if (record.kind !== 'char') throw invalid(what, `"kind" must be "char", got ${JSON.stringify(record.kind)}`);
    expectVersion(record, what, 1);
    return new CharTokenizer([...expectCharList(record.chars, what, 'chars')]);
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 128) {
        out.push(this.asciiIds[unit]);
        continue;
      }
      const codePoint = text.codePointAt(i) ?? unit;
      const ch = String.fromCodePoint(codePoint);
      i += ch.length - 1;
      out.push(this.ids.get(ch) ?? UNK_ID);
    }
    return out;
  }

  decode(ids: readonly number[]): string {
    let out = '';
    for (const id of ids) out += id === UNK_ID ? UNK_REPLACEMENT : this.charOf(id);
    return out;
  }

  /** The character itself, or "<unk>". */
  tokenText(id: number): string {
    return id === UNK_ID ? UNK_TEXT : this.charOf(id);
  }

  toJSON(): CharTokenizerJson {
    return { kind: 'char', version: 1, chars: [...this.chars] };
  }

  private charOf(id: number): string {
    const ch = Number.isInteger(id) ? this.chars[id - 1] : undefined;
    if (ch === undefined) throw new RangeError(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
    return ch;
  }
}
