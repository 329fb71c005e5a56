// Display labels for tokens: a space, tab or newline drawn as itself is invisible in a
// visualization, so they get visible stand-ins. Only for display; never fed back to a tokenizer.

const visibleStandIns: Readonly<Record<string, string>> = {
  ' ': '·',
  '\t': '→',
  '\n': '↵',
  '\r': '␍',
};

/**
 * `text` with whitespace and control characters made visible: space ·, tab →, newline ↵,
 * carriage return ␍, other control characters and lone surrogates as \u{…} escapes.
 */
export function showWhitespace(text: string): string {
  let out = '';
  for (const ch of text) {
    const standIn = visibleStandIns[ch];
    if (standIn !== undefined) {
      out += standIn;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    const isControl = cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
    const isLoneSurrogate = cp >= 0xd800 && cp <= 0xdfff;
    out += isControl || isLoneSurrogate ? `\\u{${cp.toString(16).toUpperCase()}}` : ch;
  }
  return out;
}
