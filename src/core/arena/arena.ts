// The arena: several contenders trained one after another on the same data under the same
// budget (tokens or seconds), each scored on the same held-out texts, ending in one table.
// Neural contenders go through the core Trainer (the loop the trainer webview and the CLI use);
// the n-gram counts its training text. Runs wherever tfjs has a backend (the Playground webview,
// the tests in Node). Curves are validation bits/char against tokens seen and seconds.
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_DECODING } from '../completion/engine';
import { neuralServing, ngramServing } from '../completion/servingEngine';
import { tfjsStepper } from '../completion/stepper';
import { keystrokeSavings, limitCharacters, percentile, scoreNeural, scoreNgram } from '../evaluation';
import { createModel, defaultTrainingWindow, type SequenceModel } from '../models';
import { NgramModel } from '../ngram/ngram';
import { CharTokenizer } from '../tokenizers';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { charsPerTokenOf } from '../training/metrics';
import { timestepGradientNorms } from '../training/gradientFlow';
import { Trainer } from '../training/trainer';
import { answerAccuracy, neuralPredictor, ngramPredictor } from '../tasks/scoring';
import type { TaskExample } from '../tasks/task';
import { contenderConfig, contenderLabel, ngramOrderOf, type ContenderSpec } from './contenders';

export type ArenaBudget = { readonly kind: 'tokens'; readonly tokens: number } | { readonly kind: 'seconds'; readonly seconds: number };

export interface ArenaDataset {
  /** What the texts are, for the table and the saved run. */
  readonly description: string;
  readonly train: readonly string[];
  readonly validation: readonly string[];
  /** A lecture task's held-out examples: answer accuracy is scored on them. */
  readonly taskExamples?: readonly TaskExample[];
  readonly taskChance?: number;
}

export interface ArenaSettings {
  readonly seqLen?: number;
  readonly batchSize?: number;
  readonly seed?: number;
  /** Evaluations (curve points) per contender, at least. Default 8. */
  readonly points?: number;
  /** Held-out characters scored for bits/char (default 20,000) and replayed for keystroke savings (default 2,000). */
  readonly scoredChars?: number;
  readonly replayedChars?: number;
}

export interface CurvePoint {
  readonly tokens: number;
  readonly seconds: number;
  readonly bitsPerChar: number;
}

export interface ArenaRow {
  readonly label: string;
  readonly spec: ContenderSpec;
  readonly parameters: number;
  readonly heldOutBitsPerChar: number;
  /**
   * The training loss of the last evaluation interval in bits/char (null for the n-gram): far
   * under the held-out figure is overfitting, or, with the causal mask off, the leak.
   */
  readonly trainingBitsPerChar: number | null;
  readonly keystrokeSavings: number;
  /** Median wall time of a single-line suggestion in the replay. */
  readonly latencyMs: number;
  readonly tokensPerSecond: number;
  readonly tokensSeen: number;
  readonly seconds: number;
  /** Lecture tasks: share of answer characters predicted right (null for other data). */
  readonly taskAccuracy: number | null;
  /**
   * ‖∂L/∂h_t‖ for t = 0..T−1 of the trained model, L the last position's loss on held-out windows
   * (gradientFlow.ts): how much of one prediction's error reaches each earlier step. Null for the
   * n-gram, or when the held-out text is shorter than a window.
   */
  readonly gradientFlow: number[] | null;
}

export interface ArenaCallbacks {
  readonly onStart?: (index: number, label: string) => void;
  readonly onPoint?: (index: number, point: CurvePoint) => void;
  readonly onRow?: (index: number, row: ArenaRow) => void;
  readonly shouldStop?: () => boolean;
  readonly now?: () => number;
}

/** A trained contender: its row, its curve and the model itself (the caller disposes it). */
export interface ArenaEntry {
  readonly row: ArenaRow;
  readonly curve: CurvePoint[];
  readonly model: { readonly kind: 'neural'; readonly model: SequenceModel } | { readonly kind: 'ngram'; readonly ngram: NgramModel };
}

export interface ArenaResult {
  readonly dataset: string;
  readonly budget: ArenaBudget;
  readonly tokenizer: Tokenizer;
  readonly entries: ArenaEntry[];
}

function parameterCount(model: SequenceModel): number {
  let n = 0;
  for (const v of model.weights.values()) n += v.size;
  return n;
}

function defaultNow(): () => number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? () => perf.now() : () => Date.now();
}

export function checkBudget(budget: ArenaBudget): void {
  const amount = budget.kind === 'tokens' ? budget.tokens : budget.seconds;
  if (!(amount > 0 && Number.isFinite(amount))) throw new Error(`the budget must be a positive number of ${budget.kind}, got ${amount}`);
}

