// The WebGPU training path works at all, without a hardware GPU: the trainer webview's own bundle
// (on the benchmark's stand-in webview page, bench/webviewTraining.ts: the extension's CSP and a
// recording acquireVsCodeApi) trains a few steps with the backend forced to `webgpu` — headless
// Chromium's software adapter here (--enable-unsafe-webgpu) — and then on wasm (the training
// worker, data parallel) from the same seed: the losses of every step agree. A real GPU is then a
// question of speed only (bench section gpuTraining).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { loadSourceFiles } from '../../bench/corpus';
import { benchPage, describeFiles, prepare, serve, spec, trainInChromium } from '../../bench/webviewTraining';
import { launchBrowser } from '../harness/browser';
import { repoRoot } from '../harness/codeServer';

describe('training on WebGPU (software adapter) in the trainer bundle', function () {
  this.timeout(300_000);
  let browser: Browser;
  let origin: string;
  let close: () => void;

  before(async () => {
    const served = await serve(repoRoot, benchPage(randomBytes(16).toString('base64')));
    origin = served.origin;
    close = () => served.server.close();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    close?.();
  });

  it('gives the per-step losses of wasm from the same seed', async () => {
    const files = loadSourceFiles(path.join(repoRoot, 'sample-workspace')).slice(0, 40);
    const p = await prepare(files);
    const s = { ...spec({ arch: 'lstm', preset: 'nano', batchSize: 4, seqLen: 32 }, 4), progressEvery: 1 };
    const corpus = describeFiles(files);
    const gpu = await trainInChromium(browser, origin, p, s, 'webgpu', corpus);
    assert.equal(gpu.backend, 'webgpu', gpu.reason);
    const cpu = await trainInChromium(browser, origin, p, s, 'wasm', corpus);
    assert.equal(cpu.backend, 'wasm', cpu.reason);
    assert.equal(gpu.losses.length, 4);
    assert.equal(cpu.losses.length, 4);
    assert.ok(gpu.losses[0] > 3, `an untrained model's loss (${gpu.losses[0]}) is near log(vocab)`);
    gpu.losses.forEach((loss, i) => assert.ok(Math.abs(loss - cpu.losses[i]) < 2e-3, `step ${i + 1}: webgpu ${loss}, wasm ${cpu.losses[i]}`));
    // The steps trained: the loss moved (a comparison of two frozen runs would prove nothing).
    assert.notEqual(gpu.losses[3], gpu.losses[0]);
  });
});
