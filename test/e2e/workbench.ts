// What the e2e tests share: the running workbench page, and small actions a person takes.
import type { Locator, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

export interface E2eContext {
  readonly page: Page;
  readonly workspace: string;
  readonly screenshotDir: string;
}

// Each built test file bundles its own copy of this module, so the context lives on globalThis.
const holder = globalThis as { seqlabE2eContext?: E2eContext };

export function setE2eContext(value: E2eContext): void {
  mkdirSync(value.screenshotDir, { recursive: true });
  holder.seqlabE2eContext = value;
}

export function e2e(): E2eContext {
  const context = holder.seqlabE2eContext;
  if (!context) throw new Error('the e2e harness (test/harness/runE2eTests.ts) did not start a workbench');
  return context;
}

/** Polls `read` until `done` holds for its value. */
export async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await e2e().page.waitForTimeout(250);
  }
}

export async function screenshot(name: string): Promise<string> {
  const file = path.join(e2e().screenshotDir, `${name}.png`);
  await e2e().page.screenshot({ path: file });
  return file;
}

/**
 * Presses `key` and types `text` into the quick input, again until it sticks: focus can move
 * mid-transition (an editor finishing to open), which closes the quick input under us.
 */
async function typeInQuickInput(key: string, text: string): Promise<void> {
  const { page } = e2e();
  const input = page.locator('.quick-input-widget input.input');
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press(key);
    try {
      await input.waitFor({ state: 'visible', timeout: 3000 });
      await input.fill(text, { timeout: 3000 });
      return;
    } catch {
      await page.waitForTimeout(500);
    }
  }
  throw new Error(`${key} did not open the quick input`);
}

/** Opens the command palette and types `text`; returns the labels it lists. */
export async function paletteEntries(text: string): Promise<string[]> {
  await typeInQuickInput('F1', `>${text}`);
  return settledRows((first) => first.toLowerCase().includes(text.toLowerCase()));
}

/** The palette's entries for `prefix` once contributions show (the extension host scans extensions after startup). */
export async function paletteEntriesOnceListed(prefix: string, timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = await paletteEntries(prefix);
    if (entries[0]?.startsWith(prefix) || Date.now() > deadline) return entries;
    await e2e().page.waitForTimeout(1000);
  }
}

/** The quick input's row labels once its first row satisfies `ready` (the list filters asynchronously). */
async function settledRows(ready: (firstRow: string) => boolean, timeoutMs = 15_000): Promise<string[]> {
  const { page } = e2e();
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const labels = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    if ((labels.length > 0 && ready(labels[0])) || Date.now() > deadline) return labels;
    await page.waitForTimeout(200);
  }
}

/** Runs a command from the palette by its full title, as a person would. */
export async function runCommand(title: string): Promise<void> {
  const { page } = e2e();
  // On a loaded machine the list has been seen to stay unfiltered although the text was typed:
  // open the palette afresh once before giving up.
  let entries = await paletteEntries(title);
  if (!entries.some((e) => e.includes(title))) entries = await paletteEntries(title);
  if (!entries.some((e) => e.includes(title))) throw new Error(`"${title}" not in the palette: ${entries.join(' | ')}`);
  await page.keyboard.press('Enter');
}

/** Opens a workspace file through Quick Open. */
export async function openFile(relativePath: string): Promise<void> {
  const { page } = e2e();
  await typeInQuickInput('Control+P', relativePath);
  const name = path.basename(relativePath);
  const rows = await settledRows((first) => first.includes(name), 30_000);
  if (!rows[0]?.includes(name)) throw new Error(`Quick Open does not offer ${relativePath}: ${rows.join(' | ')}`);
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible' });
}

/**
 * The element matching `selector` inside whichever webview shows it. VS Code nests each
 * webview's content two iframes deep and positions them outside the view's own DOM.
 */
export async function inWebview(selector: string, timeoutMs = 30_000): Promise<Locator> {
  const { page } = e2e();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const found = frame.locator(selector);
      if ((await found.count().catch(() => 0)) > 0 && (await found.first().isVisible().catch(() => false))) return found.first();
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector} within ${timeoutMs} ms`);
    await page.waitForTimeout(200);
  }
}

/**
 * "Import Model File…" from the palette, typing the path into VS Code's own file dialog (a quick
 * input that opens with the folder's path filled in, once the palette has closed).
 */
export async function importModel(file: string, log: (line: string) => void = () => {}): Promise<void> {
  const { page } = e2e();
  const input = page.locator('.quick-input-widget input.input');
  // The simple file dialog sometimes does not come up on a busy machine: ask again once.
  for (let attempt = 1; ; attempt++) {
    await runCommand('Sequence Lab: Import Model File…');
    const deadline = Date.now() + 20_000;
    let polls = 0;
    let open = false;
    while (!(open = (await input.isVisible().catch(() => false)) && (await input.inputValue().catch(() => '')).startsWith('/'))) {
      if (polls++ % 5 === 0) {
        log(`file dialog? visible ${await input.isVisible().catch(() => false)}, value "${await input.inputValue().catch(() => '')}", placeholder "${await input.getAttribute('placeholder').catch(() => '')}"`);
      }
      if (Date.now() > deadline) break;
      await page.waitForTimeout(200);
    }
    if (open) break;
    if (attempt === 2) {
      await screenshot('no-file-dialog');
      throw new Error('the file dialog did not open');
    }
    await page.keyboard.press('Escape');
  }
  // The dialog fills in its folder's listing asynchronously and may put its own path back over
  // what was typed: type until the path stays, then accept; again if it is still open.
  for (let attempt = 0; attempt < 6; attempt++) {
    await input.fill(file);
    await page.waitForTimeout(600);
    if ((await input.inputValue().catch(() => '')) !== file) continue;
    await page.keyboard.press('Enter');
    await page.waitForTimeout(800);
    if (!(await input.isVisible().catch(() => false))) return;
  }
  await screenshot('file-dialog-stuck');
  throw new Error(`the file dialog did not accept ${file}`);
}
