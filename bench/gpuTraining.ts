// Training on a GPU next to wasm, through the trainer webview's own bundle in headless Chromium
// (the page of webviewTraining.ts): the reference configs at preset small and medium, WebGPU
// forced against the automatic CPU path (wasm in the training worker, data parallel). It runs only
// where Chromium gets a hardware WebGPU adapter; elsewhere the section says so and measures
// nothing (a software adapter trains 10-40x slower than wasm and would say nothing about GPUs).
//
//   npm run bench -- --sections gpuTraining
import { randomBytes } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import type { Arch, Preset } from '../src/core/models';
import { chromiumPath } from '../test/harness/browser';
import type { SourceFile } from './corpus';
import { repoRoot } from './paths';
import { fmt, fmtInt, log } from './stats';
import { benchPage, describeFiles, prepare, serve, spec, steady, trainInChromium } from './webviewTraining';

export interface GpuAdapterInfo {
  readonly found: boolean;
  readonly fallback: boolean;
  readonly description: string;
}

export interface GpuTrainingRow {
  readonly arch: Arch;
  readonly preset: Preset;
  readonly webgpuTokensPerSecond: number;
  readonly wasmTokensPerSecond: number;
  /** webgpu / wasm: above 1 the GPU wins. */
  readonly ratio: number;
  readonly wasmBackend: string;
  readonly error?: string;
}

export interface GpuTrainingResult {
  readonly adapter: GpuAdapterInfo;
  /** Why nothing was measured, or null. */
  readonly skipped: string | null;
  readonly rows: GpuTrainingRow[];
}

/** Headless Chromium asking for the machine's GPU (Vulkan under Linux) rather than SwiftShader. */
function launchOnGpu(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=vulkan', '--ignore-gpu-blocklist', '--disable-background-networking', '--no-first-run'],
  });
}

interface GpuGlobals {
  readonly navigator: { gpu?: { requestAdapter(): Promise<{ isFallbackAdapter?: boolean; info?: Record<string, string> } | null> } };
}

export async function runGpuTraining(files: readonly SourceFile[], options: { steps: number; archs: readonly Arch[]; presets: readonly Preset[] }): Promise<GpuTrainingResult> {
  const { server, origin } = await serve(repoRoot(), benchPage(randomBytes(16).toString('base64')));
  let browser: Browser | undefined;
  try {
    browser = await launchOnGpu();
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const adapter = await page.evaluate(async (): Promise<GpuAdapterInfo> => {
      const gpu = (globalThis as unknown as GpuGlobals).navigator.gpu;
      const a = gpu ? await gpu.requestAdapter() : null;
      if (!a) return { found: false, fallback: false, description: gpu ? 'no adapter granted' : 'no navigator.gpu' };
      const info = a.info ?? {};
      return { found: true, fallback: a.isFallbackAdapter === true, description: [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unnamed adapter' };
    });
    await page.close();
    const software = !adapter.found || adapter.fallback || /swiftshader|llvmpipe|software/i.test(adapter.description);
    if (software) {
      const skipped = `skipped: no hardware GPU here (headless Chromium's WebGPU adapter: ${adapter.found ? `${adapter.description}${adapter.fallback ? ', a fallback adapter' : ''}` : adapter.description}); run on a machine with a GPU`;
      log(`gpu training: ${skipped}`);
      return { adapter, skipped, rows: [] };
    }
    const p = await prepare(files);
    const corpus = describeFiles(files);
    const rows: GpuTrainingRow[] = [];
    for (const preset of options.presets) {
      for (const arch of options.archs) {
        const s = spec({ arch, preset }, options.steps + 5);
        log(`gpu training: ${arch} ${preset}, webgpu and wasm, ${s.maxSteps} steps each`);
        try {
          const gpu = await trainInChromium(browser, origin, p, s, 'webgpu', corpus);
          const cpu = await trainInChromium(browser, origin, p, s, 'wasm', corpus);
          const g = steady(gpu.intervals);
          const c = steady(cpu.intervals);
          rows.push({ arch, preset, webgpuTokensPerSecond: g, wasmTokensPerSecond: c, ratio: g / c, wasmBackend: cpu.backend });
        } catch (error) {
          rows.push({ arch, preset, webgpuTokensPerSecond: NaN, wasmTokensPerSecond: NaN, ratio: NaN, wasmBackend: 'wasm', error: String(error) });
        }
      }
    }
    return { adapter, skipped: null, rows };
  } finally {
    await browser?.close();
    server.close();
  }
}

export function renderGpuTraining(r: GpuTrainingResult): string {
  if (r.skipped) return r.skipped;
  return [
    `WebGPU adapter: ${r.adapter.description}. Batch 32 × 64 characters, median tokens/s of 5-step intervals after the first; wasm = the trainer's CPU path (worker, data parallel).`,
    '',
    '| arch | preset | WebGPU tok/s | wasm tok/s | WebGPU / wasm |',
    '|---|---|---:|---:|---:|',
    ...r.rows.map((row) => `| ${row.arch} | ${row.preset} | ${fmtInt(row.webgpuTokensPerSecond)} | ${fmtInt(row.wasmTokensPerSecond)} | ${row.error ? `failed: ${row.error.slice(0, 100)}` : `${fmt(row.ratio)}x${row.ratio > 1 ? ' (GPU wins)' : ''}`} |`),
  ].join('\n');
}
