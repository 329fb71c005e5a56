// Pure text rules of inline completions (no vscode, no model): fitting a suggestion to the text
// after the cursor, cutting it to a number of lines, the confidence gate, and the memory of the
// ghost text last shown, so that typing its next character shows the rest without asking the
// model again.

/** The rest of `text` up to (not including) its `maxLines`-th line break; `maxLines` ≥ 1. */
export function limitLines(text: string, maxLines: number): string {
  let from = 0;
  for (let line = 1; ; line++) {
    const n = text.slice(from).search(/\r\n|\r|\n/);
    if (n < 0) return text;
    const end = from + n;
    if (line >= maxLines) return text.slice(0, end);
    from = end + (text.startsWith('\r\n', end) ? 2 : 1);
  }
}

/**
 * Fits `suggestion` to `restOfLine`, the text after the cursor on its line, so that nothing
 * already there is proposed again:
 * - the rest of the line already starts with the whole suggestion: nothing to propose ('');
 * - the suggestion ends with the start of the rest (`x)` before `)`): that end is dropped;
 * - the suggestion runs through the whole rest and beyond (`x) + 1` before `)`): it is cut where
 *   the rest begins.
 * Trailing white space after the cursor counts as nothing. With text after the cursor only the
 * suggestion's first line is kept (lines inserted mid-line would push the rest below them).
 */
export function fitToSuffix(suggestion: string, restOfLine: string): string {
  const rest = restOfLine.replace(/\s+$/, '');
  if (rest === '' || suggestion === '') return suggestion;
  const line = limitLines(suggestion, 1);
  if (rest.startsWith(line)) return '';
  for (let k = Math.min(rest.length, line.length - 1); k >= 1; k--) {
    if (line.endsWith(rest.slice(0, k))) return line.slice(0, line.length - k);
  }
  const at = line.indexOf(rest);
  return at > 0 ? line.slice(0, at) : line;
}

/** Whether a suggestion whose tokens have mean probability `meanProbability` may be shown. */
export function passesConfidence(meanProbability: number, minConfidence: number): boolean {
  return meanProbability >= minConfidence;
}

/** A suggestion as shown: in which document, after which prefix (the model's window), which text. */
interface Shown {
  readonly prefix: string;
  readonly text: string;
}

/**
 * The ghost text last shown per document. When the user types the start of it, `recall` gives
 * the rest (no model step, nothing recomputed: the same suggestion goes on showing). Any other
 * edit before the cursor, or a jump, makes `recall` miss.
 */
export class GhostTextMemory {
  private readonly shown = new Map<string, Shown>();

  constructor(private readonly maxDocuments = 16) {}

  remember(documentKey: string, prefix: string, text: string): void {
    this.shown.delete(documentKey);
    if (text === '') return;
    this.shown.set(documentKey, { prefix, text });
    if (this.shown.size > this.maxDocuments) this.shown.delete(this.shown.keys().next().value as string);
  }

  /**
   * The rest of the remembered suggestion when `prefix` is the remembered prefix followed by a
   * start of it (possibly empty: the same position asked again); undefined otherwise, and when
   * the whole suggestion has been typed.
   */
  recall(documentKey: string, prefix: string): string | undefined {
    const s = this.shown.get(documentKey);
    if (!s || prefix.length < s.prefix.length || prefix.length >= s.prefix.length + s.text.length) return undefined;
    const typed = prefix.slice(s.prefix.length);
    if (!s.text.startsWith(typed) || !prefix.startsWith(s.prefix)) return undefined;
    return s.text.slice(typed.length);
  }

  forget(documentKey: string): void {
    this.shown.delete(documentKey);
  }

  clear(): void {
    this.shown.clear();
  }
}
