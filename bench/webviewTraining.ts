// Training through the trainer webview against the same training in Node, side by side.
//
// The webview side is the real thing minus VS Code's iframes: headless Chromium loads the built
// trainer bundle (dist/webview/trainer/main.js) from a loopback server, in a page with the
// extension's own CSP (nonce'd script, 'wasm-unsafe-eval') and a stand-in for acquireVsCodeApi
// that records what the webview posts. It gets the same `trainStart` message the extension
// sends (token ids as a typed array) and trains with the core Trainer on the backend it chooses
// — automatically (wasm here), and WebGL forced (SwiftShader here: a software GPU, measured for completeness). The
// Node side runs the core Trainer on tfjs's wasm backend with the same corpus, spec and seed.
// Both report tokens/s per progress interval (every 5 steps); the figure is the median after
// the first interval (kernel warm-up).
//
// Also measured: tokenizing a 20 MB corpus in the extension host's way (tokenizeInChunks.ts),
// the total time and the longest stretch between two yields to the event loop (how long the
// host could not answer anything else).
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../test/harness/browser';
import { useBackend } from '../src/core/backend/backend';
import type { CorpusDescription } from '../src/core/corpus/summary';
import { splitTexts } from '../src/core/corpus/splitTexts';
import { buildTokenizerInChunks, encodeInChunks, splitEncoded } from '../src/core/corpus/tokenizeInChunks';
import { createModel, presetConfig, type Arch, type Preset } from '../src/core/models';
import { buildTokenizer } from '../src/core/tokenizers';
import { charsPerTokenOf } from '../src/core/training/metrics';
import { Trainer } from '../src/core/training/trainer';
import { nodeWasmPaths } from '../src/node/wasmPaths';
import type { TrainingSpec, TrainStartMessage } from '../src/protocol';
import type { TrainingBackend } from '../src/core/backend/choice';
import type { SourceFile } from './corpus';
import { repoRoot } from './paths';
import { fmt, fmtInt, log, median, now } from './stats';

export interface WebviewTrainingOptions {
  readonly arch: Arch;
  readonly preset: Preset;
  /** Measured steps (plus one warm-up interval of 5). */
  readonly steps: number;
  /** Steps on WebGL (SwiftShader is slow). */
  readonly webglSteps: number;
  readonly batchSize?: number;
  readonly seqLen?: number;
  /** Characters of the synthetic corpus for the host tokenization measurement. */
  readonly tokenizeChars: number;
  /** Only the automatically chosen backend (no WebGL run). */
  readonly onlyAuto?: boolean;
}

export interface WebviewTrainingRow {
  /** 'node' or 'chromium webview'. */
  readonly path: string;
  readonly backend: string;
  /** Why the webview chose it (its own words). */
  readonly reason: string;
  readonly tokensPerSecond: number;
  /** tokensPerSecond / Node wasm's. */
  readonly ratioToNode: number;
  readonly steps: number;
  /** Every progress interval's tokens/s, in order (the first is warm-up). */
  readonly intervals: number[];
  /** Page responsiveness while training: the 99th percentile and worst lateness of a 50 ms timer. */
  readonly pageLatenessP99Ms?: number;
  readonly pageLatenessMaxMs?: number;
  readonly error?: string;
}

export interface HostTokenization {
  readonly characters: number;
  readonly files: number;
  readonly tokenizer: 'char' | 'word';
  readonly totalMs: number;
  /** Longest time between two yields to the event loop. */
  readonly longestStallMs: number;
  readonly tokens: number;
}

export interface WebviewTrainingResult {
  readonly config: { arch: Arch; preset: Preset; batchSize: number; seqLen: number; progressEvery: number; trainTokens: number };
  readonly rows: WebviewTrainingRow[];
  readonly hostTokenization: HostTokenization[];
}

const PROGRESS_EVERY = 5;

/** The page's globals, as the functions evaluated in it see them (this config has no DOM types). */
interface PageGlobals {
  readonly __posted: PostedMessage[];
  /** How late each 50 ms timer of the page fired while training (ms): what a click waits for. */
  __lateness: number[];
  postMessage(message: unknown, targetOrigin: string): void;
}
declare const window: PageGlobals;

export function spec(options: Pick<WebviewTrainingOptions, 'arch' | 'preset' | 'batchSize' | 'seqLen'>, steps: number): TrainingSpec {
  return {
    arch: options.arch,
    preset: options.preset,
    tokenizer: 'char',
    seed: 0,
    batchSize: options.batchSize ?? 32,
    seqLen: options.seqLen ?? 64,
    maxTimeMs: null,
    maxSteps: steps,
    evalEvery: 1_000_000,
    progressEvery: PROGRESS_EVERY,
    checkpointSeconds: 1_000_000,
    sampleEvery: 0,
    name: 'benchmark',
  };
}

