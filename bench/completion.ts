// Inline completions: latency and memory of the extension's real provider with the shipped model
// (bench/completionProbe.ts, in a fresh Node process), and the quality of completions per
// architecture next to the n-gram baseline on held-out files of the sample workspace.
//
// Latency (the targets on the 2-core machine): typed-char p50 ≤ 5 ms and p99 ≤ 15 ms —
// provideInlineCompletionItems after each character typed through held-out files, the cursor at
// the end, debounce 0 (the setting's wait is not the provider's work), every other setting at its
// default; cold p50 ≤ 50 ms — a document never seen, 2,000 characters before the cursor;
// activation ≤ 50 ms — require(dist/extension.js) and activate() against a stand-in vscode
// module; host memory ≤ 150 MB — resident set growth from after activation to after the model
// served (ONNX Runtime's wasm heap included).
//
// Quality: each architecture trains for the held-out section's time (--seconds, --preset) on the
// training files; bits/char (evaluation.ts scoreNeural; the n-gram: scoreNgram) and keystroke
// savings, precision of the suggestions shown and accepted characters per shown suggestion
// (evaluation.ts keystrokeSavings: the editor's own request path, completion/controller.ts, with
// the extension's default settings and cut-offs) over the first --quality-chars characters of the
// held-out files.
// The shipped model is scored on the files its own training held out (`seqlab train`'s split),
// next to an n-gram counted on the rest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { useBackend } from '../src/core/backend/backend';
import { DEFAULT_CONTROLLER_SETTINGS } from '../src/core/completion/controller';
import { DEFAULT_DECODING } from '../src/core/completion/engine';
import { neuralServing, ngramServing, type ServingEngine } from '../src/core/completion/servingEngine';
import { tfjsStepper } from '../src/core/completion/stepper';
import { keystrokeSavings, limitCharacters, percentile, scoreNeural, scoreNgram } from '../src/core/evaluation';
import { loadModelFile, saveModelFile } from '../src/core/modelFile';
import { createModel, presetConfig, type Arch } from '../src/core/models';
import { WORKSPACE_NGRAM_ORDER } from '../src/core/completion/autoServing';
import { NgramModel } from '../src/core/ngram/ngram';
import { collectGateSamples, GATE_FEATURES, mixtureBits } from '../src/core/completion/hybrid';
import { fitHybridGate, hybridServing, measureValidationCompletion } from '../src/core/completion/validationCompletion';
import { DEFAULT_DOCUMENT_CACHE } from '../src/core/ngram/documentCache';
import type { SequenceModel } from '../src/core/models/sequenceModel';
import type { EngineTokenizer } from '../src/core/completion/engine';
import { CharTokenizer, type Tokenizer } from '../src/core/tokenizers';
import { BASE_MODEL_FILE, fitsBaseModel } from '../src/core/training/baseModel';
import { Trainer } from '../src/core/training/trainer';
import { splitCorpus } from '../src/core/training/tokenStream';
import { splitTexts } from '../src/core/corpus/splitTexts';
import { readCorpus } from '../src/node/corpus';
import { nodeWasmPaths } from '../src/node/wasmPaths';
import type { ProbeResult } from './completionProbe';
import type { SourceFile } from './corpus';
import { markdownTable } from './report';
import { fmt, log, now } from './stats';

/** Defaults of seqlab.completions.* that shape what is suggested (a unit test keeps them equal to package.json's). */
const EXTENSION_DEFAULTS = {
  minTokenProbability: DEFAULT_DECODING.minProbability,
  minSuggestionProbability: DEFAULT_DECODING.minSuggestionProbability,
  minConfidence: DEFAULT_CONTROLLER_SETTINGS.minConfidence,
} as const;

export const TARGETS = { typedCharP50Ms: 5, typedCharP99Ms: 15, coldP50Ms: 50, activationMs: 50, hostMemoryMB: 150 } as const;

