// `seqlab train`: corpus → split by file → tokenizer (from the training files) → model →
// Trainer → model file with metadata saying what it was trained on and how.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendName } from '../../core/backend/backend';
import { loadModelFile, saveModelFile, saveNgramFile, type ModelMetadata } from '../../core/modelFile';
import { BASE_MODEL_FILE, baseModelRecord, fitsBaseModel, type BaseModelRecord } from '../../core/training/baseModel';
import { readModelFileBytes } from '../../node/modelFileReader';
import { createModel, presetConfig, PRESETS, type Arch, type Preset, type SequenceModel } from '../../core/models';
import type { EngineTokenizer } from '../../core/completion/engine';
import { NGRAM_ORDER_OF_PRESET, NgramModel } from '../../core/ngram/ngram';
import { describeValidationCompletion, type ValidationCompletion } from '../../core/completion/autoServing';
import { measureValidationCompletion } from '../../core/completion/validationCompletion';
import { buildTokenizer, CharTokenizer, type Tokenizer, type TokenizerKind } from '../../core/tokenizers';
import { charsPerTokenOf } from '../../core/training/metrics';
import { defaultSchedule, Trainer, type CorpusSummary } from '../../core/training/trainer';
import { countExclusions, type Corpus, type CorpusFile } from '../../core/corpus/filters';
import { splitTexts, type TextSplit } from '../../core/corpus/splitTexts';
import { checkOutputs, OutputError, writeFileAtomic } from '../../node/atomicWrite';
import { readCorpus } from '../../node/corpus';
import { coreCount, startGradientWorkers } from '../../node/gradientWorkers';
import type { GradientWorker } from '../../core/training/dataParallel';
import { Options, UsageError, type CommandSpec, type ParsedArgs } from '../args';
import { Progress } from '../progressBar';
import {
  backendOption,
  CliError,
  formatNumber,
  jsonOption,
  prepareBackend,
  printJson,
  requirePath,
  type CliIO,
  type Command,
} from './common';

export const TRAIN_ARCHS = ['lstm', 'gru', 'rnn', 'transformer', 'ngram'] as const;
export type TrainArch = (typeof TRAIN_ARCHS)[number];

export const DEFAULT_MINUTES = 5;

/** The `--json` result of a training run. */
export interface TrainJson {
  readonly arch: TrainArch;
  readonly params: number;
  readonly steps: number;
  readonly tokensPerSecond: number;
  /** Mean training loss, nats per token (n-gram: nats per character of the training text). */
  readonly trainLoss: number;
  readonly valBitsPerChar: number;
  /** tfjs backend; "none" for an n-gram model. */
  readonly backend: string;
  /**
   * Neural models: keystroke savings replaying validation text, the model and an n-gram counted on
   * the training files (seqlab.completions.source 'auto' serves the model only when it saves as
   * much); null when the run was interrupted before it was measured.
   */
  readonly validationCompletion?: ValidationCompletion | null;
}