export async function runArena(
  contenders: readonly ContenderSpec[],
  dataset: ArenaDataset,
  budget: ArenaBudget,
  settings: ArenaSettings = {},
  callbacks: ArenaCallbacks = {},
): Promise<ArenaResult> {
  if (contenders.length < 1 || contenders.length > 6) throw new Error(`pick 1 to 6 contenders, got ${contenders.length}`);
  checkBudget(budget);
  const tokenizer = CharTokenizer.build([...dataset.train, ...dataset.validation]);
  const scored = limitCharacters(dataset.validation, settings.scoredChars ?? 20_000);
  const replayed = limitCharacters(dataset.validation, settings.replayedChars ?? 2_000);
  const entries: ArenaEntry[] = [];
  for (let i = 0; i < contenders.length; i++) {
    if (callbacks.shouldStop?.()) break;
    const spec = contenders[i];
    callbacks.onStart?.(i, contenderLabel(spec));
    const onPoint = (p: CurvePoint) => callbacks.onPoint?.(i, p);
    const entry =
      spec.kind === 'ngram'
        ? await runNgram(spec, dataset, budget, scored, replayed, onPoint, callbacks.now ?? defaultNow())
        : await runNeural(spec, dataset, budget, settings, tokenizer, scored, replayed, onPoint, callbacks);
    entries.push(entry);
    callbacks.onRow?.(i, entry.row);
  }
  return { dataset: dataset.description, budget, tokenizer, entries };
}

