// The Playground's arena as a person uses it: start a two-contender run from the form, watch
// both curves being drawn (read back from the canvas), get the table, and make a row the active
// model, which the completions status-bar item then names.
import * as assert from 'node:assert/strict';
import { e2e, inWebview, runCommand, screenshot } from './workbench';

/** Pixels of `canvas` within 40 per channel of each of the first `n` series colours, in the order of the webviews' palette (webview/shared/theme.ts). */
async function seriesPixels(selector: string, n: number): Promise<number[]> {
  const canvas = await inWebview(selector);
  return canvas.evaluate((node, count) => {
    // Runs in the webview's page (this file has no DOM types, hence the casts).
    type Context2d = {
      fillStyle: string;
      fillRect(x: number, y: number, w: number, h: number): void;
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    };
    type Canvas = { width: number; height: number; getContext(kind: '2d'): Context2d };
    const g = globalThis as unknown as {
      document: { body: unknown; createElement(tag: 'canvas'): Canvas };
      getComputedStyle(el: unknown): { getPropertyValue(name: string): string };
    };
    const names = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
    const fallbacks = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];
    const probe = g.document.createElement('canvas').getContext('2d');
    const rgb = (css: string) => {
      probe.fillStyle = '#000';
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      return Array.from(probe.getImageData(0, 0, 1, 1).data.slice(0, 3));
    };
    const colours = names.slice(0, count).map((name, i) => rgb(g.getComputedStyle(g.document.body).getPropertyValue(name).trim() || fallbacks[i]));
    const c = node as unknown as Canvas;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const counts = colours.map(() => 0);
    for (let p = 0; p < data.length; p += 4) {
      if (data[p + 3] < 200) continue;
      colours.forEach((col, i) => {
        if (Math.abs(data[p] - col[0]) < 40 && Math.abs(data[p + 1] - col[1]) < 40 && Math.abs(data[p + 2] - col[2]) < 40) counts[i]++;
      });
    }
    return counts;
  }, n);
}

describe('the Playground arena', () => {
  it('runs two contenders from the form, draws both curves, fills the table, and a row becomes the active model', async function () {
    this.timeout(300_000);
    const { page } = e2e();
    await runCommand('Sequence Lab: Open Playground');
    await inWebview('#backend-choice');
    const budget = await inWebview('#arena-budget');
    await budget.fill('2500');
    const size = await inWebview('#arena-task-size');
    await size.fill('6');
    await (await inWebview('#arena-start')).click();
    const table = await inWebview('#arena-table', 240_000);
    const deadline = Date.now() + 240_000;
    while ((await table.locator('tr[data-index]').count()) < 2) {
      if (Date.now() > deadline) throw new Error(`the table did not get two rows: ${await (await inWebview('#arena-status')).innerText()}`);
      await page.waitForTimeout(500);
    }
    await page.waitForTimeout(500); // the last frame of the charts
    await screenshot('playground-arena');
    const rows = await table.locator('tr[data-index] th').allInnerTexts();
    assert.deepEqual(rows.map((r) => r.trim()), ['LSTM nano', 'n-gram (Kneser-Ney), order 6']);
    for (const id of ['#arena-chart-tokens', '#arena-chart-seconds']) {
      const [lstm, ngram] = await seriesPixels(id, 2);
      assert.ok(lstm > 30 && ngram > 30, `${id}: both curves drawn (pixels of each colour: ${lstm}, ${ngram})`);
    }
    // The LSTM's gradient flow through time, drawn in its colour (the n-gram has none).
    const flow = await inWebview('#arena-gradient-flow');
    assert.equal(await flow.isVisible(), true, 'the gradient-flow chart is shown');
    const [flowPixels] = await seriesPixels('#arena-gradient-flow canvas', 1);
    assert.ok(flowPixels > 30, `the LSTM's ‖∂L/∂h_t‖ curve drawn (pixels: ${flowPixels})`);
    await table.locator('button.use-model[data-index="0"]').click();
    const status = page.locator('.statusbar-item', { hasText: 'LSTM nano (arena)' });
    await status.first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await (await inWebview('#arena-status')).innerText(), /is now the active model/);
    // The step-through view under the arena steps the model it just trained.
    await (await inWebview('#step-kind')).selectOption('lstm');
    await (await inWebview('#step-next')).click();
    assert.match(await (await inWebview('#step-where')).innerText(), /Step t = 1 .*the model from the last arena run/);
    assert.ok((await (await inWebview('#step-vectors')).locator('.strip').count()) >= 10, 'x_t, W x_t, U h, h_{t-1}, five gate vectors, h_t');
    await screenshot('playground-step-through');
    // Leave the editor area as the other tests expect it.
    await runCommand('View: Close Editor');
  });
});