const spec: CommandSpec = {
  name: 'train',
  brief: 'Train a model on a folder of text files.',
  summary:
    'Train a language model on the text files under <dir> and save it as a model file. About a tenth of\n' +
    'the text (whole files) is held out for validation. Left out, as in the extension: what .gitignore\n' +
    'files ignore, secrets (.env* and key files, .ssh/.aws/.docker/.gnupg folders, tokens, keys and\n' +
    'passwords found in the text), binary files and files over 1 MB; node_modules, .git, dist and out\n' +
    'folders are not entered.',
  positionals: [{ name: 'dir', description: 'Folder of text files to train on.' }],
  options: [
    { name: 'arch', kind: 'choice', choices: TRAIN_ARCHS, defaultText: 'lstm', description: 'Architecture (ngram: a Kneser-Ney character n-gram).' },
    { name: 'tokenizer', kind: 'choice', choices: ['char', 'word'], defaultText: 'char', description: 'Characters or code-aware words.' },
    { name: 'vocab', kind: 'choice', choices: ['corpus', 'ascii'], defaultText: 'corpus', description: "Char tokenizer's vocabulary: the corpus's characters, or tab, newline and printable ASCII (fixed, as a base model needs)." },
    { name: 'preset', kind: 'choice', choices: PRESETS, defaultText: 'small', description: 'Model size (ngram: order 4, 6 or 8).' },
    { name: 'minutes', kind: 'number', valueName: 'N', min: 0, exclusiveMin: true, max: 7 * 24 * 60, defaultText: `${DEFAULT_MINUTES} unless --steps is given`, description: 'Training time budget.' },
    { name: 'steps', kind: 'integer', valueName: 'N', min: 1, max: 1e9, description: 'Stop after this many updates.' },
    { name: 'base', kind: 'string', valueName: 'FILE', defaultText: 'builtin for an LSTM small on characters, else none', description: `Fine-tune this model file instead of starting from random weights; its architecture, size and tokenizer apply. "builtin": the base model shipped in models/ (LSTM small, ASCII, trained on open-source code); "none": random weights.` },
    { name: 'out', kind: 'string', valueName: 'FILE', required: true, description: 'Model file to write (.seqlab).' },
    { name: 'learning-rate', kind: 'number', valueName: 'PEAK', min: 0, exclusiveMin: true, max: 1, defaultText: '0.003', description: 'Peak of the learning-rate schedule (warm-up, held, then a cosine to a tenth).' },
    { name: 'workers', kind: 'integer', valueName: 'N', min: 0, max: 64, defaultText: 'cores − 1', description: 'Gradient worker threads besides the main one (data parallel; 0 = none).' },
    { name: 'seed', kind: 'integer', valueName: 'N', min: 0, max: 2 ** 32 - 1, defaultText: '0', description: 'Seed of the split, the initial weights and the batches.' },
    backendOption,
    jsonOption,
  ],
  examples: [
    'seqlab train ./src --arch lstm --preset small --minutes 2 --out lstm.seqlab',
    'seqlab train ./src --base none --out lstm-from-scratch.seqlab',
    'seqlab train ./src --arch ngram --out ngram.seqlab --json',
  ],
};

/** "412 files, 1,234,567 characters; excluded 2 binary, 1 secret, 3 ignored-directory" */
export function describeCorpus(corpus: Corpus): string {
  const excluded = Object.entries(countExclusions(corpus.excluded)).map(([reason, n]) => `${n} ${reason}`);
  return (
    `corpus: ${formatNumber(corpus.files.length)} files, ${formatNumber(corpus.characters)} characters` +
    (excluded.length ? `; excluded ${excluded.join(', ')}` : '')
  );
}

function corpusMetadata(dir: string, corpus: Corpus, split: TextSplit<CorpusFile>, tokens: { train: number; validation: number }) {
  const summary: CorpusSummary & {
    description: string;
    files: number;
    characters: number;
    excluded: Record<string, number>;
    validationFiles: string[];
  } = {
    trainDocuments: split.train.length,
    validationDocuments: split.validation.length,
    trainTokens: tokens.train,
    validationTokens: tokens.validation,
    splitBy: split.splitBy,
    description: path.basename(path.resolve(dir)),
    files: corpus.files.length,
    characters: corpus.characters,
    excluded: countExclusions(corpus.excluded),
    validationFiles: split.validation.map((f) => f.path),
  };
  return summary;
}

/** Writes the model atomically: killed midway, the previous file at `out` is still whole. */
async function writeModel(out: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(out, bytes);
  } catch (e) {
    throw new CliError(`cannot write "${out}": ${(e as Error).message}`);
  }
}

/** Refuses an --out that cannot be written (or is the corpus folder) before any work is done. */
export function checkOutput(out: string, inputs: readonly string[]): void {
  try {
    checkOutputs([out], inputs);
  } catch (e) {
    if (e instanceof OutputError) throw new CliError(`--out: ${e.message}`);
    throw e;
  }
}

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

