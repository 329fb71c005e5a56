// `seqlab eval`: how well a saved model predicts and completes held-out files
// (see core/evaluation.ts for what each number means).
import type { BackendName } from '../../core/backend/backend';
import { DEFAULT_DECODING, type DecodingOptions } from '../../core/completion/engine';
import { neuralServing, ngramServing, type ServingEngine } from '../../core/completion/servingEngine';
import { tfjsStepper } from '../../core/completion/stepper';
import { collectGateSamples, mixtureBits, ngramBlend, NgramSide } from '../../core/completion/hybrid';
import { DEFAULT_DOCUMENT_CACHE } from '../../core/ngram/documentCache';
import {
  keystrokeSavings,
  limitCharacters,
  percentile,
  scoreNeural,
  scoreNgram,
  type PredictionScores,
} from '../../core/evaluation';
import { decodeText } from '../../core/corpus/filters';
import { readBounded } from '../../node/boundedRead';
import { readCorpus } from '../../node/corpus';
import { Options, type CommandSpec, type ParsedArgs } from '../args';
import { Progress } from '../progressBar';
import { adaptationRateOption, backendOption, CliError, countsOption, formatNumber, formatPercent, hybridCounts, jsonOption, printJson, readModel, requirePath, type CliIO, type Command } from './common';

/** Where suggestions end in the keystroke replay unless --min-probability says otherwise (the extension's default). */
export const DEFAULT_EVAL_MIN_PROBABILITY = DEFAULT_DECODING.minProbability;

/** The `--json` result of an evaluation. */
export interface EvalJson {
  readonly bitsPerChar: number;
  readonly top1Accuracy: number;
  readonly keystrokeSavings: number;
  /** Of the suggestions shown (each counted once), the share that were exactly how the line goes on. */
  readonly precision: number;
  /** Characters accepted per suggestion shown. */
  readonly acceptedCharsPerShown: number;
  readonly shownSuggestions: number;
  readonly acceptedSuggestions: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  /** Characters (code points) evaluated. */
  readonly characters: number;
  /** What was measured: the model file alone, or (with --counts, a model with a gate) the hybrid. */
  readonly engine: 'model' | 'hybrid';
}

const spec: CommandSpec = {
  name: 'eval',
  brief: 'Measure a model on held-out files.',
  summary:
    'Measure a model on held-out files: bits per character, top-1 next-character accuracy, keystroke\n' +
    'savings (a simulated user typing each file through the editor\'s completion path with its default\n' +
    'settings, accepting exact single-line suggestions of 2+ characters), precision of the suggestions\n' +
    'shown, and the latency of a suggestion. A folder stands for the text files under it.',
  positionals: [
    { name: 'model', description: 'Model file written by `seqlab train`.' },
    { name: 'files', variadic: true, description: 'Files or folders to evaluate on.' },
  ],
  options: [
    {
      name: 'min-probability',
      kind: 'number',
      valueName: 'P',
      min: 0,
      max: 1,
      defaultText: String(DEFAULT_EVAL_MIN_PROBABILITY),
      description: 'Suggestions end before a token the model gives less than P.',
    },
    {
      name: 'min-suggestion-probability',
      kind: 'number',
      valueName: 'P',
      min: 0,
      defaultText: String(DEFAULT_DECODING.minSuggestionProbability),
      description: 'Suggestions end before the token that would bring the product of their token probabilities below P.',
    },
    adaptationRateOption,
    countsOption,
    { name: 'limit-chars', kind: 'integer', valueName: 'N', min: 1, description: 'Evaluate only the first N characters (in file order).' },
    backendOption,
    jsonOption,
  ],
  examples: ['seqlab eval lstm.seqlab test/held-out.js --json', 'seqlab eval lstm.seqlab held-out/ --counts src/', 'seqlab eval ngram.seqlab ./other-project --limit-chars 20000'],
};

/** Largest file `eval` reads when named (a folder's files are capped at 1 MiB each by the corpus reader). */
export const MAX_EVAL_FILE_BYTES = 16 * 1024 * 1024;

/** The texts of `paths`: files as they are, folders through the corpus reader. */
function readTexts(paths: readonly string[]): string[] {
  const texts: string[] = [];
  for (const p of paths) {
    if (requirePath(p, 'input', 'either') === 'folder') {
      texts.push(...readCorpus(p).files.map((f) => f.text));
      continue;
    }
    const read = readBounded(p, MAX_EVAL_FILE_BYTES);
    if (!read.ok) {
      if (read.problem === 'too-large') {
        throw new CliError(`"${p}" is ${formatNumber(read.size ?? 0)} bytes, over eval's ${formatNumber(MAX_EVAL_FILE_BYTES)} byte limit for one file; evaluate a part of it`);
      }
      throw new CliError(`cannot read "${p}": ${read.message}`);
    }
    const text = decodeText(read.bytes);
    if (text === null) throw new CliError(`"${p}" is not a UTF-8 text file`);
    texts.push(text);
  }
  return texts;
}

