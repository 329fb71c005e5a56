// Training from the command palette, as a person would: "Train Model on Workspace", "Train with
// defaults" (the workspace's settings make the defaults a nano model and a short budget), read
// the corpus summary and start, watch the loss chart and the numbers move in the trainer
// webview (wasm in headless Chromium) and the progress notification, stop, find the model in
// "Select Active Model", and get ghost text from it in the editor. Screenshots stay in
// test-results/e2e/.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { e2e, inWebview, openFile, runCommand, screenshot, until } from './workbench';

describe('training from the command palette', () => {
  const settingsFile = () => path.join(e2e().workspace, '.vscode', 'settings.json');
  let previous: string | null = null;
  // A file Quick Open has indexed already (a file created during the run may be missing from its cache).
  const FILE = 'underscore/map.js';

  before(async () => {
    previous = existsSync(settingsFile()) ? readFileSync(settingsFile(), 'utf8') : null;
    mkdirSync(path.dirname(settingsFile()), { recursive: true });
    const settings = {
      ...(previous ? (JSON.parse(previous) as Record<string, unknown>) : {}),
      'seqlab.training.preset': 'nano',
      'seqlab.training.minutes': 0.5,
      'seqlab.training.architecture': 'lstm',
      // A model trained for seconds is unsure of everything, and its most likely next character
      // is a space or a line break: sample, and show whatever it offers.
      'seqlab.completions.minConfidence': 0,
      'seqlab.completions.minTokenProbability': 0,
      'seqlab.completions.minSuggestionProbability': 0,
      'seqlab.completions.temperature': 1,
      // The model it trains serves even if it completes validation worse than the n-gram ('auto').
      'seqlab.completions.source': 'activeModel',
    };
    writeFileSync(settingsFile(), JSON.stringify(settings, null, 2));
    await e2e().page.waitForTimeout(1500); // the settings file is picked up by its watcher
  });

  after(() => {
    if (previous === null) rmSync(settingsFile(), { force: true });
    else writeFileSync(settingsFile(), previous);
  });

  it('trains with defaults: summary, live chart, progress notification, stop, model in the registry', async function () {
    // Several waits in a row, each bounded on its own; a busy machine needs more than the default in all.
    this.timeout(240_000);
    const { page } = e2e();
    await runCommand('Sequence Lab: Train Model on Workspace');
    const defaults = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Train with defaults' });
    await defaults.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await defaults.first().innerText(), /LSTM · Characters · Nano · 30 s/);
    await screenshot('train-quick-pick');
    await page.keyboard.press('Enter');

    // The corpus summary: what will be trained on and what was left out.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    const summary = await dialog.innerText();
    await screenshot('train-corpus-summary');
    assert.match(summary, /Train LSTM · Characters · Nano · 30 s\?/);
    assert.match(summary, /Training on [\d,]+ files, [\d,]+ characters: JavaScript \d+%/);
    await dialog.getByRole('button', { name: 'Start Training' }).click();

    const chart = await inWebview('#loss-chart', 60_000);
    const backend = await inWebview('#trainer-backend');
    await until('the backend choice', () => backend.getAttribute('data-backend'), (b) => b === 'wasm');
    // On wasm the run trains in the page's worker, so the page stays free for the chart and buttons.
    await until('the training thread', () => inWebview('#trainer-threads').then((t) => t.getAttribute('data-where')), (w) => w === 'a worker');
    const points = () => chart.getAttribute('data-points').then(Number);
    const first = await until('first chart points', points, (n) => n >= 2);
    const step = await inWebview('#metric-step');
    const firstStep = Number(await step.innerText());
    const pixelsBefore = await chart.evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL());
    const later = await until('more chart points', points, (n) => n >= first + 3);
    assert.ok(later > first);
    assert.ok(Number(await step.innerText()) > firstStep, 'the step readout moves');
    assert.notEqual(await chart.evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL()), pixelsBefore, 'the chart was redrawn');
    assert.match(await (await inWebview('#metric-tps')).innerText(), /^[\d,]+$/);
    assert.match(await (await inWebview('#metric-loss')).innerText(), /^\d+\.\d{3}$/);

    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Sequence Lab: training LSTM nano' });
    await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot('training-live');

    await runCommand('Sequence Lab: Stop Training');
    const done = page.locator('.notifications-toasts .notification-toast', { hasText: /training (stopped at step|finished after) \d+/ });
    await done.first().waitFor({ state: 'visible', timeout: 60_000 });
    const told = await done.first().innerText();
    assert.match(told, /is now the active model/);
    await until('the run state', () => inWebview('#run-state').then((s) => s.getAttribute('data-state')), (s) => s === 'done');
    const memory = await until('memory released', () => inWebview('#memory').then((m) => m.getAttribute('data-tensors')), (t) => t !== null);
    assert.equal(memory, '0', 'no tensor outlives the run');
    await screenshot('training-stopped');

    await runCommand('Sequence Lab: Select Active Model');
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'LSTM nano · char' });
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await row.first().innerText(), /lstm/);
    await screenshot('training-model-in-registry');
    await page.keyboard.press('Escape');
  });

  it('when the GPU backend loses its context mid-run, goes on with wasm and says so', async function () {
    this.timeout(240_000);
    const { page } = e2e();
    // WebGL forced (SwiftShader here); the trainer panel of the last run is still open, so the
    // test can note every WebGL context its page creates before the new run starts one.
    const settings = JSON.parse(readFileSync(settingsFile(), 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsFile(), JSON.stringify({ ...settings, 'seqlab.training.backend': 'webgl' }, null, 2));
    await page.waitForTimeout(1500);
    const trainerPage = await inWebview('#loss-chart');
    await trainerPage.evaluate(() => {
      // Runs in the webview's page (this file has no DOM types, hence the casts).
      type Proto = { getContext: (...args: unknown[]) => unknown };
      const g = globalThis as unknown as {
        seqlabContexts: unknown[];
        HTMLCanvasElement: { prototype: Proto };
        OffscreenCanvas?: { prototype: Proto };
      };
      g.seqlabContexts = [];
      for (const proto of [g.HTMLCanvasElement.prototype, g.OffscreenCanvas?.prototype]) {
        if (!proto) continue;
        const original = proto.getContext;
        proto.getContext = function (this: unknown, ...args: unknown[]) {
          const context = original.apply(this, args);
          if (context && /webgl/.test(String(args[0]))) g.seqlabContexts.push(context);
          return context;
        };
      }
    });

    await runCommand('Sequence Lab: Train Model on Workspace');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Train with defaults' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    await dialog.getByRole('button', { name: 'Start Training' }).click();

    await until('training on webgl', () => inWebview('#trainer-backend').then((b) => b.getAttribute('data-backend')), (b) => b === 'webgl', 120_000);
    await until('a few webgl steps', () => inWebview('#metric-step').then((s) => s.innerText()).then(Number), (n) => n >= 5, 120_000);
    const lost = await (await inWebview('#loss-chart')).evaluate(() => {
      type Gl = { getExtension(name: string): { loseContext(): void } | null };
      const contexts = (globalThis as unknown as { seqlabContexts: Gl[] }).seqlabContexts;
      const gl = contexts[contexts.length - 1];
      const extension = gl?.getExtension('WEBGL_lose_context');
      extension?.loseContext();
      return contexts.length > 0 && extension !== null;
    });
    assert.ok(lost, 'the WebGL context was found and lost');

    await until('the fallback to wasm', () => inWebview('#trainer-backend').then((b) => b.getAttribute('data-backend')), (b) => b === 'wasm', 120_000);
    assert.match(await (await inWebview('#trainer-backend')).innerText(), /Fell back after webgl/);
    const warning = page.locator('.notifications-toasts .notification-toast', { hasText: /the webgl backend failed .* training resumed .* on wasm/ });
    await warning.first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot('training-gpu-lost');
    await until('steps on wasm', () => inWebview('#metric-step').then((s) => s.innerText()).then(Number), (n) => n >= 3, 60_000);

    await runCommand('Sequence Lab: Stop Training');
    const done = page.locator('.notifications-toasts .notification-toast', { hasText: /training (stopped at step|finished after) \d+/ });
    await done.first().waitFor({ state: 'visible', timeout: 60_000 });
    writeFileSync(settingsFile(), JSON.stringify(settings, null, 2));
  });

  it('completes code in the editor with the model it just trained', async function () {
    this.timeout(180_000);
    const { page } = e2e();
    await openFile(FILE);
    const status = page.locator('.statusbar-item', { hasText: 'LSTM nano · char' });
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    const ghostText = async () =>
      (await page.locator('.monaco-editor .view-line span.ghost-text-decoration').allTextContents()).join('').replace(/\u00a0/g, ' ');
    let ghost = '';
    for (const line of ['function (req, res) {', '  var ', '  return ']) {
      await page.keyboard.press('Enter');
      await page.keyboard.type(line, { delay: 40 });
      await page.keyboard.press('Alt+Backslash'); // editor.action.inlineSuggest.trigger
      ghost = await until('ghost text', ghostText, (t) => t.trim().length > 0, 20_000).catch(() => '');
      if (ghost.trim()) break;
    }
    await screenshot('training-model-completes');
    await page.keyboard.press('Escape');
    await runCommand('File: Revert File');
    assert.ok(ghost.trim().length > 0, 'the trained model offered a completion');
    assert.ok(await status.first().isVisible(), 'the completions status names the trained model');
  });
});
