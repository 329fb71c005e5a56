// How a trained model completes the validation split next to the n-gram the workspace would serve,
// counted on the training files only (counting the validation files would flatter the n-gram).
// Run at the end of training (CLI and trainer webview); autoServing.ts reads the result.
import type { SequenceModel } from '../models/sequenceModel';
import { NgramModel } from '../ngram/ngram';
import { DEFAULT_DECODING, type EngineTokenizer } from './engine';
import { neuralServing, ngramServing } from './servingEngine';
import { tfjsStepper } from './stepper';
import { keystrokeSavings, limitCharacters, type ProgressCallback } from '../evaluation';
import { VALIDATION_REPLAY_CHARS, WORKSPACE_NGRAM_ORDER, type ValidationCompletion } from './autoServing';

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
