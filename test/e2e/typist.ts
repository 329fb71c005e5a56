// The issue's simulated user in the real editor: types a text one key at a time with a pause,
// and accepts with Tab a suggestion of 2+ characters that is exactly how the line goes on; and
// what the provider traced meanwhile. The e2e held-out test and `bench/editorTrial.ts` both
// type through it.
import type { Page } from 'playwright-core';

/**
 * Settings under which the editor leaves typed text as typed, as `typeAsUser` needs: nothing
 * auto-closed (a `/**` would otherwise drag an inserted ` *\/` along after the cursor for the
 * rest of the file, and every suggestion there would be mid-line), no automatic indentation.
 */
export const TYPED_AS_TYPED = {
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoClosingComments': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
} as const;

/** What typing one text in the editor gave. */
export interface TypingResult {
  readonly characters: number;
  readonly keystrokes: number;
  /** Suggestions shown, each counted once however many keys it stays on screen. */
  readonly shown: number;
  /** Of those, the ones that were exactly how the line goes on. */
  readonly right: number;
}

/** One completion request as the provider traces it (SEQLAB_TRACE_COMPLETIONS=1, see CompletionProvider). */
export interface CompletionTrace {
  readonly requests: number;
  readonly computations: number;
  readonly memory: number;
  /** 'model "text"', 'memory "text"' or 'none <reason>'. */
  readonly outcome: string;
  /** From the provider's call to its answer, in the extension host. */
  readonly hostMs: number;
}

// (No end anchor: the page's console line may carry the host's styling after the message.)
const TRACE = /\[seqlab:completions\] request (\d+) computations (\d+) memory (\d+) (.*) \(([\d.]+) ms in the host\)/;

/** The trace in a console line of the page (the host's console reaches it), if it is one. */
export function parseCompletionTrace(line: string): CompletionTrace | undefined {
  const m = TRACE.exec(line);
  return m ? { requests: +m[1], computations: +m[2], memory: +m[3], outcome: m[4], hostMs: +m[5] } : undefined;
}

export const savings = (r: TypingResult) => 1 - r.keystrokes / r.characters;
export const precision = (r: TypingResult) => (r.shown ? r.right / r.shown : NaN);

/** The ghost text shown in the editor ('' when none), non-breaking spaces as spaces. */
export async function ghostText(page: Page): Promise<string> {
  const parts = await page.locator('.monaco-editor .view-line span.ghost-text-decoration').allTextContents();
  return parts.join('').replace(/\u00a0/g, ' ');
}

/**
 * Types `text` into the focused editor as the simulated user. The editor must leave typed text
 * as typed (`TYPED_AS_TYPED`) and show no suggest widget.
 */
export async function typeAsUser(page: Page, text: string, pauseMs = 150): Promise<TypingResult> {
  let keystrokes = 0;
  let shown = 0;
  let right = 0;
  let previous = '';
  for (let i = 0; i < text.length; ) {
    await page.waitForTimeout(pauseMs);
    // Read twice: ghost text that changes between the two reads is still being drawn.
    let ghost = await ghostText(page);
    if ((await ghostText(page)) !== ghost) ghost = '';
    const lineEnd = text.indexOf('\n', i);
    const rest = text.slice(i, lineEnd < 0 ? text.length : lineEnd);
    if (ghost && ghost !== previous) {
      shown++;
      if (rest.startsWith(ghost)) right++;
    }
    keystrokes++;
    // In a line's leading whitespace, Tab before ghost text that starts with whitespace may indent
    // instead of accepting (VS Code's inlineSuggestionHasIndentationLessThanTabSize; code-server
    // 1.139's workbench computes it only while a suggest item is selected), so such a suggestion
    // is typed along: the conservative reading.
    const inIndentation = /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', i - 1) + 1, i)) && /^[ \t]/.test(ghost);
    if (ghost.length >= 2 && rest.startsWith(ghost) && !inIndentation) {
      await page.keyboard.press('Tab');
      i += ghost.length;
      previous = '';
      continue;
    }
    const ch = text[i];
    if (ch === '\n') await page.keyboard.press('Enter');
    else await page.keyboard.type(ch);
    i++;
    previous = ghost.startsWith(ch) ? ghost.slice(1) : '';
  }
  return { characters: text.length, keystrokes, shown, right };
}
