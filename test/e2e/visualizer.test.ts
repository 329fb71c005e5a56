// Inside the Model, driven as a person would: import a Transformer and then an LSTM through the
// command palette, place the cursor in a file, open the view. The canvases are read back pixel
// by pixel: the attention heatmap has colour below the diagonal and none above it (the causal
// mask), the LSTM gate heatmaps are full of distinct colours. Screenshots stay in test-results/.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Locator } from 'playwright-core';
import { saveModelFile } from '../../src/core/modelFile';
import { createModel, presetConfig, type Arch } from '../../src/core/models';
import { buildTokenizer } from '../../src/core/tokenizers';
import { e2e, importModel, inWebview, openFile, runCommand, screenshot } from './workbench';

const FILE = 'underscore/map.js';
const started = Date.now();
/** Progress lines in the tier's log: where a slow or stuck step is. */
function step(text: string): void {
  console.log(`      [${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);
}

/** A nano model of `arch` with random weights, its char vocabulary from the file it will look at. */
async function writeModel(arch: Arch): Promise<string> {
  await tf.setBackend('cpu');
  const text = readFileSync(path.join(e2e().workspace, FILE), 'utf8');
  const tokenizer = buildTokenizer('char', [text]);
  const model = createModel(presetConfig(arch, 'nano', tokenizer.vocabSize, { seed: 11 }));
  const dir = path.join(e2e().workspace, '.e2e-models');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${arch}-nano.seqlab`);
  writeFileSync(file, saveModelFile({ model, tokenizer, metadata: { preset: 'nano' } }));
  model.dispose();
  return file;
}

/** Puts the cursor at line:column of the active editor through Go to Line. */
async function placeCursor(line: number, column: number): Promise<void> {
  const { page } = e2e();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
}

/**
 * Waits until the view's model line names `arch` and its tab `viewId` exists. (Selectors are the
 * view's own ids: the workbench around it has tablists of its own.)
 */
async function waitForModel(arch: string, viewId: string): Promise<void> {
  const { page } = e2e();
  const deadline = Date.now() + 120_000;
  let line = '';
  for (;;) {
    line = await (await inWebview('#model')).innerText().catch(() => '');
    // An imported model is named "<arch> <date>" (a shipped one has a name of its own).
    const tab = line.startsWith(`${arch} `) && line.includes(`${arch},`) ? await inWebview(`#tab-${viewId}`, 2000).catch(() => null) : null;
    if (tab) return;
    if (Date.now() > deadline) throw new Error(`the view did not show the ${arch} model's ${viewId} tab: "${line}"`);
    await page.waitForTimeout(500);
  }
}

interface CanvasStats {
  /** Opaque pixels inside the cell area, and distinct colours among them (6 bits per channel). */
  readonly painted: number;
  readonly colours: number;
  readonly cellArea: number;
  /** Opaque pixels inside the cells strictly above the diagonal. */
  readonly aboveDiagonal: number;
  readonly belowDiagonal: number;
}