async function run(args: ParsedArgs, io: CliIO): Promise<void> {
  const o = new Options(args.options);
  const [modelPath, ...paths] = args.positionals;
  let texts = readTexts(paths);
  const limit = o.number('limit-chars');
  if (limit !== undefined) texts = limitCharacters(texts, limit);
  texts = texts.filter((t) => t.length > 0);
  if (texts.length === 0) throw new CliError('nothing to evaluate: the files are empty');

  const loaded = await readModel(modelPath, o.string('backend', 'wasm') as BackendName);
  const progress = new Progress(io.stderr);
  let scores: PredictionScores;
  let engine: ServingEngine;
  let hybrid = false;
  const decoding: DecodingOptions = {
    ...DEFAULT_DECODING,
    minProbability: o.number('min-probability', DEFAULT_EVAL_MIN_PROBABILITY),
    minSuggestionProbability: o.number('min-suggestion-probability', DEFAULT_DECODING.minSuggestionProbability),
    adaptationRate: o.number('adaptation-rate', DEFAULT_DECODING.adaptationRate),
  };
  const counts = hybridCounts(o.string('counts'), modelPath, loaded);
  if (loaded.kind === 'ngram') {
    scores = scoreNgram(loaded.ngram, texts, (done, total) => progress.update(done / total, 'scoring'));
    engine = ngramServing('n-gram', loaded.ngram, decoding);
  } else {
    const stepper = tfjsStepper(loaded.model);
    if (counts) {
      const { gate, ngram: counted } = counts;
      progress.update(0, 'scoring');
      // Each position scored by both sides, mixed by the gate: the hybrid's bits per character.
      const samples = await collectGateSamples(stepper, loaded.tokenizer, counted, DEFAULT_DOCUMENT_CACHE, texts, decoding.adaptationRate);
      const hybridScores = scoreNeural(loaded.model, loaded.tokenizer, texts);
      scores = { ...hybridScores, bitsPerChar: mixtureBits(gate, samples) };
      engine = neuralServing('hybrid', 'tfjs', stepper, loaded.model, loaded.tokenizer, decoding, () => ngramBlend(new NgramSide(counted, loaded.tokenizer, DEFAULT_DOCUMENT_CACHE), gate));
      hybrid = true;
    } else {
      scores = scoreNeural(loaded.model, loaded.tokenizer, texts, (done, total) => progress.update(done / total, 'scoring'));
      engine = neuralServing('neural', 'tfjs', stepper, loaded.model, loaded.tokenizer, decoding);
    }
  }
  progress.done();
  let replay;
  try {
    replay = await keystrokeSavings(engine, texts, {
      onProgress: (done, total) => progress.update(done / total, 'replaying keystrokes'),
    });
  } finally {
    engine.dispose();
    if (loaded.kind === 'neural') loaded.model.dispose();
  }
  progress.done();

  const result: EvalJson = {
    bitsPerChar: scores.bitsPerChar,
    top1Accuracy: scores.top1Accuracy,
    keystrokeSavings: replay.savings,
    precision: replay.precision,
    acceptedCharsPerShown: replay.acceptedCharsPerShown,
    shownSuggestions: replay.shownSuggestions,
    acceptedSuggestions: replay.acceptedSuggestions,
    latencyMs: { p50: percentile(replay.latenciesMs, 50), p99: percentile(replay.latenciesMs, 99) },
    characters: replay.characters,
    engine: hybrid ? 'hybrid' : 'model',
  };
  if (o.flag('json')) {
    printJson(io, result);
    return;
  }
  const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
  io.stdout.write(
    [
      `bits/char          ${result.bitsPerChar.toFixed(3)}`,
      `top-1 accuracy     ${formatPercent(result.top1Accuracy)}`,
      `keystroke savings  ${formatPercent(result.keystrokeSavings)} (${formatNumber(replay.acceptedSuggestions)} suggestions accepted, ${formatNumber(replay.acceptedCharacters)} characters)`,
      `precision          ${formatPercent(result.precision)} of ${formatNumber(result.shownSuggestions)} suggestions shown were right; ${result.acceptedCharsPerShown.toFixed(2)} characters accepted per suggestion shown`,
      `latency            p50 ${ms(result.latencyMs.p50)}, p99 ${ms(result.latencyMs.p99)} (${replay.latenciesMs.length} suggestions)`,
      `characters         ${formatNumber(result.characters)}`,
      ...(hybrid ? ['engine             the hybrid: the model mixed with the n-gram of --counts and the document cache (bits/char from each file\'s second character; top-1 is the model\'s)'] : []),
    ].join('\n') + '\n',
  );
}

export const evalCommand: Command = { spec, run };
