// Everything tokenizer-related, from one import path, and the factories that build a concrete
// tokenizer from a corpus or from saved JSON.
import { CharTokenizer, type CharTokenizerOptions } from './charTokenizer';
import { expectObject, invalid } from './jsonValidation';
import type { Tokenizer, TokenizerKind } from './tokenizer';
import { WordTokenizer, type WordTokenizerOptions } from './wordTokenizer';

export * from './tokenizer';
export { CharTokenizer, ASCII_CHARS, UNK_ID, UNK_TEXT, UNK_REPLACEMENT, DEFAULT_CHAR_MAX_VOCAB } from './charTokenizer';
export { WordTokenizer, DEFAULT_WORD_MAX_VOCAB } from './wordTokenizer';
export { preTokenize, MULTI_CHAR_OPERATORS } from './preTokenize';
export { showWhitespace } from './showWhitespace';
export { countCodePoints, splitCodePoints } from './codePoints';

export type TokenizerOptions = CharTokenizerOptions & WordTokenizerOptions;

/** A tokenizer of `kind` whose vocabulary comes from `texts` (one entry per file). */
export function buildTokenizer(kind: TokenizerKind, texts: readonly string[], options: TokenizerOptions = {}): Tokenizer {
  switch (kind) {
    case 'char':
      return CharTokenizer.build(texts, options);
    case 'word':
      return WordTokenizer.build(texts, options);
    default:
      throw new Error(`Unknown tokenizer kind ${JSON.stringify(kind)} (expected "char" or "word")`);
  }
}

/** The tokenizer saved by toJSON(); throws an Error naming the problem when `json` is malformed. */
export function tokenizerFromJson(json: unknown): Tokenizer {
  const record = expectObject(json, 'tokenizer JSON');
  switch (record.kind) {
    case 'char':
      return CharTokenizer.fromJson(record);
    case 'word':
      return WordTokenizer.fromJson(record);
    default:
      throw invalid('tokenizer JSON', `"kind" must be "char" or "word", got ${JSON.stringify(record.kind)}`);
  }
}
