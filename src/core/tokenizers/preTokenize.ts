// Code-aware pre-tokenization: the split into candidate words that happens before any
// vocabulary lookup. Source code has its own "words": identifiers, numbers, multi-character
// operators, indentation runs and line breaks; each becomes one piece, so that a frequent
// piece such as `===`, `=>` or eight spaces of indentation can become a single token.

/** Multi-character operators of common languages (JS/TS, C-family, Rust, Python, shells). */
export const MULTI_CHAR_OPERATORS: readonly string[] = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=', '<=>',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=',
  '%=', '&=', '|=', '^=', '**', '<<', '>>', '::', '->', ':=', '//', '/*', '*/',
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const operators = [...MULTI_CHAR_OPERATORS].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');

/**
 * One alternative per piece kind, tried in order; the last one takes any single code point
 * (punctuation, symbols, emoji, a lone surrogate), so the pieces always cover the whole text.
 */
const PIECE = new RegExp(
  [
    String.raw`\r\n|\n|\r`, // a line break, CRLF as one piece
    String.raw`[^\S\r\n]+`, // a run of other whitespace (indentation)
    String.raw`[\p{L}\p{Nl}_$][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200C\u200D]*`, // identifier or word
    String.raw`0[xX][\da-fA-F_]+n?|0[bB][01_]+n?|0[oO][0-7_]+n?|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?n?`, // number
    operators,
    String.raw`[\s\S]`,
  ].join('|'),
  'gu',
);

/** Splits `text` into pieces whose concatenation is exactly `text`. */
export function preTokenize(text: string): string[] {
  return text.match(PIECE) ?? [];
}
