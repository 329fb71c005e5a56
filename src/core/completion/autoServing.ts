// Whether under seqlab.completions.source 'auto' a trained model serves, from what training
// measured on validation (validationCompletion.ts). Small on purpose: the host reads it from model
// cards without loading the evaluation code. No vscode, no DOM.
import { hybridGateOf, type HybridGate } from './hybrid';

/** Order 8: on held-out files of two codebases, 3-4 points more keystroke savings and higher precision than 6 (docs/completions.md). */
export const WORKSPACE_NGRAM_ORDER = 8;

/**
 * Validation characters replayed at the end of training, at most REPLAY_CHARS_PER_FILE from the
 * start of each file: with 3,000 from one or two files, one file the training files nearly
 * repeated decided for the whole workspace (docs/completions.md). 16-17 s in Node for an LSTM small.
 */
export const VALIDATION_REPLAY_CHARS = 12000;
export const REPLAY_CHARS_PER_FILE = 2000;
/** A smaller validation split is replayed this far, GATE_FIT_CHARS permitting (see replayBudget). */
export const MIN_VALIDATION_REPLAY_CHARS = 3000;

/** Validation characters the replay left (the rest of each file, then the files it did not reach) the hybrid's gate is fitted on. */
export const GATE_FIT_CHARS = 4000;

/**
 * Characters to replay out of `validationChars`: up to VALIDATION_REPLAY_CHARS, but leaving
 * GATE_FIT_CHARS for the gate where the split is smaller, and never under
 * MIN_VALIDATION_REPLAY_CHARS.
 */
export function replayBudget(validationChars: number): number {
  return Math.min(VALIDATION_REPLAY_CHARS, Math.max(MIN_VALIDATION_REPLAY_CHARS, validationChars - GATE_FIT_CHARS));
}

/** The same replay through the hybrid (hybrid.ts): the model mixed with the n-gram by its gate. */
export interface HybridCompletion {
  readonly keystrokeSavings: number;
  readonly precision: number | null;
  readonly gate: HybridGate;
  /** Whether the gate was fitted on the replayed characters themselves (validation too short for both). */
  readonly fittedOnReplay: boolean;
}

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
  /** Absent for word-level models (the n-gram counts characters) and in older files. */
  readonly hybrid?: HybridCompletion;
}

export type AutoServingDecision =
  | { readonly serve: 'model'; readonly reason: 'no-measurement' | 'model-saves-more' }
  | { readonly serve: 'hybrid'; readonly reason: 'hybrid-saves-most'; readonly gate: HybridGate }
  | { readonly serve: 'ngram'; readonly reason: string };

const percent = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Under 'auto', whichever saved the most keystrokes on validation: the hybrid (the model with the
 * workspace n-gram mixed in), the model alone, or the n-gram alone, ties going in that order. A
 * file without the measurement (saved before it existed) serves the model as before.
 */
export function decideAutoServing(measured: ValidationCompletion | undefined): AutoServingDecision {
  if (!measured) return { serve: 'model', reason: 'no-measurement' };
  const { hybrid } = measured;
  if (hybrid && hybrid.keystrokeSavings >= Math.max(measured.keystrokeSavings, measured.ngramKeystrokeSavings)) {
    return { serve: 'hybrid', reason: 'hybrid-saves-most', gate: hybrid.gate };
  }
  if (measured.keystrokeSavings >= measured.ngramKeystrokeSavings) return { serve: 'model', reason: 'model-saves-more' };
  return {
    serve: 'ngram',
    reason:
      `the n-gram saved ${percent(measured.ngramKeystrokeSavings)} of keystrokes on validation, the model ${percent(measured.keystrokeSavings)}: ` +
      `the n-gram keeps serving; choose 'activeModel' to use the model anyway`,
  };
}

/** One sentence for the end of training: the savings and what 'auto' does with them. */
export function describeValidationCompletion(measured: ValidationCompletion): string {
  const hybrid = measured.hybrid ? `, the two mixed ${percent(measured.hybrid.keystrokeSavings)}` : '';
  const all =
    `on validation text it saves ${percent(measured.keystrokeSavings)} of keystrokes, ` +
    `an n-gram of the same training files ${percent(measured.ngramKeystrokeSavings)}${hybrid}`;
  switch (decideAutoServing(measured).serve) {
    case 'hybrid':
      return `${all}: completions mix the model with the workspace n-gram`;
    case 'model':
      return `${all}: it serves completions`;
    case 'ngram':
      return `${all}: under seqlab.completions.source 'auto' the workspace n-gram keeps serving`;
  }
}

function hybridOf(h: unknown): HybridCompletion | undefined {
  if (!h || typeof h !== 'object') return undefined;
  const v = h as Partial<HybridCompletion>;
  const gate = hybridGateOf(v.gate);
  if (typeof v.keystrokeSavings !== 'number' || !gate) return undefined;
  return { keystrokeSavings: v.keystrokeSavings, precision: typeof v.precision === 'number' ? v.precision : null, gate, fittedOnReplay: v.fittedOnReplay === true };
}

/** The field read from metadata, or undefined when absent or malformed (old files stay loadable). */
export function validationCompletionOf(metadata: { readonly [key: string]: unknown }): ValidationCompletion | undefined {
  const v = metadata.validationCompletion as Partial<ValidationCompletion> | undefined;
  if (!v || typeof v !== 'object') return undefined;
  if (typeof v.characters !== 'number' || typeof v.keystrokeSavings !== 'number' || typeof v.ngramKeystrokeSavings !== 'number') return undefined;
  const orNull = (x: unknown) => (typeof x === 'number' ? x : null);
  const hybrid = hybridOf(v.hybrid);
  return {
    characters: v.characters,
    keystrokeSavings: v.keystrokeSavings,
    ngramKeystrokeSavings: v.ngramKeystrokeSavings,
    precision: orNull(v.precision),
    ngramPrecision: orNull(v.ngramPrecision),
    ...(hybrid ? { hybrid } : {}),
  };
}