async function runNeural(
  spec: ContenderSpec,
  dataset: ArenaDataset,
  budget: ArenaBudget,
  settings: ArenaSettings,
  tokenizer: Tokenizer,
  scored: string[],
  replayed: string[],
  onPoint: (p: CurvePoint) => void,
  callbacks: ArenaCallbacks,
): Promise<ArenaEntry> {
  const seed = settings.seed ?? 0;
  // A lecture task's examples are short documents: windows as long as the longest one.
  const model = createModel(contenderConfig(spec, tokenizer.vocabSize, seed));
  const seqLen = settings.seqLen ?? (dataset.taskExamples ? Math.max(...dataset.train.map((t) => t.length)) : defaultTrainingWindow(model.config));
  const batchSize = settings.batchSize ?? 16;
  const encode = (texts: readonly string[]) => texts.map((t, k) => ({ name: String(k), tokens: tokenizer.encode(t) }));
  const points = settings.points ?? 8;
  // Evaluate often enough for `points` curve points: by steps for a token budget; for a time
  // budget, guessed from the first steps' speed below.
  const stepsForTokens = budget.kind === 'tokens' ? Math.max(1, Math.ceil(budget.tokens / (batchSize * seqLen))) : null;
  const curve: CurvePoint[] = [];
  let trainer: Trainer | null = null;
  const tokensSeen = () => trainer!.summary().training.tokensSeen;
  try {
    trainer = new Trainer(model, { train: encode(dataset.train), validation: encode(dataset.validation) }, {
      seqLen,
      batchSize,
      seed,
      clipNorm: spec.knobs?.clipNorm ?? 1,
      maxTimeMs: budget.kind === 'seconds' ? budget.seconds * 1000 : undefined,
      evalEvery: stepsForTokens ? Math.max(1, Math.floor(stepsForTokens / points)) : 20,
      evalWindows: 16,
      progressEvery: 5,
      gradientFlowRows: 0,
      charsPerToken: charsPerTokenOf(tokenizer),
      shouldStop: () => (budget.kind === 'tokens' && tokensSeen() >= budget.tokens) || (callbacks.shouldStop?.() ?? false),
      onEval: (r) => {
        const point = { tokens: tokensSeen(), seconds: r.elapsedMs / 1000, bitsPerChar: r.validationBitsPerChar };
        curve.push(point);
        onPoint(point);
      },
    });
    const result = await trainer.run();
    const seen = tokensSeen();
    const engine = neuralServing(contenderLabel(spec), 'tfjs', tfjsStepper(model), model, tokenizer, DEFAULT_DECODING);
    try {
      const replay = await keystrokeSavings(engine, replayed, { now: callbacks.now });
      const row: ArenaRow = {
        label: contenderLabel(spec),
        spec,
        parameters: parameterCount(model),
        heldOutBitsPerChar: scoreNeural(model, tokenizer, scored).bitsPerChar,
        trainingBitsPerChar: trainingBits(result.lastEval?.trainLoss),
        keystrokeSavings: replay.savings,
        latencyMs: replay.latenciesMs.length ? percentile(replay.latenciesMs, 50) : 0,
        tokensPerSecond: result.elapsedMs > 0 ? (seen / result.elapsedMs) * 1000 : 0,
        tokensSeen: seen,
        seconds: result.elapsedMs / 1000,
        taskAccuracy: dataset.taskExamples ? answerAccuracy(dataset.taskExamples, neuralPredictor(model, tokenizer)).perCharacter : null,
        gradientFlow: await heldOutGradientFlow(model, tokenizer, scored, seqLen),
      };
      return { row, curve, model: { kind: 'neural', model } };
    } finally {
      engine.dispose();
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    trainer?.dispose();
  }
}

/** Rows of held-out windows the gradient flow is averaged over. */
const GRADIENT_FLOW_ROWS = 8;

/** ‖∂L/∂h_t‖ over up to GRADIENT_FLOW_ROWS windows of `seqLen` cut from the held-out text (one stream). */
async function heldOutGradientFlow(model: SequenceModel, tokenizer: Tokenizer, texts: readonly string[], seqLen: number): Promise<number[] | null> {
  const stream = tokenizer.encode(texts.join(''));
  const rows = Math.min(GRADIENT_FLOW_ROWS, Math.floor((stream.length - 1) / seqLen));
  if (rows < 1) return null;
  const window = (r: number, shift: number) => Array.from(stream.slice(r * seqLen + shift, r * seqLen + shift + seqLen));
  const ids = tf.tensor2d(Array.from({ length: rows }, (_, r) => window(r, 0)), [rows, seqLen], 'int32');
  const targets = tf.tensor2d(Array.from({ length: rows }, (_, r) => window(r, 1)), [rows, seqLen], 'int32');
  try {
    const norms = await timestepGradientNorms(model, ids, targets);
    return norms ? Array.from(norms) : null;
  } finally {
    tf.dispose([ids, targets]);
  }
}

/** A training loss in nats per character (the arena's tokens are characters) as bits; null when there is none. */
function trainingBits(lossNats: number | undefined): number | null {
  return lossNats !== undefined && Number.isFinite(lossNats) ? lossNats / Math.LN2 : null;
}

/** The first `limit` characters of `texts` (all of them when limit is Infinity). */
function headOf(texts: readonly string[], limit: number): string[] {
  return Number.isFinite(limit) ? limitCharacters(texts, limit) : [...texts];
}

async function runNgram(
  spec: ContenderSpec,
  dataset: ArenaDataset,
  budget: ArenaBudget,
  scored: string[],
  replayed: string[],
  onPoint: (p: CurvePoint) => void,
  now: () => number,
): Promise<ArenaEntry> {
  // Counting is the n-gram's training: it reads at most the token budget's characters (all of
  // them under a time budget, which counting meets in a fraction of a second). The curve
  // counts growing shares of that text.
  const order = ngramOrderOf(spec);
  const limit = budget.kind === 'tokens' ? budget.tokens : Infinity;
  const all = headOf(dataset.train, limit);
  const total = all.reduce((s, t) => s + t.length, 0);
  const curve: CurvePoint[] = [];
  let ngram: NgramModel | null = null;
  let seconds = 0;
  for (const share of [1 / 8, 1 / 4, 1 / 2, 1]) {
    const texts = headOf(all, Math.max(1, Math.floor(total * share)));
    const start = now();
    ngram = NgramModel.train(texts, { order });
    seconds = (now() - start) / 1000;
    const tokens = texts.reduce((s, t) => s + t.length, 0);
    const point = { tokens, seconds, bitsPerChar: ngram.bitsPerChar(scored) };
    curve.push(point);
    onPoint(point);
  }
  const served = ngramServing(contenderLabel(spec), ngram!, DEFAULT_DECODING);
  const replay = await keystrokeSavings(served, replayed, { now }).finally(() => served.dispose());
  const row: ArenaRow = {
    label: contenderLabel(spec),
    spec,
    parameters: 0,
    heldOutBitsPerChar: scoreNgram(ngram!, scored).bitsPerChar,
    trainingBitsPerChar: null,
    keystrokeSavings: replay.savings,
    latencyMs: replay.latenciesMs.length ? percentile(replay.latenciesMs, 50) : 0,
    tokensPerSecond: seconds > 0 ? total / seconds : 0,
    tokensSeen: total,
    seconds,
    taskAccuracy: dataset.taskExamples ? answerAccuracy(dataset.taskExamples, ngramPredictor(ngram!)).perCharacter : null,
    gradientFlow: null,
  };
  return { row, curve, model: { kind: 'ngram', ngram: ngram! } };
}

export function disposeArena(result: ArenaResult): void {
  for (const e of result.entries) if (e.model.kind === 'neural') e.model.model.dispose();
}