export interface CompletionResult {
  readonly typedCharP50Ms: number;
  readonly typedCharP99Ms: number;
  readonly coldP50Ms: number;
  readonly activationMs: number;
  readonly hostMemoryMB: number;
  /** The rest: what served, sample counts, first request, memory detail. */
  readonly model: string | null;
  readonly runtime: string | null;
  /** The serving engine ("… + workspace n-gram" for the hybrid). */
  readonly engineLabel: string | null;
  readonly typedChars: number;
  readonly typedCharMemoryHits: number;
  readonly typedCharSuggestions: number;
  readonly typedCharMeanMs: number;
  /** Typed characters the ghost text already shown did not answer: the model was asked. */
  readonly computedP50Ms: number;
  readonly computedP99Ms: number;
  readonly typedCharOutcomes: Record<string, number>;
  readonly coldSamples: number;
  readonly coldP99Ms: number;
  readonly firstRequestMs: number;
  readonly rssBaselineMB: number;
  readonly rssLoadedMB: number;
  readonly jsHeapGrowthMB: number;
}

export interface QualityRow {
  /** An architecture, 'ngram', or 'lstm (shipped)'. */
  readonly arch: string;
  readonly bitsPerChar: number;
  readonly keystrokeSavings: number;
  /** Of the suggestions shown (each counted once), the share exactly right. */
  readonly precision: number;
  readonly acceptedCharsPerShown: number;
  readonly shownSuggestions: number;
  /** The n-gram baseline on the same files. */
  readonly ngramBitsPerChar: number;
  readonly ngramKeystrokeSavings: number;
  readonly ngramPrecision: number;
  readonly characters: number;
  readonly trainSeconds: number | null;
  readonly acceptedSuggestions: number;
  readonly note?: string;
  readonly error?: string;
}

/** The held-out split of the benchmark corpus (the held-out section's). */
export function heldOutSplit(files: readonly SourceFile[]): { train: SourceFile[]; heldOut: SourceFile[] } {
  const byName = new Map(files.map((f) => [f.name, f]));
  const split = splitCorpus(
    files.map((f) => ({ name: f.name, tokens: { length: f.text.length } })),
    { validationFraction: 0.1, seed: 0 },
  );
  return { train: split.train.map((d) => byName.get(d.name!)!), heldOut: split.validation.map((d) => byName.get(d.name!)!) };
}

/** The first `.seqlab` file in models/ other than the base model: the finished model that ships. */
export function shippedModel(root: string): string | undefined {
  const dir = path.join(root, 'models');
  if (!existsSync(dir)) return undefined;
  const name = readdirSync(dir)
    .filter((n) => n.endsWith('.seqlab') && n !== BASE_MODEL_FILE)
    .sort()[0];
  return name ? path.join(dir, name) : undefined;
}

function probe(
  files: readonly string[],
  options: { typedChars: number; coldSamples: number; source: string; workspace?: readonly string[]; model?: string },
): ProbeResult {
  const args = ['--expose-gc', path.join(__dirname, 'completionProbe.js'), '--files', files.join(','), '--typed-chars', String(options.typedChars)];
  args.push('--cold', String(options.coldSamples), '--source', options.source);
  if (options.workspace) args.push('--workspace', options.workspace.join(','));
  if (options.model) args.push('--model', options.model);
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000 });
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
  if (run.status !== 0 || !line) throw new Error(`the completion probe failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  return JSON.parse(line) as ProbeResult;
}

/**
 * The shipped model as a model trained by this version is: with the end-of-training measurement
 * (validationCompletion, the hybrid's gate included) taken on its own training's split, so that
 * the extension serves it mixed with the workspace n-gram. Written to a temporary file; undefined
 * when the shipped model is not a character model.
 */
async function gatedShippedModel(root: string): Promise<string | undefined> {
  const shipped = shippedModel(root);
  if (!shipped) return undefined;
  const loaded = loadModelFile(readFileSync(shipped));
  if (loaded.kind !== 'neural') return undefined;
  try {
    if (loaded.tokenizer.kind !== 'char') return undefined;
    const split = splitTexts(readCorpus(path.join(root, 'sample-workspace')).files, { seed: 0, validationFraction: 0.1 });
    const text = (files: typeof split.train) => files.map((f) => f.text);
    const measured = await measureValidationCompletion(loaded.model, loaded.tokenizer, text(split.train), text(split.validation));
    log(`completion: the shipped model's end-of-training measurement: model ${pct(measured.keystrokeSavings)}, n-gram ${pct(measured.ngramKeystrokeSavings)}, hybrid ${pct(measured.hybrid?.keystrokeSavings ?? NaN)}`);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'seqlab-bench-gated-')), path.basename(shipped));
    writeFileSync(file, saveModelFile({ model: loaded.model, tokenizer: loaded.tokenizer, metadata: { ...loaded.metadata, validationCompletion: measured } }));
    return file;
  } finally {
    loaded.model.dispose();
  }
}

