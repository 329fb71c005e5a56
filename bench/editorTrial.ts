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
// It then replays the same texts with the model file that served through `seqlab eval` (over
// the same counts when the hybrid served): what the editor should have given. `--model FILE`
// imports a model file instead of training, `--pause MS` changes the typist's pause.
//
// About 2 × (typing: 2 to 3 minutes per 1,000 characters) + the training budget + its replay:
// 20-25 minutes for the defaults. Not part of `npm run bench` (one codebase per run).
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { parseOrShowHelp, runScript, type CommandSpec } from '../src/cli/args';
import { splitTexts } from '../src/core/corpus/splitTexts';
import { describeModelFile } from '../src/core/modelFile/container';
import { limitCharacters, percentile } from '../src/core/evaluation';
import { readCorpus } from '../src/node/corpus';
import { launchBrowser, openWorkbench } from '../test/harness/browser';
import { ensureCodeServer, installVsix, repoRoot, scratchDir, startCodeServer } from '../test/harness/codeServer';
import { ghostText, parseCompletionTrace, precision, savings, typeAsUser, TYPED_AS_TYPED, type TypingResult } from '../test/e2e/typist';
import { importModel, openFile, runCommand, screenshot, setE2eContext, until } from '../test/e2e/workbench';
import type { EvalJson } from '../src/cli/commands/eval';

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
    { name: 'model', kind: 'string', valueName: 'FILE', description: 'Import this model file from the palette instead of training.' },
    { name: 'pause', kind: 'integer', valueName: 'MS', min: 0, defaultText: '150', description: "The typist's pause before each key." },
    { name: 'after-only', kind: 'flag', description: 'Skip the phase before training (or the import).' },
    { name: 'json', kind: 'string', valueName: 'FILE', description: 'Also write the results here.' },
  ],
  examples: ['node out/bench/editorTrial.js node_modules/mocha/lib --chars 2000'],
};

/** The editor leaves typed text as typed, and no suggest widget sits beside the ghost text. */
const TYPIST_SETTINGS = {
  ...TYPED_AS_TYPED,
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
};

interface Phase extends TypingResult {
  readonly serving: string;
  /** The provider's requests while typing (SEQLAB_TRACE_COMPLETIONS lines). */
  readonly requests: RequestTally;
}

interface RequestTally {
  count: number;
  /** Requests per outcome: "model" (a new suggestion), "memory" (the one on screen continued), "none: <reason>". */
  readonly outcomes: Record<string, number>;
  readonly hostMs: number[];
}

/** Tallies the trace lines the page's console shows from now until the returned function is called. */
function tallyRequests(page: Page): () => RequestTally {
  const tally: RequestTally = { count: 0, outcomes: {}, hostMs: [] };
  const onConsole = (m: { text(): string }) => {
    const trace = parseCompletionTrace(m.text());
    if (!trace) return;
    const [source, detail] = trace.outcome.split(' ');
    const outcome = source === 'none' ? `none: ${detail}` : source;
    tally.count++;
    tally.outcomes[outcome] = (tally.outcomes[outcome] ?? 0) + 1;
    tally.hostMs.push(trace.hostMs);
  };
  page.on('console', onConsole);
  return () => {
    page.off('console', onConsole);
    return tally;
  };
}

/** What the completions status item says serves (its accessible label). */
async function servingLabel(page: Page): Promise<string> {
  const item = page.locator('[aria-label*="Sequence Lab completions"]').first();
  return (await item.getAttribute('aria-label').catch(() => null)) ?? '(no status item)';
}