export async function prepare(files: readonly SourceFile[]) {
  const split = splitTexts(files.map((f) => ({ path: f.name, text: f.text })));
  const tokenizer = buildTokenizer(
    'char',
    split.train.map((f) => f.text),
  );
  const all = [...split.train, ...split.validation];
  const encoded = await encodeInChunks(
    tokenizer,
    all.map((f) => f.text),
    { yieldNow: () => new Promise((r) => setImmediate(r)) },
  );
  return { split, tokenizer, all, encoded };
}

export type Prepared = Awaited<ReturnType<typeof prepare>>;

async function trainInNode(p: Prepared, s: TrainingSpec): Promise<number[]> {
  await useBackend('wasm', { wasmPaths: nodeWasmPaths() });
  const views = splitEncoded(p.encoded);
  const docs = p.all.map((f, i) => ({ name: f.path, tokens: views[i] }));
  const model = createModel(presetConfig(s.arch, s.preset, p.tokenizer.vocabSize, { seed: s.seed }));
  const intervals: number[] = [];
  const trainer = new Trainer(
    model,
    { train: docs.slice(0, p.split.train.length), validation: docs.slice(p.split.train.length), splitBy: p.split.splitBy },
    {
      batchSize: s.batchSize,
      seqLen: s.seqLen,
      seed: s.seed,
      maxSteps: s.maxSteps ?? undefined,
      evalEvery: s.evalEvery,
      progressEvery: s.progressEvery,
      charsPerToken: charsPerTokenOf(p.tokenizer),
      finalEval: false,
      onProgress: (r) => intervals.push(r.tokensPerSecond),
    },
  );
  try {
    await trainer.run();
  } finally {
    trainer.dispose();
    model.dispose();
  }
  return intervals;
}

/**
 * What makes a page cross-origin isolated, which SharedArrayBuffer and so tfjs's threaded wasm
 * build need. A VS Code webview is not; the benchmark serves the page both ways.
 */
const CROSS_ORIGIN_ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Serves the repository read-only on a loopback port, plus the benchmark page; `isolated` adds CROSS_ORIGIN_ISOLATION to every response. */
export function serve(root: string, page: string, isolated = false): Promise<{ server: Server; origin: string }> {
  const types: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.html': 'text/html' };
  const server = createServer((req, res) => {
    if (isolated) for (const [name, value] of Object.entries(CROSS_ORIGIN_ISOLATION)) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page);
      return;
    }
    const file = path.join(root, path.normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, ''));
    if (!file.startsWith(root) || !/^(dist|media)[/\\]/.test(path.relative(root, file))) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
    });
  });
}

/**
 * The webview shell of src/extension/webviewHtml.ts, with acquireVsCodeApi recording posts.
 * `blobScripts`: script-src also allows blob: (the threaded wasm build's pthread workers import
 * their script from one; the extension's CSP does not allow it).
 */
export function benchPage(nonce: string, blobScripts = false): string {
  const csp = [
    "default-src 'none'",
    "img-src 'self' data:",
    "style-src 'self'",
    `script-src 'nonce-${nonce}' 'wasm-unsafe-eval'${blobScripts ? ' blob:' : ''}`,
    "connect-src 'self' blob:",
    'worker-src blob:',
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/media/webview.css"><link rel="stylesheet" href="/media/trainer.css">
<title>Sequence Lab Training (benchmark)</title></head>
<body><main id="app" aria-live="polite"></main>
<script nonce="${nonce}">
  window.__posted = [];
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => { if (m && m.type !== 'trainCheckpoint') window.__posted.push(m); },
    getState: () => undefined,
    setState: () => undefined,
  });
