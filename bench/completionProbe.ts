// Child process of the completion benchmark (bench/completion.ts starts it, so that activation
// and memory are measured in a fresh Node process): loads the built extension (dist/extension.js)
// against a stand-in `vscode` module, activates it, and drives its real inline completion
// provider — model loading through dist/modelRuntime.js included — on held-out files of the
// sample workspace. Prints one JSON line (ProbeResult).
//
//   node --expose-gc out/bench/completionProbe.js --files a.js,b.js [--typed-chars N] [--cold N]
//        [--source auto|activeModel|workspaceNgram] [--workspace c.js,d.js] [--model m.seqlab]
//        [--adaptation-rate R]
// --source activeModel serves the shipped model (models/*.seqlab), or the --model file, added to the
// registry and made active; --workspace lists the files workspace.findFiles returns (what the
// workspace n-gram counts). SEQLAB_PROBE_TRACE=1 prints each typed position's outcome on stderr.
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SequenceLabApi } from '../src/extension/extension';
import { installVscodeStub, StubDocument, stubContext, stubFiles, stubSettings, Uri, vscodeStub } from './vscodeStub';

export interface ProbeResult {
  /** require(dist/extension.js) + activate(). */
  readonly activationMs: number;
  readonly requireMs: number;
  /** The model that served, and how. */
  readonly model: string | undefined;
  /** The serving engine's label ("… + workspace n-gram" for the hybrid). */
  readonly engineLabel: string | undefined;
  readonly runtime: string | undefined;
  /** The first request: loading the model (ONNX Runtime, export, session) and the first suggestion. */
  readonly firstRequestMs: number;
  /** Latencies of provideInlineCompletionItems after each typed character. */
  readonly typedCharMs: number[];
  /** The same, only for the requests that asked the model (not answered from the ghost text shown). */
  readonly typedCharComputedMs: number[];
  /** Of those, how many were answered from the ghost text already shown. */
  readonly typedCharMemoryHits: number;
  readonly typedCharSuggestions: number;
  /** Outcomes of the typed-character requests: "model", "memory", or why there was none. */
  readonly typedCharOutcomes: Record<string, number>;
  /** A new document, 2,000 characters before the cursor. */
  readonly coldMs: number[];
  /** Resident set size and JS heap + external, MB: after activation, after the model served. */
  readonly rssBaselineMB: number;
  readonly rssLoadedMB: number;
  readonly heapBaselineMB: number;
  readonly heapLoadedMB: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function memory(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / 1048576, heap: (m.heapUsed + m.external + m.arrayBuffers) / 1048576 };
}

async function main(): Promise<void> {
  const root = path.join(__dirname, '..', '..');
  const files = (arg('files') ?? '').split(',').filter(Boolean);
  const typedLimit = Number(arg('typed-chars') ?? 3000);
  const coldSamples = Number(arg('cold') ?? 20);
  installVscodeStub();
  stubSettings.set('seqlab.completions.debounceMs', 0);
  stubSettings.set('seqlab.completions.source', arg('source') ?? 'activeModel');
  if (arg('adaptation-rate') !== undefined) stubSettings.set('seqlab.completions.adaptationRate', Number(arg('adaptation-rate')));
  stubFiles.push(...(arg('workspace') ?? '').split(',').filter(Boolean));
  const storage = mkdtempSync(path.join(os.tmpdir(), 'seqlab-bench-storage-'));

  let t = performance.now();
  const extension = require(path.join(root, 'dist', 'extension.js')) as { activate(context: unknown): SequenceLabApi };
  const requireMs = performance.now() - t;
  const api = extension.activate(stubContext(root, storage));
  const activationMs = performance.now() - t;
  await new Promise((r) => setTimeout(r, 200)); // let activation's asynchronous reads settle
  const modelFile = arg('model');
  if (modelFile) await api.models.setActive((await api.models.add(readFileSync(modelFile))).id);
  const base = memory();

  const provider = api.completions.provider;
  const context = { triggerKind: vscodeStub.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined };
  const token = new vscodeStub.CancellationTokenSource().token;
  let docs = 0;
  const request = async (text: string, uri?: Uri) => {
    const doc = new StubDocument(uri ?? Uri.file(`/bench/doc-${docs++}.js`), 'javascript', text);
    const started = performance.now();
    const items = await provider.provideInlineCompletionItems(
      doc as never,
      doc.positionAt(text.length) as never,
      context as never,
      token as never,
    );
    return { ms: performance.now() - started, items };
  };

  const texts = files.map((f) => readFileSync(f, 'utf8'));
  t = performance.now();
  await request(texts[0].slice(0, 200));
  const firstRequestMs = performance.now() - t;

  // Typing through the held-out files, one request per character, the cursor at the end.
  const typedCharMs: number[] = [];
  let typedCharSuggestions = 0;
  const typedCharOutcomes: Record<string, number> = {};
  const typedCharComputedMs: number[] = [];
  const hitsBefore = api.completions.service.controller.stats.memoryHits;
  for (const text of texts) {
    const uri = Uri.file(`/bench/typed-${docs++}.js`);
    const start = Math.min(200, text.length);
    await request(text.slice(0, start), uri); // the window is primed: what follows is typing
    for (let i = start + 1; i <= text.length && typedCharMs.length < typedLimit; i++) {
      const r = await request(text.slice(0, i), uri);
      typedCharMs.push(r.ms);
      if (r.items?.length) typedCharSuggestions++;
      const o = provider.lastOutcome;
      const key = o === undefined ? 'unknown' : o.kind === 'suggestion' ? o.source : o.reason;
      if (process.env.SEQLAB_DEBUG && o?.kind === 'none' && o.reason === 'error') console.error((o as { detail?: string }).detail);
      if (process.env.SEQLAB_PROBE_TRACE) console.error(`${i} ${o?.kind === 'suggestion' ? JSON.stringify(o.text) : key}`);
      typedCharOutcomes[key] = (typedCharOutcomes[key] ?? 0) + 1;
      if (key !== 'memory') typedCharComputedMs.push(r.ms);
    }
    if (typedCharMs.length >= typedLimit) break;
  }
  const typedCharMemoryHits = api.completions.service.controller.stats.memoryHits - hitsBefore;

  // Cold: a document never seen, 2,000 characters before the cursor.
  const coldMs: number[] = [];
  const long = texts.filter((x) => x.length > 2200);
  for (let k = 0; k < coldSamples && long.length; k++) {
    const text = long[k % long.length];
    const end = 2000 + Math.floor(((text.length - 2000) * ((k * 7) % 10)) / 10);
    const r = await request(text.slice(Math.max(0, end - 2000), end));
    coldMs.push(r.ms);
  }
  const loaded = memory();
  const status = api.completions.service.status();
  const engine = await api.completions.service.getEngine();
  const result: ProbeResult = {
    activationMs,
    requireMs,
    model: status.modelName,
    engineLabel: engine?.label,
    runtime: engine?.runtime,
    firstRequestMs,
    typedCharMs,
    typedCharComputedMs,
    typedCharMemoryHits,
    typedCharSuggestions,
    typedCharOutcomes,
    coldMs,
    rssBaselineMB: base.rss,
    rssLoadedMB: loaded.rss,
    heapBaselineMB: base.heap,
    heapLoadedMB: loaded.heap,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