/** Reads the base canvas of a heatmap back, in the webview's own frame. */
async function canvasStats(heatmap: Locator): Promise<CanvasStats> {
  // Runs in the webview; typed structurally (the test's own config has no DOM library).
  interface Canvas2d {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  }
  interface CanvasElement {
    width: number;
    style: { width: string };
    getContext(kind: '2d'): Canvas2d | null;
  }
  return heatmap.evaluate((node) => {
    const element = node as unknown as { dataset: Record<string, string>; querySelector(selector: string): CanvasElement };
    const canvas = element.querySelector('canvas');
    const d = element.dataset;
    const dpr = canvas.width / parseFloat(canvas.style.width || String(canvas.width));
    const left = Number(d.left) * dpr;
    const top = Number(d.top) * dpr;
    const cw = Number(d.cellWidth) * dpr;
    const ch = Number(d.cellHeight) * dpr;
    const rows = Number(d.rows);
    const cols = Number(d.cols);
    const ctx = canvas.getContext('2d')!;
    const w = Math.floor(cols * cw);
    const h = Math.floor(rows * ch);
    // Not laid out and painted yet (the view draws on its next animation frame).
    if (!(w > 0 && h > 0 && left >= 0 && top >= 0)) return { painted: 0, colours: 0, cellArea: 0, aboveDiagonal: 0, belowDiagonal: 0 };
    const pixels = ctx.getImageData(left, top, w, h).data;
    const colours = new Set<number>();
    let painted = 0;
    let above = 0;
    let below = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 4;
        if (pixels[o + 3] < 200) continue;
        painted++;
        colours.add(((pixels[o] >> 2) << 12) | ((pixels[o + 1] >> 2) << 6) | (pixels[o + 2] >> 2));
        const row = Math.floor(y / ch);
        const col = Math.floor(x / cw);
        if (col > row) above++;
        else if (col < row) below++;
      }
    }
    return { painted, colours: colours.size, cellArea: w * h, aboveDiagonal: above, belowDiagonal: below };
  });
}

/** Polls until the heatmap has been painted (the view draws on the next animation frame). */
async function paintedStats(selector: string): Promise<CanvasStats> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const stats = await canvasStats(await inWebview(selector));
    if (stats.painted > 0 || Date.now() > deadline) return stats;
    await e2e().page.waitForTimeout(300);
  }
}

/** A screenshot with the panel maximised and `selector` scrolled into view, so the picture is in it. */
async function screenshotOf(selector: string, name: string): Promise<void> {
  await runCommand('View: Toggle Maximized Panel');
  await e2e().page.waitForTimeout(500);
  await (await inWebview(selector)).scrollIntoViewIfNeeded();
  await e2e().page.waitForTimeout(300);
  await screenshot(name);
  await runCommand('View: Toggle Maximized Panel');
}

describe('Inside the Model shows the active model’s internals at the cursor', () => {
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(`inside-the-model-failed-${this.currentTest.title.split(':')[0].replace(/\W+/g, '-')}`);
  });

  before(async function () {
    this.timeout(180_000);
    await openFile(FILE);
    await placeCursor(12, 20);
    await runCommand('Sequence Lab: Show Inside the Model');
    step('view shown');
  });

  it('a Transformer: a non-empty attention heatmap with its upper triangle masked', async function () {
    this.timeout(240_000);
    const file = await writeModel('transformer');
    step(`wrote ${file}`);
    await importModel(file, step);
    step('imported');
    await waitForModel('transformer', 'attention');
    step('the view shows the Transformer');
    await (await inWebview('#tab-attention')).click();
    const stats = await paintedStats('#attention-map');
    step(`attention map pixels: ${JSON.stringify(stats)}`);
    await screenshotOf('#attention-map', 'inside-the-model-transformer');
    assert.ok(stats.painted > stats.cellArea * 0.4, `attention cells painted: ${JSON.stringify(stats)}`);
    assert.ok(stats.colours >= 8, `the attention map has ${stats.colours} distinct colours`);
    assert.equal(stats.aboveDiagonal, 0, 'nothing drawn above the diagonal (the causal mask)');
    assert.ok(stats.belowDiagonal > 0);
  });

  it('an LSTM: forget, input and output gate heatmaps full of colour', async function () {
    this.timeout(240_000);
    await importModel(await writeModel('lstm'), step);
    step('imported the LSTM');
    await waitForModel('lstm', 'gates');
    step('the view shows the LSTM');
    for (const gate of ['forget', 'input', 'output', 'cell']) {
      const stats = await paintedStats(`#map-${gate}`);
      step(`${gate} map pixels: ${JSON.stringify(stats)}`);
      assert.ok(stats.painted > stats.cellArea * 0.9, `${gate}: ${JSON.stringify(stats)}`);
      assert.ok(stats.colours >= 16, `${gate} gate map has ${stats.colours} distinct colours`);
    }
    await screenshotOf('#map-forget', 'inside-the-model-lstm');
  });
});
