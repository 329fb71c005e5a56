// Training from the command palette, as a person would: "Train Model on Workspace", "Train with
// defaults" (the workspace's settings make the defaults a nano model and a short budget), read
// the corpus summary and start, watch the loss chart and the numbers move in the trainer
// webview (wasm in headless Chromium) and the progress notification, stop, and find the model
// in "Select Active Model". Screenshots stay in test-results/e2e/.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { e2e, inWebview, runCommand, screenshot } from './workbench';

/** Polls `read` until `done` holds for its value. */
async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await e2e().page.waitForTimeout(250);
  }
}

describe('training from the command palette', () => {
  const settingsDir = () => path.join(e2e().workspace, '.vscode');

  before(async () => {
    mkdirSync(settingsDir(), { recursive: true });
    writeFileSync(
      path.join(settingsDir(), 'settings.json'),
      JSON.stringify({ 'seqlab.training.preset': 'nano', 'seqlab.training.minutes': 0.5, 'seqlab.training.architecture': 'lstm' }, null, 2),
    );
    await e2e().page.waitForTimeout(1500); // the settings file is picked up by its watcher
  });

  after(() => {
    rmSync(settingsDir(), { recursive: true, force: true });
  });

  it('trains with defaults: summary, live chart, progress notification, stop, model in the registry', async () => {
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
    await screenshot('training-stopped');

    await runCommand('Sequence Lab: Select Active Model');
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'LSTM nano · char' });
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await row.first().innerText(), /lstm/);
    await screenshot('training-model-in-registry');
    await page.keyboard.press('Escape');
  });
});
