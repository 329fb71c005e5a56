// The trial, as a user makes it, in a real VS Code (code-server driven by Chromium): a
// workspace of a folder's training files (`seqlab train`'s split: seed 0, a tenth of the files
// held out), held-out text typed key by key with whatever serves before training (the workspace
// n-gram), then *Train Model on Workspace* with the defaults from the palette, then the same text
// typed again with whatever `auto` serves after it. The simulated user is the e2e tier's
// (`test/e2e/typist.ts`): a 150 ms pause per key, Tab on a suggestion of 2+ characters that is
// exactly how the line goes on.
//
//   npm run package && node out/bench/editorTrial.js FOLDER [--chars 2000] [--per-file 500] [--minutes M] [--json FILE]
//
// About 2 × (typing: 4 min per 1,000 characters) + the training budget + its replay. Not part
// of `npm run bench` (a measurement of minutes in the real editor, one codebase per run).
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { parseOrShowHelp, runScript, type CommandSpec } from '../src/cli/args';
import { splitTexts } from '../src/core/corpus/splitTexts';
import { limitCharacters } from '../src/core/evaluation';
import { readCorpus } from '../src/node/corpus';
import { launchBrowser, openWorkbench } from '../test/harness/browser';
import { ensureCodeServer, installVsix, repoRoot, scratchDir, startCodeServer } from '../test/harness/codeServer';
import { ghostText, precision, savings, typeAsUser, type TypingResult } from '../test/e2e/typist';
import { openFile, runCommand, screenshot, setE2eContext, until } from '../test/e2e/workbench';

const SPEC: CommandSpec = {
  name: 'editorTrial',
  brief: 'Keystroke savings in the real editor before and after training from the palette.',
  summary:
    "Type held-out files of <folder> into code-server with the workspace n-gram, train with the palette's defaults on\n" +
    'the training files, and type them again with what serves then (build and package first: npm run package).',
  invocation: 'node out/bench/editorTrial.js',
  positionals: [{ name: 'folder', description: 'Folder whose text files are split into the workspace and the held-out files.' }],
  options: [
    { name: 'chars', kind: 'integer', valueName: 'N', min: 1, defaultText: '2000', description: 'Held-out characters typed in each phase.' },
    { name: 'per-file', kind: 'integer', valueName: 'N', min: 1, defaultText: '500', description: 'At most this many from the start of each held-out file.' },
    { name: 'minutes', kind: 'number', valueName: 'M', min: 0.1, description: "Training budget (default: the extension's default)." },
    { name: 'json', kind: 'string', valueName: 'FILE', description: 'Also write the results here.' },
  ],
  examples: ['node out/bench/editorTrial.js node_modules/mocha/lib --chars 2000'],
};

/** The editor leaves typed text as typed, and no suggest widget sits beside the ghost text. */
const TYPIST_SETTINGS = {
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoIndent': 'none',
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.formatOnType': false,
};

interface Phase extends TypingResult {
  readonly serving: string;
}

/** What the completions status item says serves (its accessible label). */
async function servingLabel(page: Page): Promise<string> {
  const item = page.locator('[aria-label*="Sequence Lab completions"]').first();
  return (await item.getAttribute('aria-label').catch(() => null)) ?? '(no status item)';
}

/** Types each held-out text into its own empty workspace file, then reverts it (nothing is saved, so no count sees it). */
async function typePhase(page: Page, typed: ReadonlyArray<{ file: string; text: string }>): Promise<Phase> {
  const total = { characters: 0, keystrokes: 0, shown: 0, right: 0 };
  for (const { file, text } of typed) {
    await openFile(file);
    await page.locator('.monaco-editor .view-lines').first().click();
    const r = await typeAsUser(page, text);
    console.log(`  ${file}: ${r.characters} characters, savings ${(100 * savings(r)).toFixed(1)} %, ${r.shown} shown, ${r.right} right`);
    for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += r[k];
    await page.keyboard.press('Escape');
    await runCommand('File: Revert File');
  }
  return { ...total, serving: await servingLabel(page) };
}

/**
 * Types the start of a line the workspace holds until ghost text appears (the first request
 * counts the workspace n-gram), then reverts.
 */
async function warmUp(page: Page, file: string, line: string): Promise<void> {
  await openFile(file);
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.type(line, { delay: 40 });
  await until('first ghost text', async () => {
    await page.keyboard.press('Alt+Backslash'); // editor.action.inlineSuggest.trigger
    await page.waitForTimeout(1000);
    return ghostText(page);
  }, (t) => t.length > 0, 120_000);
  await page.keyboard.press('Escape');
  await runCommand('File: Revert File');
}

