// How a trained model completes the validation split next to the n-gram the workspace would serve,
// counted on the training files only (counting the validation files would flatter the n-gram),
// and, for a character model, the hybrid of the two (hybrid.ts): its gate is fitted on the
// validation characters the replay did not use, so the replay measures it on text it was not
// fitted on. Run at the end of training (CLI and trainer webview); autoServing.ts reads the result.
import type { SequenceModel } from '../models/sequenceModel';
import { DEFAULT_DOCUMENT_CACHE } from '../ngram/documentCache';
import { NgramModel } from '../ngram/ngram';
import { DEFAULT_DECODING, type EngineTokenizer } from './engine';
import { collectGateSamples, fitGate, ngramBlend, NgramSide, type HybridGate } from './hybrid';
import { neuralServing, ngramServing } from './servingEngine';
import { tfjsStepper, type Stepper } from './stepper';
import { codePointCount, keystrokeSavings, limitCharacters, type KeystrokeResult, type ProgressCallback } from '../evaluation';
import { GATE_FIT_CHARS, REPLAY_CHARS_PER_FILE, replayBudget, WORKSPACE_NGRAM_ORDER, type HybridCompletion, type ValidationCompletion } from './autoServing';

export interface ValidationCompletionOptions {
  /**
   * Most characters to replay; default replayBudget's 12,000. A GPU backend, where every step of
   * the replay is a round trip to the device, replays MIN_VALIDATION_REPLAY_CHARS.
   */
  readonly maxChars?: number;
  readonly onProgress?: ProgressCallback;
  /** Aborting stops the replay between texts' keystrokes (the run was cancelled). */
  readonly signal?: { readonly aborted: boolean };
}

/** Fewer fitting positions than this after the replay: the gate is fitted on the replayed text. */
const MIN_GATE_FIT_CHARS = 500;

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * What a replay of `replayed` (the start of each of the first `texts`) left of them: the rest of
 * each replayed file, then the files it did not reach; at most `limit` code units, in order.
 */
export function charactersLeft(texts: readonly string[], replayed: readonly string[], limit: number): string[] {
  const out: string[] = [];
  let left = limit;
  for (const [i, text] of texts.entries()) {
    if (left <= 0) break;
    const part = text.slice(replayed[i]?.length ?? 0).slice(0, left);
    if (part === '') continue;
    out.push(part);
    left -= part.length;
  }
  return out;
}

/** Replays up to 12,000 validation characters (replayBudget), spread over the files, through the model, a training-only n-gram and (character models) their hybrid. */
export async function measureValidationCompletion(
  model: SequenceModel,
  tokenizer: EngineTokenizer,
  trainTexts: readonly string[],
  validationTexts: readonly string[],
  options: ValidationCompletionOptions = {},
): Promise<ValidationCompletion> {
  const validationChars = validationTexts.reduce((n, t) => n + codePointCount(t), 0);
  const texts = limitCharacters(validationTexts, Math.min(options.maxChars ?? Infinity, replayBudget(validationChars)), REPLAY_CHARS_PER_FILE);
  const ngram = NgramModel.train(trainTexts, { order: WORKSPACE_NGRAM_ORDER });
  const withHybrid = tokenizer.kind === 'char';
  const phases = withHybrid ? 4 : 2;
  const progress = (phase: number) => (done: number, total: number) => {
    if (options.signal?.aborted) throw new Error('cancelled');
    options.onProgress?.(phase * total + done, phases * total);
  };
  const stepper = tfjsStepper(model);
  const neural = neuralServing('trained model', 'tfjs', stepper, model, tokenizer, DEFAULT_DECODING);
  const modelReplay = await keystrokeSavings(neural, texts, { onProgress: progress(0) }).finally(() => neural.dispose());
  const counted = ngramServing('n-gram (training files)', ngram, DEFAULT_DECODING);
  const ngramReplay = await keystrokeSavings(counted, texts, { onProgress: progress(1) }).finally(() => counted.dispose());
  const measured: ValidationCompletion = {
    characters: modelReplay.characters,
    keystrokeSavings: modelReplay.savings,
    ngramKeystrokeSavings: ngramReplay.savings,
    precision: finiteOrNull(modelReplay.precision),
    ngramPrecision: finiteOrNull(ngramReplay.precision),
  };
  if (!withHybrid) return measured;
  progress(2)(0, 1);
  const { gate, fittedOnReplay } = await fitHybridGate(stepper, tokenizer, ngram, validationTexts, texts, options.signal);
  const hybrid = hybridServing(stepper, model, tokenizer, ngram, gate);
  const hybridReplay = await keystrokeSavings(hybrid, texts, { onProgress: progress(3) }).finally(() => hybrid.dispose());
  return { ...measured, hybrid: hybridCompletion(hybridReplay, gate, fittedOnReplay) };
}

/**
 * The gate fitted on the validation characters `replayed` (the start of each of the first
 * `validationTexts`, what a replay measures) left, so that replay is on text the gate never saw;
 * on the replayed texts themselves when fewer than 500 characters are left. `ngram` must not have
 * counted `validationTexts`.
 */
export async function fitHybridGate<S>(
  stepper: Stepper<S>,
  tokenizer: EngineTokenizer,
  ngram: NgramModel,
  validationTexts: readonly string[],
  replayed: readonly string[],
  signal?: { readonly aborted: boolean },
  adaptationRate = DEFAULT_DECODING.adaptationRate,
): Promise<{ gate: HybridGate; fittedOnReplay: boolean }> {
  const after = charactersLeft(validationTexts, replayed, GATE_FIT_CHARS);
  const fittedOnReplay = after.reduce((n, t) => n + t.length, 0) < MIN_GATE_FIT_CHARS;
  const samples = await collectGateSamples(stepper, tokenizer, ngram, DEFAULT_DOCUMENT_CACHE, fittedOnReplay ? replayed : after, adaptationRate, signal);
  return { gate: fitGate(samples), fittedOnReplay };
}

/** The hybrid as the editor serves it: the model mixed with `ngram` and the document cache by `gate`. */
export function hybridServing<S>(stepper: Stepper<S>, model: { readonly config: SequenceModel['config'] }, tokenizer: EngineTokenizer, ngram: NgramModel, gate: HybridGate) {
  return neuralServing('hybrid', 'tfjs', stepper, model, tokenizer, DEFAULT_DECODING, () => ngramBlend(new NgramSide(ngram, tokenizer, DEFAULT_DOCUMENT_CACHE), gate));
}

function hybridCompletion(replay: KeystrokeResult, gate: HybridGate, fittedOnReplay: boolean): HybridCompletion {
  return { keystrokeSavings: replay.savings, precision: finiteOrNull(replay.precision), gate, fittedOnReplay };
}