async function run(args: ParsedArgs, io: CliIO): Promise<void> {
  const o = new Options(args.options);
  const dir = args.positionals[0];
  const arch = o.string('arch', 'lstm') as TrainArch;
  const tokenizerKind = o.string('tokenizer', 'char') as TokenizerKind;
  const preset = o.string('preset', 'small') as Preset;
  const seed = o.number('seed', 0);
  const out = o.string('out')!;
  const baseOption = o.string('base');
  if (baseOption !== undefined && baseOption !== 'none') {
    const given = ['arch', 'tokenizer', 'preset', 'vocab'].filter((name) => o.string(name) !== undefined);
    if (given.length) throw new UsageError(`--base fixes the model: leave out --${given.join(', --')}`);
  }
  if (arch === 'ngram' && tokenizerKind === 'word') {
    throw new UsageError('--tokenizer word does not apply to --arch ngram (the n-gram model reads characters)');
  }
  if (o.string('vocab') === 'ascii' && (tokenizerKind !== 'char' || arch === 'ngram')) {
    throw new UsageError('--vocab ascii applies to the char tokenizer of a neural model');
  }
  requirePath(dir, 'folder', 'folder');
  // As training from the palette: an LSTM small on characters starts from the shipped base.
  const byDefault = baseOption === undefined && o.string('vocab') === undefined && arch !== 'ngram' && fitsBaseModel({ arch, tokenizer: tokenizerKind, preset });
  const basePath = byDefault ? shippedBase() : baseOption === undefined || baseOption === 'none' ? undefined : resolveBase(baseOption);
  checkOutput(out, [dir, ...(basePath ? [basePath] : [])]);

  const progress = new Progress(io.stderr);
  if (byDefault && !basePath) progress.log(`the base model is not in ${path.join(__dirname, '..', 'models')}: training from random weights`);
  const corpus = readCorpus(dir);
  progress.log(describeCorpus(corpus));
  if (corpus.files.length === 0) throw new CliError(`no text files to train on under "${dir}"`);
  let split: TextSplit<CorpusFile>;
  try {
    split = splitTexts(corpus.files, { seed });
  } catch (e) {
    throw new CliError(`too little text to train on: ${(e as Error).message}`);
  }
  progress.log(`split by ${split.splitBy}: ${split.train.length} training, ${split.validation.length} validation`);
  const trainTexts = split.train.map((f) => f.text);

  const result =
    arch === 'ngram'
      ? await trainNgram(dir, corpus, split, NGRAM_ORDER_OF_PRESET[preset], out, progress)
      : await trainNeural(dir, corpus, split, trainTexts, { arch, tokenizerKind, preset, seed, out, o, basePath }, progress);
  progress.done();
  if (o.flag('json')) printJson(io, result);
  else {
    io.stdout.write(
      `Saved ${result.arch} (${formatNumber(result.params)} parameters) to ${out}: ${formatNumber(result.steps)} steps, ` +
        `${formatNumber(result.tokensPerSecond)} tokens/s, train loss ${result.trainLoss.toFixed(3)}, ` +
        `validation ${result.valBitsPerChar.toFixed(3)} bits/char (${result.backend})\n`,
    );
  }
}

async function trainNgram(dir: string, corpus: Corpus, split: TextSplit<CorpusFile>, order: number, out: string, progress: Progress): Promise<TrainJson> {
  const trainTexts = split.train.map((f) => f.text);
  const validationTexts = split.validation.map((f) => f.text);
  progress.log(`counting ${order}-grams`);
  const started = performance.now();
  const ngram = NgramModel.train(trainTexts, { order });
  const elapsedMs = performance.now() - started;
  const trainBits = ngram.bitsPerChar(trainTexts);
  const valBits = ngram.bitsPerChar(validationTexts);
  const trainChars = trainTexts.reduce((s, t) => s + t.length, 0);
  const validationChars = validationTexts.reduce((s, t) => s + t.length, 0);
  const metadata: Partial<ModelMetadata> = {
    backend: 'none',
    corpus: corpusMetadata(dir, corpus, split, { train: trainChars, validation: validationChars }),
    ngram: { order, smoothing: ngram.smoothing, elapsedMs, trainBitsPerChar: trainBits, validationBitsPerChar: valBits },
  };
  await writeModel(out, saveNgramFile({ ngram, metadata }));
  return {
    arch: 'ngram',
    params: 0,
    steps: 0,
    tokensPerSecond: elapsedMs > 0 ? (trainChars * 1000) / elapsedMs : 0,
    trainLoss: trainBits * Math.LN2,
    valBitsPerChar: valBits,
    backend: 'none',
  };
}