/** Types each held-out text into its own empty workspace file, then reverts it (nothing is saved, so no count sees it). */
async function typePhase(page: Page, typed: ReadonlyArray<{ file: string; text: string }>, pauseMs: number): Promise<Phase> {
  const total = { characters: 0, keystrokes: 0, shown: 0, right: 0 };
  const stopTally = tallyRequests(page);
  for (const { file, text } of typed) {
    await openFile(file);
    await page.locator('.monaco-editor .view-lines').first().click();
    const r = await typeAsUser(page, text, pauseMs);
    console.log(`  ${file}: ${r.characters} characters, savings ${(100 * savings(r)).toFixed(1)} %, ${r.shown} shown, ${r.right} right`);
    for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += r[k];
    await page.keyboard.press('Escape');
    await runCommand('File: Revert File');
  }
  const requests = stopTally();
  console.log(`  ${requests.count} requests, host ms p50 ${percentile(requests.hostMs, 50).toFixed(1)} p99 ${percentile(requests.hostMs, 99).toFixed(1)}; ${JSON.stringify(requests.outcomes)}`);
  return { ...total, serving: await servingLabel(page), requests };
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

/** The newest model file under `dir` (where the registry wrote the one training made). */
function newestModelFile(dir: string): string | undefined {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.seqlab')) found.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** `seqlab eval` of `model` on the typed texts, over the workspace's counts when the hybrid served. */
function evaluateServed(model: string, textsDir: string, workspace: string, hybrid: boolean): EvalJson {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  const args = [cli, 'eval', model, textsDir, ...(hybrid ? ['--counts', workspace] : []), '--json'];
  const out = execFileSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as EvalJson;
}

/** How the served model was trained: steps, tokens, time, batch (the trainer's record in its metadata). */
function trainingRecord(file: string) {
  const t = (describeModelFile(readFileSync(file)).metadata.training ?? {}) as { steps?: number; tokensSeen?: number; elapsedMs?: number; batchSize?: number; seqLen?: number };
  const tokensPerSecond = t.tokensSeen && t.elapsedMs ? Math.round(t.tokensSeen / (t.elapsedMs / 1000)) : undefined;
  return { steps: t.steps, tokensSeen: t.tokensSeen, elapsedMs: t.elapsedMs, batchSize: t.batchSize, seqLen: t.seqLen, tokensPerSecond };
}

function summary(p: Phase) {
  const r = p.requests;
  return {
    savings: +savings(p).toFixed(4),
    precision: +precision(p).toFixed(4),
    shown: p.shown,
    right: p.right,
    keystrokes: p.keystrokes,
    characters: p.characters,
    serving: p.serving,
    requests: { count: r.count, outcomes: r.outcomes, hostMsP50: percentile(r.hostMs, 50), hostMsP99: percentile(r.hostMs, 99) },
  };
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
  // SEQLAB_TRACE_COMPLETIONS: the host logs each request, which the page's console shows.
  const server = await startCodeServer(install, { workspace, extensionsDir, userDataDir, settings, env: { SEQLAB_TRACE_COMPLETIONS: '1' } });
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
    const pauseMs = parsed.options.number('pause', 150);
    const before = parsed.options.flag('after-only') ? undefined : (console.log('[editor trial] before training'), await typePhase(page, typed, pauseMs));
    const modelFile = parsed.options.string('model');
    let told: string;
    if (modelFile) {
      await importModel(path.resolve(modelFile), (line) => console.log(`  ${line}`));
      told = `imported ${modelFile}`;
    } else {
      console.log(`[editor trial] training with the defaults`);
      const started = Date.now();
      told = await trainWithDefaults(page, Number.isFinite(minutes) ? minutes : 5);
      told += ` (${((Date.now() - started) / 60_000).toFixed(1)} min)`;
    }
    console.log(`  ${told}`);
    await screenshot('trained');
    await page.waitForTimeout(5000); // the registry's switch reaches the completion service
    console.log('[editor trial] after training');
    const after = await typePhase(page, typed, pauseMs);
    // The same texts replayed with the model file that served, as `seqlab eval` measures it.
    const served = modelFile ? path.resolve(modelFile) : newestModelFile(userDataDir);
    const record = served ? trainingRecord(served) : undefined;
    if (record) console.log(`[editor trial] the served model's training: ${JSON.stringify(record)}`);
    let evaluated: EvalJson | undefined;
    // The status item says "from workspace n-gram" when no model serves (nothing to replay then).
    if (served && !/from workspace n-gram/.test(after.serving)) {
      const textsDir = path.join(root, 'held-out');
      mkdirSync(textsDir, { recursive: true });
      typed.forEach(({ file, text }) => writeFileSync(path.join(textsDir, path.basename(file)), text));
      evaluated = evaluateServed(served, textsDir, workspace, /\+ workspace n-gram/.test(after.serving));
    }
    const result = {
      folder,
      characters: after.characters,
      files: typed.length,
      pauseMs,
      before: before && summary(before),
      training: told,
      servedModelTraining: record,
      after: summary(after),
      evalOfServedModel: evaluated && { savings: evaluated.keystrokeSavings, precision: evaluated.precision, shown: evaluated.shownSuggestions, engine: evaluated.engine, file: served },
    };
    for (const [name, p] of [['before training', before], ['after training', after]] as const) {
      if (p) console.log(`[editor trial] ${name}: savings ${(100 * savings(p)).toFixed(1)} %, precision ${(100 * precision(p)).toFixed(1)} % (${p.right} of ${p.shown}); ${p.serving}`);
    }
    if (evaluated) {
      console.log(`[editor trial] seqlab eval of the served model (${evaluated.engine}) on the same texts: savings ${(100 * evaluated.keystrokeSavings).toFixed(1)} %, precision ${(100 * evaluated.precision).toFixed(1)} % (${evaluated.shownSuggestions} shown)`);
    }
    const out = parsed.options.string('json');
    if (out) writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  } finally {
    await browser.close();
    await server.stop();
  }
}

runScript(SPEC, main);
