// The window the visualizer looks at: the last N tokens before the cursor, with where each
// token lies in the text (so a click on a token can point at it in the editor). Pure: a
// tokenizer and a string in, ids and spans out.
import { preTokenize } from '../tokenizers/preTokenize';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { tokenLabel } from '../tokenizers/tokenizer';

/** One token of the window: its id and the code units [start, end) of the text it came from. */
export interface TokenSpan {
  readonly id: number;
  readonly start: number;
  readonly end: number;
}

export interface TokenWindow {
  readonly ids: number[];
  /** Display labels, whitespace made visible (· for a space, ↵ for a newline, → for a tab). */
  readonly labels: string[];
  /** Offsets into the text passed in: token k covers text.slice(starts[k], ends[k]). */
  readonly starts: number[];
  readonly ends: number[];
  /** Tokens before the window that were left out (the text went on further back). */
  readonly truncated: boolean;
}

/**
 * Tokens of `text` with the span each came from. Their ids are exactly `tokenizer.encode(text)`:
 * a character tokenizer takes one code point per token; a word tokenizer encodes piece by piece
 * (its encode does the same), and a piece spelled out character by character (or byte by byte)
 * gives each of its tokens the span of the character it spells.
 */
export function tokenSpans(tokenizer: Tokenizer, text: string): TokenSpan[] {
  const spans: TokenSpan[] = [];
  if (tokenizer.kind === 'char') {
    const ids = tokenizer.encode(text);
    let at = 0;
    for (const id of ids) {
      const cp = text.codePointAt(at) ?? 0;
      const width = cp > 0xffff ? 2 : 1;
      spans.push({ id, start: at, end: at + width });
      at += width;
    }
    return spans;
  }
  let at = 0;
  for (const piece of preTokenize(text)) {
    const ids = tokenizer.encode(piece);
    if (ids.length === 1) {
      spans.push({ id: ids[0], start: at, end: at + piece.length });
    } else {
      let charAt = at;
      for (const ch of piece) {
        for (const id of tokenizer.encode(ch)) spans.push({ id, start: charAt, end: charAt + ch.length });
        charAt += ch.length;
      }
    }
    at += piece.length;
  }
  return spans;
}

/**
 * The last `maxTokens` tokens of `textBeforeCursor`. When the text is itself a tail cut out of a
 * longer document (`atDocumentStart` false), its first piece may be a fragment of a longer one
 * (half a word, spelled out character by character, or half a surrogate pair), so the tokens
 * of its first piece (word tokenizer) or first character (character tokenizer) are dropped.
 */
export function windowTokens(
  tokenizer: Tokenizer,
  textBeforeCursor: string,
  maxTokens: number,
  atDocumentStart = true,
): TokenWindow {
  if (!(Number.isInteger(maxTokens) && maxTokens >= 1)) throw new RangeError(`maxTokens must be a positive integer, got ${maxTokens}`);
  let spans = tokenSpans(tokenizer, textBeforeCursor);
  let truncated = false;
  if (!atDocumentStart && spans.length > 0) {
    const cut = tokenizer.kind === 'word' ? (preTokenize(textBeforeCursor)[0]?.length ?? 0) : spans[0].end;
    spans = spans.filter((s) => s.start >= cut);
    truncated = true;
  }
  if (spans.length > maxTokens) {
    spans = spans.slice(spans.length - maxTokens);
    truncated = true;
  }
  return {
    ids: spans.map((s) => s.id),
    labels: spans.map((s) => tokenLabel(tokenizer, s.id)),
    starts: spans.map((s) => s.start),
    ends: spans.map((s) => s.end),
    truncated,
  };
}

/** At most `maxChars` characters of `label`, an ellipsis marking a cut. */
export function shortLabel(label: string, maxChars: number): string {
  const chars = [...label];
  return chars.length <= maxChars ? label : `${chars.slice(0, Math.max(1, maxChars - 1)).join('')}…`;
}