interface NeuralSettings {
  readonly arch: Arch;
  readonly tokenizerKind: TokenizerKind;
  readonly preset: Preset;
  readonly seed: number;
  readonly out: string;
  readonly o: Options;
  /** Model file whose weights and tokenizer the run starts from. */
  readonly basePath?: string;
}

/** The base model shipped beside the CLI in models/, if it is there. */
function shippedBase(): string | undefined {
  const shipped = path.join(__dirname, '..', 'models', BASE_MODEL_FILE);
  return fs.existsSync(shipped) ? shipped : undefined;
}

/** The file `--base` names; "builtin" is the shipped base. */
function resolveBase(value: string): string {
  if (value !== 'builtin') {
    requirePath(value, '--base', 'file');
    return value;
  }
  const shipped = shippedBase();
  if (!shipped) throw new CliError(`the base model is not at ${path.join(__dirname, '..', 'models', BASE_MODEL_FILE)}`);
  return shipped;
}

/** The base's model (weights loaded) and tokenizer, and what to record about it. */
function loadBase(file: string): { model: SequenceModel; tokenizer: Tokenizer; record: BaseModelRecord; preset: Preset } {
  let loaded;
  try {
    loaded = loadModelFile(readModelFileBytes(file));
  } catch (e) {
    throw new CliError(`--base: cannot read "${file}": ${(e as Error).message}`);
  }
  if (loaded.kind !== 'neural') throw new CliError(`--base: "${file}" is an n-gram model; a base must be a neural model`);
  const preset = (PRESETS as readonly string[]).includes(loaded.metadata.preset as string) ? (loaded.metadata.preset as Preset) : 'small';
  return { model: loaded.model, tokenizer: loaded.tokenizer, record: baseModelRecord(path.basename(file), loaded.metadata), preset };
}

