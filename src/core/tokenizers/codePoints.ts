// Text as a sequence of Unicode code points rather than UTF-16 code units, so that an astral
// character such as an emoji or 𝔘 is one symbol, never two surrogate halves. A lone
// surrogate (legal in a JS string, though not in Unicode text) counts as one symbol of its own.

/** The code points of `text` as one-symbol strings; lone surrogates come out alone. */
export function splitCodePoints(text: string): string[] {
  return Array.from(text);
}

/** How many code points `text` holds: the "characters" of bits-per-character. */
export function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** Whether `text` is exactly one code point (a lone surrogate included). */
export function isSingleCodePoint(text: string): boolean {
  return text.length > 0 && text.length <= 2 && countCodePoints(text) === 1;
}

/** Orders one-code-point strings by code point, not by UTF-16 unit as `<` would. */
export function compareCodePoints(a: string, b: string): number {
  return (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0);
}