function summarize(r: ProbeResult): CompletionResult {
  const mean = r.typedCharMs.reduce((s, v) => s + v, 0) / Math.max(1, r.typedCharMs.length);
  return {
    typedCharP50Ms: percentile(r.typedCharMs, 50),
    typedCharP99Ms: percentile(r.typedCharMs, 99),
    coldP50Ms: percentile(r.coldMs, 50),
    activationMs: r.activationMs,
    hostMemoryMB: r.rssLoadedMB - r.rssBaselineMB,
    model: r.model ?? null,
    runtime: r.runtime ?? null,
    engineLabel: r.engineLabel ?? null,
    typedChars: r.typedCharMs.length,
    typedCharMemoryHits: r.typedCharMemoryHits,
    typedCharSuggestions: r.typedCharSuggestions,
    typedCharMeanMs: mean,
    computedP50Ms: percentile(r.typedCharComputedMs, 50),
    computedP99Ms: percentile(r.typedCharComputedMs, 99),
    typedCharOutcomes: r.typedCharOutcomes,
    coldSamples: r.coldMs.length,
    coldP99Ms: percentile(r.coldMs, 99),
    firstRequestMs: r.firstRequestMs,
    rssBaselineMB: r.rssBaselineMB,
    rssLoadedMB: r.rssLoadedMB,
    jsHeapGrowthMB: r.heapLoadedMB - r.heapBaselineMB,
  };
}

/**
 * The shipped model through the extension's provider (the targets), and the workspace
 * n-gram (what serves by default before any training) counted over the training files.
 */
export async function runCompletionLatency(
  root: string,
  files: readonly SourceFile[],
  options: { typedChars: number; coldSamples: number },
): Promise<CompletionResult & { workspaceNgram: CompletionResult; hybrid?: CompletionResult }> {
  const { train, heldOut } = heldOutSplit(files);
  const abs = (f: SourceFile) => path.join(root, 'sample-workspace', f.name);
  // Longest held-out files first: typing goes on long enough, and the cold samples have 2,000 characters.
  const paths = [...heldOut].sort((a, b) => b.text.length - a.text.length).map(abs);
  log(`completion: the extension's provider with the shipped model on ${paths.length} held-out files (${options.typedChars} typed characters)`);
  const shipped = summarize(probe(paths, { ...options, source: 'activeModel' }));
  log(`completion: the same with the workspace n-gram (${train.length} training files)`);
  const ngram = summarize(probe(paths, { ...options, source: 'workspaceNgram', workspace: train.map(abs) }));
  await useBackend('wasm', { wasmPaths: nodeWasmPaths() });
  const gated = await gatedShippedModel(root);
  if (!gated) return { ...shipped, workspaceNgram: ngram };
  // Latency only: the typed files may be among the ones the shipped model trained on.
  log(`completion: the same model with its hybrid gate, served mixed with the workspace n-gram`);
  try {
    const hybrid = summarize(probe(paths, { ...options, source: 'activeModel', workspace: train.map(abs), model: gated }));
    return { ...shipped, workspaceNgram: ngram, hybrid };
  } finally {
    rmSync(path.dirname(gated), { recursive: true, force: true });
  }
}

