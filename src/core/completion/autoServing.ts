// Whether under seqlab.completions.source 'auto' a trained model serves, from what training
// measured on validation (validationCompletion.ts). Small on purpose: the host reads it from model
// cards without loading the evaluation code. No vscode, no DOM.

/** Order 8: on held-out files of two codebases, 3-4 points more keystroke savings and higher precision than 6 (docs/completions.md). */
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

/** One sentence for the end of training: both savings and what 'auto' does with them. */
export function describeValidationCompletion(measured: ValidationCompletion): string {
  const both =
    `on validation text it saves ${percent(measured.keystrokeSavings)} of keystrokes, ` +
    `an n-gram of the same training files ${percent(measured.ngramKeystrokeSavings)}`;
  return decideAutoServing(measured).serve === 'model'
    ? `${both}: it serves completions`
    : `${both}: under seqlab.completions.source 'auto' the workspace n-gram keeps serving`;
}

/** The field read from metadata, or undefined when absent or malformed (old files stay loadable). */
export function validationCompletionOf(metadata: { readonly [key: string]: unknown }): ValidationCompletion | undefined {
  const v = metadata.validationCompletion as Partial<ValidationCompletion> | undefined;
  if (!v || typeof v !== 'object') return undefined;
  if (typeof v.characters !== 'number' || typeof v.keystrokeSavings !== 'number' || typeof v.ngramKeystrokeSavings !== 'number') return undefined;
  const orNull = (x: unknown) => (typeof x === 'number' ? x : null);
  return { characters: v.characters, keystrokeSavings: v.keystrokeSavings, ngramKeystrokeSavings: v.ngramKeystrokeSavings, precision: orNull(v.precision), ngramPrecision: orNull(v.ngramPrecision) };
}
