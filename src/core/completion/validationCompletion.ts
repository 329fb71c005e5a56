// How a trained model completes the validation split next to the n-gram the workspace would serve,
// counted on the training files only (counting the validation files would flatter the n-gram),
// and whether under completions.source 'auto' the model should serve. No vscode, no DOM.
import type { SequenceModel } from '../models/sequenceModel';
import { NgramModel } from '../ngram/ngram';
import { DEFAULT_DECODING, type EngineTokenizer } from './engine';
import { neuralServing, ngramServing } from './servingEngine';
import { tfjsStepper } from './stepper';
import { keystrokeSavings, limitCharacters, type ProgressCallback } from '../evaluation';

/** The workspace n-gram's order (docs/completions.md says why 8). */
export const WORKSPACE_NGRAM_ORDER = 8;

/** Validation characters replayed at the end of training: enough to rank, done in seconds. */
export const VALIDATION_REPLAY_CHARS = 3000;

/** Stored in ModelMetadata.validationCompletion. */
export interface ValidationCompletion {
  /** Validation characters replayed. */
  readonly characters: number;
  readonly keystrokeSavings: number;
  /** The same replay over an n-gram of WORKSPACE_NGRAM_ORDER counted on the training files. */
  readonly ngramKeystrokeSavings: number;
  /** NaN (stored as null) when nothing was shown. */
  readonly precision: number | null;
  readonly ngramPrecision: number | null;
}

export interface ValidationCompletionOptions {
  readonly maxChars?: number;
  readonly onProgress?: ProgressCallback;
  /** Aborting stops the replay between texts' keystrokes (the run was cancelled). */
  readonly signal?: { readonly aborted: boolean };
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Replays up to maxChars validation characters through the model and a training-only n-gram. */
export async function measureValidationCompletion(
  model: SequenceModel,
  tokenizer: EngineTokenizer,
  trainTexts: readonly string[],
  validationTexts: readonly string[],
  options: ValidationCompletionOptions = {},
): Promise<ValidationCompletion> {
  const texts = limitCharacters(validationTexts, options.maxChars ?? VALIDATION_REPLAY_CHARS);
  const ngram = NgramModel.train(trainTexts, { order: WORKSPACE_NGRAM_ORDER });
  const progress = (half: number) => (done: number, total: number) => {
    if (options.signal?.aborted) throw new Error('cancelled');
    options.onProgress?.(half * total + done, 2 * total);
  };
  const neural = neuralServing('trained model', 'tfjs', tfjsStepper(model), model, tokenizer, DEFAULT_DECODING);
  const modelReplay = await keystrokeSavings(neural, texts, { onProgress: progress(0) }).finally(() => neural.dispose());
  const counted = ngramServing('n-gram (training files)', ngram, DEFAULT_DECODING);
  const ngramReplay = await keystrokeSavings(counted, texts, { onProgress: progress(1) }).finally(() => counted.dispose());
  return {
    characters: modelReplay.characters,
    keystrokeSavings: modelReplay.savings,
    ngramKeystrokeSavings: ngramReplay.savings,
    precision: finiteOrNull(modelReplay.precision),
    ngramPrecision: finiteOrNull(ngramReplay.precision),
  };
}

export type AutoServingDecision =
  | { readonly serve: 'model'; readonly reason: 'no-measurement' | 'model-saves-more' }
  | { readonly serve: 'ngram'; readonly reason: string };

const percent = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Under 'auto': the model serves when it saved at least as many keystrokes on validation as the
 * n-gram did; a file without the measurement (saved before it existed) serves as before.
 */
export function decideAutoServing(measured: ValidationCompletion | undefined): AutoServingDecision {
  if (!measured) return { serve: 'model', reason: 'no-measurement' };
  if (measured.keystrokeSavings >= measured.ngramKeystrokeSavings) return { serve: 'model', reason: 'model-saves-more' };
  return {
    serve: 'ngram',
    reason:
      `the n-gram saved ${percent(measured.ngramKeystrokeSavings)} of keystrokes on validation, the model ${percent(measured.keystrokeSavings)}: ` +
      `the n-gram keeps serving; choose 'activeModel' to use the model anyway`,
  };
}

/** The field read from metadata, or undefined when absent or malformed (old files stay loadable). */
export function validationCompletionOf(metadata: { readonly [key: string]: unknown }): ValidationCompletion | undefined {
  const v = metadata.validationCompletion as Partial<ValidationCompletion> | undefined;
  if (!v || typeof v !== 'object') return undefined;
  if (typeof v.characters !== 'number' || typeof v.keystrokeSavings !== 'number' || typeof v.ngramKeystrokeSavings !== 'number') return undefined;
  const orNull = (x: unknown) => (typeof x === 'number' ? x : null);
  return { characters: v.characters, keystrokeSavings: v.keystrokeSavings, ngramKeystrokeSavings: v.ngramKeystrokeSavings, precision: orNull(v.precision), ngramPrecision: orNull(v.ngramPrecision) };
}