async function savingsOf(engine: ServingEngine, texts: readonly string[]) {
  try {
    return await keystrokeSavings(engine, texts);
  } finally {
    engine.dispose();
  }
}

type Replay = Awaited<ReturnType<typeof savingsOf>>;

/** The quality fields of a row from a replay. */
function replayFields(r: Replay) {
  return {
    keystrokeSavings: r.savings,
    precision: r.precision,
    acceptedCharsPerShown: r.acceptedCharsPerShown,
    shownSuggestions: r.shownSuggestions,
    acceptedSuggestions: r.acceptedSuggestions,
  };
}

const describeReplay = (r: Replay) =>
  `keystroke savings ${(r.savings * 100).toFixed(1)}%, precision ${(r.precision * 100).toFixed(1)}% of ${r.shownSuggestions} shown, ${r.acceptedCharsPerShown.toFixed(2)} chars accepted per shown`;

/**
 * The hybrid as training measures and the editor serves it: the gate fitted on the held-out
 * characters `texts` left (or on `texts` when too few are left), the n-gram counted on training
 * files only; bits/char of the mixture from each file's second character.
 */
async function hybridFields(model: SequenceModel, tokenizer: EngineTokenizer, ngram: NgramModel, allHeldOut: readonly string[], texts: readonly string[]) {
  const stepper = tfjsStepper(model);
  const { gate, fittedOnReplay } = await fitHybridGate(stepper, tokenizer, ngram, allHeldOut, texts);
  const samples = await collectGateSamples(stepper, tokenizer, ngram, DEFAULT_DOCUMENT_CACHE, texts, DEFAULT_DECODING.adaptationRate);
  const bitsPerChar = mixtureBits(gate, samples);
  // The same positions with the gate open all the way (σ(60) ≈ 1): the n-gram with its document cache alone.
  const cachedNgramBits = mixtureBits({ weights: GATE_FEATURES.map((_, i) => (i === 0 ? 60 : 0)) }, samples);
  const saved = await savingsOf(hybridServing(stepper, model, tokenizer, ngram, gate), texts);
  const gateNote =
    `gate fitted on ${fittedOnReplay ? 'the replayed text (too little held out after it)' : 'held-out characters after the replayed ones'}; ` +
    `on the same positions the n-gram with its document cache alone: ${cachedNgramBits.toFixed(3)} bits/char`;
  return { bitsPerChar, saved, gateNote };
}

