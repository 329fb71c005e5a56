// Everything tokenizer-related, from one import path.
export * from './tokenizer';
export { CharTokenizer, UNK_ID, UNK_TEXT, UNK_REPLACEMENT, DEFAULT_CHAR_MAX_VOCAB } from './charTokenizer';
export { WordTokenizer, DEFAULT_WORD_MAX_VOCAB } from './wordTokenizer';
export { preTokenize, MULTI_CHAR_OPERATORS } from './preTokenize';
export { showWhitespace } from './showWhitespace';
export { countCodePoints, splitCodePoints } from './codePoints';