async function trainNeural(
  dir: string,
  corpus: Corpus,
  split: TextSplit<CorpusFile>,
  trainTexts: string[],
  s: NeuralSettings,
  progress: Progress,
): Promise<TrainJson> {
  const backend = await prepareBackend(s.o.string('backend', 'wasm') as BackendName);
  const maxSteps = s.o.number('steps');
  const minutes = s.o.number('minutes') ?? (maxSteps === undefined ? DEFAULT_MINUTES : undefined);
  const maxTimeMs = minutes === undefined ? undefined : minutes * 60_000;

  const base = s.basePath === undefined ? undefined : loadBase(s.basePath);
  const tokenizer = base?.tokenizer ?? (s.o.string('vocab') === 'ascii' ? CharTokenizer.ascii() : buildTokenizer(s.tokenizerKind, trainTexts));
  const encode = (files: TextSplit<CorpusFile>['train']) => files.map((f) => ({ name: f.path, tokens: tokenizer.encode(f.text) }));
  const model = base?.model ?? createModel(presetConfig(s.arch, s.preset, tokenizer.vocabSize, { seed: s.seed }));
  const config = model.config;
  const arch = config.arch;
  const preset = base?.preset ?? s.preset;
  const params = [...model.weights.values()].reduce((n, v) => n + v.size, 0);
  const workerCount = s.o.number('workers') ?? Math.max(0, coreCount() - 1);
  let gradientWorkers: GradientWorker[] = [];
  if (workerCount > 0) {
    try {
      gradientWorkers = await startGradientWorkers(workerCount, config, backend);
    } catch (e) {
      progress.log(`training on one thread: the gradient workers did not start (${(e as Error).message})`);
    }
  }
  progress.log(
    `${arch} ${preset}${base ? ` fine-tuned from ${base.record.name}` : ''}: ${formatNumber(params)} parameters, ${tokenizer.kind} tokenizer of ${tokenizer.vocabSize} tokens, ${backend} backend` +
      (gradientWorkers.length ? `, data parallel on ${gradientWorkers.length + 1} threads` : ''),
  );

  // Ctrl-C ends the run after the current step and still saves; a second one quits.
  const stop = new AbortController();
  const onInterrupt = () => {
    stop.abort();
    progress.log('stopping after this step (Ctrl-C again to quit without saving)');
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);

  let trainer: Trainer | null = null;
  try {
    try {
      trainer = new Trainer(
        model,
        { train: encode(split.train), validation: encode(split.validation), splitBy: split.splitBy },
        {
          seed: s.seed,
          maxSteps,
          maxTimeMs,
          learningRate: defaultSchedule({ maxSteps, maxTimeMs }, s.o.number('learning-rate')),
          charsPerToken: charsPerTokenOf(tokenizer),
          signal: stop.signal,
          progressEvery: 5,
          gradientWorkers,
          onProgress: (p) => {
            const fraction = Math.max(maxSteps ? p.step / maxSteps : 0, maxTimeMs ? p.elapsedMs / maxTimeMs : 0);
            const budget = maxTimeMs ? `/${formatDuration(maxTimeMs)}` : '';
            progress.update(
              fraction,
              `step ${p.step} · loss ${p.loss.toFixed(3)} · ${formatNumber(p.tokensPerSecond)} tok/s · ${formatDuration(p.elapsedMs)}${budget}`,
            );
          },
          onEval: (e) =>
            progress.log(
              `step ${e.step}: train loss ${e.trainLoss.toFixed(3)}, validation ${e.validationBitsPerChar.toFixed(3)} bits/char`,
            ),
        },
      );
    } catch (e) {
      throw new CliError(`cannot train on this corpus: ${(e as Error).message}`);
    }
    const result = await trainer.run();
    const last = result.lastEval;
    const kept = trainer.restoreBest();
    if (kept && last) {
      progress.log(
        `kept the weights of step ${kept.step} (validation ${kept.validationBitsPerChar.toFixed(3)} bits/char; step ${last.step}, the last, ${last.validationBitsPerChar.toFixed(3)})`,
      );
    }
    const summary = trainer.summary();
    const lastEval = summary.training.lastEval;
    // An interrupted run saves at once; a second Ctrl-C during the replay quits as before.
    const validationCompletion = stop.signal.aborted
      ? null
      : await measureCompletion(model, tokenizer, trainTexts, split.validation.map((f) => f.text), stop.signal, progress);
    const metadata: Partial<ModelMetadata> = {
      backend,
      corpus: corpusMetadata(dir, corpus, split, { train: summary.corpus.trainTokens, validation: summary.corpus.validationTokens }),
      training: summary.training,
      preset,
      ...(base ? { base: base.record } : {}),
      ...(validationCompletion ? { validationCompletion } : {}),
    };
    await writeModel(s.out, saveModelFile({ model, tokenizer, metadata }));
    return {
      arch,
      params,
      steps: result.steps,
      tokensPerSecond: summary.training.elapsedMs > 0 ? (summary.training.tokensSeen * 1000) / summary.training.elapsedMs : 0,
      trainLoss: lastEval?.trainLoss ?? NaN,
      valBitsPerChar: lastEval?.validationBitsPerChar ?? NaN,
      backend,
      validationCompletion,
    };
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    trainer?.dispose();
    model.dispose();
    for (const w of gradientWorkers) w.dispose();
  }
}

/** Replays validation text through the model and a training-only n-gram; null if Ctrl-C stopped it. */
async function measureCompletion(
  model: SequenceModel,
  tokenizer: EngineTokenizer,
  trainTexts: readonly string[],
  validationTexts: readonly string[],
  signal: AbortSignal,
  progress: Progress,
): Promise<ValidationCompletion | null> {
  progress.log('measuring completions on validation text (the model, and an n-gram of the training files)');
  try {
    const measured = await measureValidationCompletion(model, tokenizer, trainTexts, validationTexts, {
      signal,
      onProgress: (done, total) => progress.update(done / total, `completions on validation · ${Math.round((100 * done) / total)}%`),
    });
    progress.log(`completions: ${describeValidationCompletion(measured)}`);
    return measured;
  } catch (e) {
    if (signal.aborted) return null;
    throw e;
  }
}

export const trainCommand: Command = { spec, run };