export async function runQuality(
  root: string,
  files: readonly SourceFile[],
  options: { archs: readonly Arch[]; seconds: number; preset: 'nano' | 'small'; qualityChars: number },
): Promise<{ rows: QualityRow[]; meta: Record<string, unknown> }> {
  const decoding = DEFAULT_DECODING;
  const { train, heldOut } = heldOutSplit(files);
  const trainTexts = train.map((f) => f.text);
  const heldOutTexts = limitCharacters(
    heldOut.map((f) => f.text),
    options.qualityChars,
  );
  const characters = heldOutTexts.reduce((s, t) => s + t.length, 0);
  log(`quality: n-gram and ${options.archs.join(', ')} on ${characters} held-out characters`);
  const ngram = NgramModel.train(trainTexts, { order: WORKSPACE_NGRAM_ORDER });
  const ngramBits = scoreNgram(ngram, heldOutTexts).bitsPerChar;
  const ngramSaved = await savingsOf(ngramServing('n-gram', ngram, decoding), heldOutTexts);
  const baseline = { ngramBitsPerChar: ngramBits, ngramKeystrokeSavings: ngramSaved.savings, ngramPrecision: ngramSaved.precision };
  const rows: QualityRow[] = [{ arch: 'ngram', bitsPerChar: ngramBits, ...replayFields(ngramSaved), ...baseline, characters, trainSeconds: null }];
  log(`  n-gram: ${ngramBits.toFixed(3)} bits/char, ${describeReplay(ngramSaved)}`);

  await useBackend('wasm', { wasmPaths: nodeWasmPaths() });
  const corpusFor = (tokenizer: Tokenizer) => {
    const encode = (texts: readonly string[]) => texts.map((text, i) => ({ name: String(i), tokens: Int32Array.from(tokenizer.encode(text)) }));
    return { train: encode(trainTexts), validation: encode(heldOut.map((f) => f.text)), splitBy: 'file' as const };
  };
  const corpusTokenizer = CharTokenizer.build(trainTexts);
  const contenders: { arch: Arch; label: string; start: () => { model: SequenceModel; tokenizer: Tokenizer }; note: string }[] = options.archs.map((arch) => ({
    arch,
    label: arch,
    start: () => ({ model: createModel(presetConfig(arch, options.preset, corpusTokenizer.vocabSize)), tokenizer: corpusTokenizer }),
    note: `${options.preset}, ${options.seconds} s of training`,
  }));
  // Training from the palette fine-tunes the shipped base model when the choices fit it.
  const base = path.join(root, 'models', BASE_MODEL_FILE);
  if (options.archs.includes('lstm') && fitsBaseModel({ arch: 'lstm', tokenizer: 'char', preset: options.preset }) && existsSync(base)) {
    contenders.push({
      arch: 'lstm',
      label: 'lstm from the base model',
      start: () => {
        const loaded = loadModelFile(readFileSync(base));
        if (loaded.kind !== 'neural') throw new Error(`${base} is not a neural model`);
        return { model: loaded.model, tokenizer: loaded.tokenizer };
      },
      note: `${BASE_MODEL_FILE} fine-tuned for ${options.seconds} s`,
    });
  }
  for (const { arch, label, start, note } of contenders) {
    log(`quality: ${label} (${options.preset}) trains for ${options.seconds} s`);
    const { model, tokenizer } = start();
    const corpus = corpusFor(tokenizer);
    let trainer: Trainer | null = null;
    try {
      trainer = new Trainer(model, corpus, {
        batchSize: 32,
        maxTimeMs: options.seconds * 1000,
        evalEvery: 1e9,
        finalEval: false,
        evalWindows: 1,
        gradientFlowRows: 0,
        seed: 1,
      });
      const started = now();
      await trainer.run();
      const trainSeconds = (now() - started) / 1000;
      const bits = scoreNeural(model, tokenizer, heldOutTexts).bitsPerChar;
      const saved = await savingsOf(neuralServing(arch, 'tfjs', tfjsStepper(model), model, tokenizer, decoding), heldOutTexts);
      rows.push({
        arch: label,
        bitsPerChar: bits,
        ...replayFields(saved),
        ...baseline,
        characters,
        trainSeconds,
        note,
      });
      log(`  ${label}: ${bits.toFixed(3)} bits/char, ${describeReplay(saved)}`);
      const hybrid = await hybridFields(model, tokenizer, ngram, heldOut.map((f) => f.text), heldOutTexts);
      rows.push({
        arch: `${label} + n-gram (hybrid)`,
        bitsPerChar: hybrid.bitsPerChar,
        ...replayFields(hybrid.saved),
        ...baseline,
        characters,
        trainSeconds,
        note: `the ${arch} above mixed with the n-gram and document cache; ${hybrid.gateNote}`,
      });
      log(`  ${label} hybrid: ${hybrid.bitsPerChar.toFixed(3)} bits/char, ${describeReplay(hybrid.saved)}`);
    } catch (e) {
      rows.push({
        arch: label,
        bitsPerChar: NaN,
        keystrokeSavings: NaN,
        precision: NaN,
        acceptedCharsPerShown: NaN,
        shownSuggestions: 0,
        acceptedSuggestions: 0,
        ...baseline,
        characters,
        trainSeconds: null,
        error: e instanceof Error ? e.message : String(e),
      });
    } finally {
      trainer?.dispose();
      model.dispose();
    }
  }

  // The shipped model, on the files its own training held out.
  const shipped = shippedModel(root);
  if (shipped) {
    const loaded = loadModelFile(readFileSync(shipped));
    if (loaded.kind === 'neural') {
      const split = splitTexts(readCorpus(path.join(root, 'sample-workspace')).files, { seed: 0, validationFraction: 0.1 });
      const texts = limitCharacters(
        split.validation.map((f) => f.text),
        options.qualityChars,
      );
      const chars = texts.reduce((s, t) => s + t.length, 0);
      const baselineNgram = NgramModel.train(
        split.train.map((f) => f.text),
        { order: WORKSPACE_NGRAM_ORDER },
      );
      const baseBits = scoreNgram(baselineNgram, texts).bitsPerChar;
      const baseSaved = await savingsOf(ngramServing('n-gram', baselineNgram, decoding), texts);
      const bits = scoreNeural(loaded.model, loaded.tokenizer, texts).bitsPerChar;
      const saved = await savingsOf(neuralServing('shipped', 'tfjs', tfjsStepper(loaded.model), loaded.model, loaded.tokenizer, decoding), texts);
      const hybrid =
        loaded.tokenizer.kind === 'char'
          ? await hybridFields(loaded.model, loaded.tokenizer, baselineNgram, split.validation.map((f) => f.text), texts)
          : null;
      loaded.model.dispose();
      rows.push({
        arch: `${loaded.model.config.arch} (shipped)`,
        bitsPerChar: bits,
        ...replayFields(saved),
        ngramBitsPerChar: baseBits,
        ngramKeystrokeSavings: baseSaved.savings,
        ngramPrecision: baseSaved.precision,
        characters: chars,
        trainSeconds: null,
        note: `${path.basename(shipped)}, on the ${split.validation.length} files \`seqlab train\` held out`,
      });
      log(`  shipped: ${bits.toFixed(3)} bits/char, ${describeReplay(saved)}; n-gram ${describeReplay(baseSaved)}`);
      if (hybrid) {
        rows.push({
          arch: `${loaded.model.config.arch} (shipped) + n-gram (hybrid)`,
          bitsPerChar: hybrid.bitsPerChar,
          ...replayFields(hybrid.saved),
          ngramBitsPerChar: baseBits,
          ngramKeystrokeSavings: baseSaved.savings,
          ngramPrecision: baseSaved.precision,
          characters: chars,
          trainSeconds: null,
          note: `the shipped model mixed with the n-gram and document cache; ${hybrid.gateNote}`,
        });
        log(`  shipped hybrid: ${hybrid.bitsPerChar.toFixed(3)} bits/char, ${describeReplay(hybrid.saved)}`);
      }
    }
  }
  return { rows, meta: { qualityCorpus: { trainFiles: train.length, heldOutFiles: heldOut.length, characters }, completionDefaults: EXTENSION_DEFAULTS } };
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');
const ms = (v: number) => (Number.isFinite(v) ? `${fmt(v, 2)} ms` : 'n/a');
const verdict = (value: number, target: number) => (value <= target ? 'meets' : 'misses');

function describeRun(r: CompletionResult): string {
  return (
    `Model: ${r.model ?? 'none'} (engine: ${r.engineLabel ?? 'none'}) on ${r.runtime ?? 'nothing'}. ${r.typedChars} typed characters (${r.typedCharMemoryHits} answered from the ghost text already shown, ` +
    `${r.typedCharSuggestions} with a suggestion; mean ${ms(r.typedCharMeanMs)}; outcomes ${JSON.stringify(r.typedCharOutcomes)}); ${r.coldSamples} cold samples (p99 ${ms(r.coldP99Ms)}); ` +
    `the first request, which loads the model, took ${ms(r.firstRequestMs)}. RSS ${fmt(r.rssBaselineMB, 1)} MB after activation, ` +
    `${fmt(r.rssLoadedMB, 1)} MB after serving; JS heap and buffers grew ${fmt(r.jsHeapGrowthMB, 1)} MB.`
  );
}

export function renderCompletion(r: CompletionResult & { workspaceNgram?: CompletionResult; hybrid?: CompletionResult }): string {
  const others = [r.workspaceNgram, r.hybrid];
  const value = (x: CompletionResult | undefined, pick: (x: CompletionResult) => number, unit: 'ms' | 'MB') =>
    !x ? '' : unit === 'ms' ? ms(pick(x)) : `${fmt(pick(x), 1)} MB`;
  const row = (label: string, pick: (x: CompletionResult) => number, unit: 'ms' | 'MB', target: number) => [
    label,
    value(r, pick, unit),
    `≤ ${target} ${unit}`,
    verdict(pick(r), target),
    ...others.map((x) => value(x, pick, unit)),
  ];
  const rows = [
    row('typed character, p50', (x) => x.typedCharP50Ms, 'ms', TARGETS.typedCharP50Ms),
    row('typed character, p99', (x) => x.typedCharP99Ms, 'ms', TARGETS.typedCharP99Ms),
    row('typed character that asks the model, p50', (x) => x.computedP50Ms, 'ms', TARGETS.typedCharP50Ms),
    row('typed character that asks the model, p99', (x) => x.computedP99Ms, 'ms', TARGETS.typedCharP99Ms),
    row('cold (new document, 2,000 chars), p50', (x) => x.coldP50Ms, 'ms', TARGETS.coldP50Ms),
    row('activation', (x) => x.activationMs, 'ms', TARGETS.activationMs),
    row('host memory with the model loaded (RSS growth)', (x) => x.hostMemoryMB, 'MB', TARGETS.hostMemoryMB),
  ];
  return [
    markdownTable(['measure', 'shipped model', 'target', '', 'workspace n-gram', 'shipped model + workspace n-gram (hybrid)'], rows),
    '',
    `Shipped model — ${describeRun(r)}`,
    ...(r.workspaceNgram ? ['', `Workspace n-gram — ${describeRun(r.workspaceNgram)}`] : []),
    ...(r.hybrid
      ? ['', `Hybrid (the shipped model with a gate fitted on its validation split, served as a model trained now is; typed files may be among those it trained on, so latency only) — ${describeRun(r.hybrid)}`]
      : []),
  ].join('\n');
}

export function renderQuality(rows: readonly QualityRow[]): string {
  return [
    markdownTable(
      ['model', 'held-out bits/char', 'keystroke savings', 'precision', 'accepted chars / shown', 'n-gram bits/char', 'n-gram savings', 'n-gram precision', 'characters', 'note'],
      rows.map((r) => [
        r.arch,
        Number.isFinite(r.bitsPerChar) ? fmt(r.bitsPerChar, 3) : 'failed',
        pct(r.keystrokeSavings),
        `${pct(r.precision)} of ${r.shownSuggestions}`,
        Number.isFinite(r.acceptedCharsPerShown) ? fmt(r.acceptedCharsPerShown, 2) : 'n/a',
        fmt(r.ngramBitsPerChar, 3),
        pct(r.ngramKeystrokeSavings),
        pct(r.ngramPrecision),
        String(r.characters),
        r.error ?? r.note ?? '',
      ]),
    ),
    '',
    `Replayed through the editor's request path with the extension's defaults: suggestions end before a token under probability ${EXTENSION_DEFAULTS.minTokenProbability} ` +
      `or before the token that brings the product of their token probabilities under ${EXTENSION_DEFAULTS.minSuggestionProbability}, ` +
      `and are hidden when their mean token probability is under ${EXTENSION_DEFAULTS.minConfidence}. Precision: of the suggestions shown, each counted once, the share exactly right. ` +
      `The n-gram's bits/char are of its static counts; its savings, and every hybrid figure, include the document cache (hybrid notes give the cached n-gram's bits on the same positions).`,
  ].join('\n');
}