async function trainWithDefaults(page: Page, minutes: number): Promise<string> {
  await runCommand('Sequence Lab: Train Model on Workspace');
  const defaults = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Train with defaults' });
  await defaults.first().waitFor({ state: 'visible', timeout: 30_000 });
  console.log(`  ${(await defaults.first().innerText()).replace(/\s+/g, ' ')}`);
  await page.keyboard.press('Enter');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 60_000 });
  console.log(`  ${(await dialog.innerText()).replace(/\s+/g, ' ').slice(0, 300)}`);
  await dialog.getByRole('button', { name: 'Start Training' }).click();
  const done = page.locator('.notifications-toasts .notification-toast', { hasText: /Sequence Lab: training (finished after|stopped|failed)/ });
  await done.first().waitFor({ state: 'visible', timeout: (minutes * 60 + 900) * 1000 });
  return (await done.first().innerText()).replace(/\s+/g, ' ');
}

function summary(p: Phase) {
  return { savings: +savings(p).toFixed(4), precision: +precision(p).toFixed(4), shown: p.shown, right: p.right, keystrokes: p.keystrokes, characters: p.characters, serving: p.serving };
}

async function main(): Promise<void> {
  const parsed = parseOrShowHelp(SPEC, process.argv.slice(2));
  if (!parsed) return;
  const folder = path.resolve(parsed.positionals[0]);
  const split = splitTexts(readCorpus(folder).files, { seed: 0, validationFraction: 0.1 });
  const texts = limitCharacters(split.validation.map((f) => f.text), parsed.options.number('chars', 2000), parsed.options.number('per-file', 500));

  const root = scratchDir('editor-trial');
  const workspace = path.join(root, 'workspace');
  for (const f of split.train) {
    mkdirSync(path.dirname(path.join(workspace, f.path)), { recursive: true });
    writeFileSync(path.join(workspace, f.path), f.text);
  }
  // Empty files to type in, made before code-server starts so that Quick Open has indexed them.
  mkdirSync(path.join(workspace, 'typed'));
  const typed = texts.map((text, i) => ({ file: `typed/${i}-${path.basename(split.validation[i].path)}`, text }));
  for (const { file } of [...typed, { file: 'typed/warm-up.js' }]) writeFileSync(path.join(workspace, file), '');
  console.log(`[editor trial] ${folder}: ${split.train.length} training files in the workspace; typing ${typed.length} held-out files, ${texts.reduce((s, t) => s + t.length, 0)} characters`);

  const vsix = path.join(repoRoot, 'dist', 'sequence-lab.vsix');
  if (!existsSync(vsix)) execSync('npm run package', { cwd: repoRoot, stdio: 'inherit' });
  const install = ensureCodeServer();
  const extensionsDir = path.join(root, 'extensions');
  const userDataDir = path.join(root, 'user-data');
  installVsix(install, vsix, extensionsDir, userDataDir);
  const minutes = parsed.options.number('minutes', NaN);
  const settings = { ...TYPIST_SETTINGS, ...(Number.isFinite(minutes) ? { 'seqlab.training.minutes': minutes } : {}) };
  const server = await startCodeServer(install, { workspace, extensionsDir, userDataDir, settings });
  const browser = await launchBrowser();
  try {
    const page = await openWorkbench(browser, server.url);
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    setE2eContext({ page, workspace, screenshotDir: path.join(repoRoot, 'test-results', 'editor-trial') });
    const known = split.train.flatMap((f) => f.text.split('\n')).find((l) => /^\S.{40,}/.test(l)) ?? 'function ';
    try {
      await warmUp(page, 'typed/warm-up.js', known.slice(0, 30));
    } catch (error) {
      await screenshot('warm-up-failed');
      throw error;
    }
    console.log('[editor trial] before training');
    const before = await typePhase(page, typed);
    console.log(`[editor trial] training with the defaults`);
    const started = Date.now();
    const told = await trainWithDefaults(page, Number.isFinite(minutes) ? minutes : 5);
    console.log(`  ${told} (${((Date.now() - started) / 60_000).toFixed(1)} min)`);
    await screenshot('trained');
    await page.waitForTimeout(5000); // the registry's switch reaches the completion service
    console.log('[editor trial] after training');
    const after = await typePhase(page, typed);
    const result = { folder, characters: before.characters, files: typed.length, before: summary(before), training: told, after: summary(after) };
    for (const [name, p] of [['before training', before], ['after training', after]] as const) {
      console.log(`[editor trial] ${name}: savings ${(100 * savings(p)).toFixed(1)} %, precision ${(100 * precision(p)).toFixed(1)} % (${p.right} of ${p.shown}); ${p.serving}`);
    }
    const out = parsed.options.string('json');
    if (out) writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  } finally {
    await browser.close();
    await server.stop();
  }
}

runScript(SPEC, main);