</script>
<script nonce="${nonce}" src="/dist/webview/trainer/main.js"></script>
</body></html>`;
}

interface PostedMessage {
  readonly type: string;
  readonly backend?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly progress?: { tokensPerSecond: number; loss: number; step: number };
}

/** Trains `s` in the trainer bundle on a fresh page; what it posted. */
export async function trainInChromium(
  browser: Browser,
  origin: string,
  p: Prepared,
  s: TrainingSpec,
  preferred: 'auto' | TrainingBackend,
  corpus: CorpusDescription,
): Promise<{ backend: string; reason: string; intervals: number[]; lateness: number[]; losses: number[]; crossOriginIsolated: boolean }> {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    const crossOriginIsolated = await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated === true);
    const start: Omit<TrainStartMessage, 'data'> & { data: Omit<TrainStartMessage['data'], 'tokens' | 'lengths'> } = {
      type: 'trainStart',
      runId: `bench-${preferred}`,
      spec: s,
      tokenizer: p.tokenizer.toJSON(),
      data: { names: p.all.map((f) => f.path), trainDocuments: p.split.train.length, splitBy: p.split.splitBy },
      corpus,
      resumeFrom: null,
      startFrom: null,
      base: null,
      wasmPaths: `${origin}/dist/wasm/`,
      preferredBackend: preferred,
      extensionVersion: 'bench',
    };
    await page.evaluate(
      ({ start, tokens, lengths }) => {
        const message = { ...start, data: { ...start.data, tokens: new Uint16Array(tokens), lengths: new Uint32Array(lengths) } };
        window.__lateness = [];
        const tick = () => {
          const due = performance.now() + 50;
          setTimeout(() => {
            window.__lateness.push(performance.now() - due);
            if (!window.__posted.some((m) => m.type === 'trainDone' || m.type === 'trainError')) tick();
          }, 50);
        };
        tick();
        window.postMessage(message, '*');
      },
      { start, tokens: Array.from(p.encoded.tokens), lengths: Array.from(p.encoded.lengths) },
    );
    const handle = await page.waitForFunction(
      () => {
        const posted = window.__posted;
        return posted.some((m) => m.type === 'trainDone' || m.type === 'trainError') ? posted : null;
      },
      undefined,
      { timeout: 20 * 60_000, polling: 500 },
    );
    const posted = (await handle.jsonValue()) as PostedMessage[];
    const lateness = (await page.evaluate(() => window.__lateness)) as number[];
    const error = posted.find((m) => m.type === 'trainError');
    if (error) throw new Error(error.message);
    const backend = [...posted].reverse().find((m) => m.type === 'trainBackend');
    return {
      backend: backend?.backend ?? '?',
      reason: backend?.reason ?? '',
      intervals: posted.filter((m) => m.type === 'trainProgress').map((m) => m.progress!.tokensPerSecond),
      losses: posted.filter((m) => m.type === 'trainProgress').map((m) => m.progress!.loss),
      lateness,
      crossOriginIsolated,
    };
  } finally {
    await page.close();
  }
}

export function describeFiles(files: readonly SourceFile[]): CorpusDescription {
  return {
    folders: ['sample-workspace'],
    files: files.length,
    characters: files.reduce((n, f) => n + f.text.length, 0),
    languages: [],
    excluded: {},
    excludedExamples: {},
    include: [],
    exclude: [],
  };
}

export function steady(intervals: readonly number[]): number {
  return median(intervals.slice(1));
}

/** Tokenizing `chars` characters of repeated source the way the host does; the longest stall between yields. */
async function hostTokenization(files: readonly SourceFile[], chars: number, kind: 'char' | 'word'): Promise<HostTokenization> {
  const texts: string[] = [];
  let total = 0;
  for (let copy = 0; total < chars; copy++) {
    for (const f of files) {
      if (total >= chars) break;
      texts.push(copy === 0 ? f.text : `// copy ${copy}\n${f.text}`);
      total += texts[texts.length - 1].length;
    }
  }
  let last = now();
  let longest = 0;
  const chunks = {
    yieldNow: () =>
      new Promise<void>((resolve) => {
        const t = now();
        longest = Math.max(longest, t - last);
        setImmediate(() => {
          last = now();
          resolve();
        });
      }),
  };
  const started = now();
  last = started;
  const tokenizer = await buildTokenizerInChunks(kind, texts, chunks);
  const encoded = await encodeInChunks(tokenizer, texts, chunks);
  longest = Math.max(longest, now() - last);
  return { characters: total, files: texts.length, tokenizer: kind, totalMs: now() - started, longestStallMs: longest, tokens: encoded.tokens.length };
}

