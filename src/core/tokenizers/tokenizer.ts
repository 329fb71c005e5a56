// The tokenizer contract: text <-> token ids, shared by training, generation, completions and
// the visualizer. The factories that build a concrete tokenizer live in index.ts, so the
// concrete tokenizers depend on this contract and nothing here depends on them.

import { showWhitespace } from './showWhitespace';

export type TokenizerKind = 'char' | 'word';
export const TOKENIZER_KINDS: readonly TokenizerKind[] = ['char', 'word'];

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Number of ids; every id is in 0..vocabSize-1. */
  readonly vocabSize: number;
  /**
   * Token ids of `text` as a plain number[] (cheap to slice and concatenate, and what
   * tf.tensor accepts); callers wanting a typed array wrap it with Int32Array.from.
   */
  encode(text: string): number[];
  /** The text of a sequence of ids. Throws a RangeError for an id outside the vocabulary. */
  decode(ids: readonly number[]): string;
  /** A label for one token, for display (see tokenLabel for whitespace made visible). */
  tokenText(id: number): string;
  /** Plain JSON-serializable data; tokenizerFromJson(toJSON()) gives an equal tokenizer. */
  toJSON(): TokenizerJson;
}

export interface CharTokenizerJson {
  readonly kind: 'char';
  readonly version: 1;
  /** Character of id i + 1 (id 0 is <unk>). */
  readonly chars: string[];
}

export interface WordTokenizerJson {
  readonly kind: 'word';
  readonly version: 1;
  /** Character of id 256 + i (ids 0..255 are bytes). */
  readonly chars: string[];
  /** Multi-character piece of id 256 + chars.length + i. */
  readonly words: string[];
}

export type TokenizerJson = CharTokenizerJson | WordTokenizerJson;

/** A display label with whitespace made visible, e.g. "↵" for a newline token. */
export function tokenLabel(tokenizer: Tokenizer, id: number): string {
  return showWhitespace(tokenizer.tokenText(id));
}
