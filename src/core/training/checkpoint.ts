// What a paused run needs to continue exactly as if it had never stopped: the optimiser's state
// (Adam's moments and update count), the window sampler's PRNG state, the step count, the
// running train-loss sum since the last evaluation, the time spent, and the early-stopping
// bookkeeping. The model's weights travel separately (they are the model). `modelFile.ts` stores
// a checkpoint next to the weights; `Trainer` produces and consumes it.
import type { RngState } from '../random';
import type { NamedArray, OptimizerState } from './optimizers';

export interface TrainerProgress {
  /** Updates done. */
  readonly step: number;
  readonly rngState: RngState;
  /** Real (non-padding) target tokens trained on. */
  readonly tokensSeen: number;
  /** Time spent training and evaluating, pauses excluded. */
  readonly elapsedMs: number;
  readonly bestValidationLoss: number | null;
  readonly evalsSinceBest: number;
  /** Σ of step losses (float32) since the last evaluation, and how many steps that is. */
  readonly lossSum: number;
  readonly lossCount: number;
  readonly lastEvalStep: number;
}

export interface TrainingCheckpoint {
  readonly progress: TrainerProgress;
  readonly optimizer: OptimizerState;
}

/** Checks the shape of a checkpoint read from outside; throws a plain Error naming the first problem. */
export function validateCheckpoint(value: unknown): TrainingCheckpoint {
  const fail = (what: string): never => {
    throw new Error(`invalid training checkpoint: ${what}`);
  };
  if (!isObject(value)) fail('not an object');
  const { progress, optimizer } = value as Record<string, unknown>;
  if (!isObject(progress)) fail('no progress');
  const p = progress as Record<string, unknown>;
  for (const key of ['step', 'tokensSeen', 'elapsedMs', 'evalsSinceBest', 'lossSum', 'lossCount', 'lastEvalStep']) {
    if (typeof p[key] !== 'number' || !Number.isFinite(p[key])) fail(`progress.${key} is not a finite number`);
  }
  if (p.bestValidationLoss !== null && typeof p.bestValidationLoss !== 'number') fail('progress.bestValidationLoss');
  const rng = p.rngState;
  if (!Array.isArray(rng) || rng.length !== 4 || rng.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
    fail('progress.rngState is not four 32-bit words');
  }
  if (!isObject(optimizer)) fail('no optimizer state');
  const o = optimizer as Record<string, unknown>;
  if (!isObject(o.config) || typeof (o.config as { kind?: unknown }).kind !== 'string') fail('optimizer.config');
  if (!Number.isInteger(o.step) || (o.step as number) < 0) fail('optimizer.step');
  if (!Array.isArray(o.slots)) fail('optimizer.slots');
  for (const s of o.slots as unknown[]) {
    const slot = s as Partial<NamedArray>;
    if (!isObject(s) || typeof slot.name !== 'string' || !(slot.data instanceof Float32Array) || !Array.isArray(slot.shape)) {
      fail('optimizer slot');
    }
  }
  return value as TrainingCheckpoint;
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