export async function runWebviewTraining(files: readonly SourceFile[], options: WebviewTrainingOptions): Promise<WebviewTrainingResult> {
  const p = await prepare(files);
  const s = spec(options, options.steps + PROGRESS_EVERY);
  const rows: WebviewTrainingRow[] = [];
  const trainTokens = p.split.train.reduce((n, f) => n + f.text.length, 0);
  const config = { arch: options.arch, preset: options.preset, batchSize: s.batchSize, seqLen: s.seqLen, progressEvery: PROGRESS_EVERY, trainTokens };

  log(`webview training: Node wasm, ${s.maxSteps} steps of ${options.arch} ${options.preset}`);
  const nodeIntervals = await trainInNode(p, s);
  const nodeTps = steady(nodeIntervals);
  rows.push({ path: 'node', backend: 'wasm', reason: 'tfjs wasm in Node (the CLI and tests)', tokensPerSecond: nodeTps, ratioToNode: 1, steps: s.maxSteps!, intervals: nodeIntervals });

  const corpus = describeFiles(files);
  const root = repoRoot();
  const nonce = randomBytes(16).toString('base64');
  const [plain, isolated] = await Promise.all([serve(root, benchPage(nonce)), serve(root, benchPage(nonce, true), true)]);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    // Automatic choice (wasm here) in the training worker on one thread, then data parallel
    // (hardwareConcurrency − 1 gradient workers), then on a cross-origin isolated page, where
    // tfjs loads its threaded wasm build and XNNPACK splits each kernel over the cores (a VS Code
    // webview is not isolated: measured to say what isolation would buy), then WebGL forced (on the page).
    for (const [label, preferred, steps, workers, served] of [
      ['chromium webview, worker, 1 thread', 'auto', options.steps, 0, plain],
      ['chromium webview, worker, data parallel', 'auto', options.steps, undefined, plain],
      ['cross-origin isolated page, worker, wasm threads', 'auto', options.steps, 0, isolated],
      ['chromium webview, page', 'webgl', options.webglSteps, undefined, plain],
    ] as const) {
      if (options.onlyAuto && preferred !== 'auto') continue;
      const runSpec = { ...spec(options, steps + PROGRESS_EVERY), ...(workers === undefined ? {} : { gradientWorkers: workers }) };
      log(`webview training: ${label}, backend ${preferred === 'auto' ? 'chosen automatically' : `${preferred} forced`}, ${runSpec.maxSteps} steps`);
      try {
        const r = await trainInChromium(browser, served.origin, p, runSpec, preferred, corpus);
        if (served === isolated && !r.crossOriginIsolated) throw new Error('the page was not cross-origin isolated');
        const tps = steady(r.intervals);
        const late = [...r.lateness].sort((a, b) => a - b);
        rows.push({
          path: label,
          backend: r.backend,
          reason: r.reason,
          tokensPerSecond: tps,
          ratioToNode: tps / nodeTps,
          steps: runSpec.maxSteps!,
          intervals: r.intervals,
          pageLatenessP99Ms: late[Math.min(late.length - 1, Math.floor(late.length * 0.99))],
          pageLatenessMaxMs: late[late.length - 1],
        });
      } catch (error) {
        rows.push({ path: label, backend: preferred, reason: '', tokensPerSecond: NaN, ratioToNode: NaN, steps: runSpec.maxSteps!, intervals: [], error: String(error) });
      }
    }
  } finally {
    await browser?.close();
    plain.server.close();
    isolated.server.close();
  }

  log(`webview training: host tokenization of ${options.tokenizeChars} characters`);
  const hostTokenizationRows = [await hostTokenization(files, options.tokenizeChars, 'char'), await hostTokenization(files, options.tokenizeChars, 'word')];
  return { config, rows, hostTokenization: hostTokenizationRows };
}

export function renderWebviewTraining(r: WebviewTrainingResult): string {
  const c = r.config;
  const lines = [
    `${c.arch} ${c.preset}, char tokens, batch ${c.batchSize} × ${c.seqLen}, sample-workspace (${fmtInt(c.trainTokens)} training characters); median tokens/s of ${c.progressEvery}-step intervals after the first.`,
    '',
    '| path | backend | tokens/s | vs Node wasm | page timer late p99 / max | steps | chosen because |',
    '|---|---|---:|---:|---:|---:|---|',
    ...r.rows.map(
      (row) =>
        `| ${row.path} | ${row.backend} | ${fmtInt(row.tokensPerSecond)} | ${Number.isFinite(row.ratioToNode) ? `${fmt(row.ratioToNode * 100, 0)}%` : '-'} | ${row.pageLatenessMaxMs === undefined ? '-' : `${fmt(row.pageLatenessP99Ms!, 0)} / ${fmt(row.pageLatenessMaxMs, 0)} ms`} | ${row.steps} | ${row.error ? `failed: ${row.error.slice(0, 120)}` : row.reason.slice(0, 140)} |`,
    ),
    '',
    'Page timer lateness: how late a 50 ms timer on the trainer page fired while training — what a click on Pause or Stop waits for before its handler runs.',
    '',
    'Host tokenization in chunks (the extension host yields to its event loop between chunks):',
    '',
    '| tokenizer | characters | files | total | longest stall | tokens |',
    '|---|---:|---:|---:|---:|---:|',
    ...r.hostTokenization.map(
      (h) => `| ${h.tokenizer} | ${fmtInt(h.characters)} | ${fmtInt(h.files)} | ${fmt(h.totalMs / 1000, 1)} s | ${fmt(h.longestStallMs, 0)} ms | ${fmtInt(h.tokens)} |`,
    ),
  ];
  return lines.join('\n');
}
