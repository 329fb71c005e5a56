// A model's training curves, from what its file's metadata records. A model file may carry a
// list of evaluations (`metadata.history`: objects with `step` and any of `trainLoss`,
// `validationLoss`, `validationBitsPerChar`, `gradNorm`, `learningRate` — the fields of the
// trainer's EvalReport) or only the last one (`metadata.training.lastEval`), or nothing (an
// n-gram counts; it has no curve). Anything malformed is skipped, never trusted.

export type CurveName = 'trainLoss' | 'validationLoss' | 'validationBitsPerChar' | 'gradNorm' | 'learningRate';
export const CURVE_NAMES: readonly CurveName[] = ['trainLoss', 'validationLoss', 'validationBitsPerChar', 'gradNorm', 'learningRate'];

export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

export interface TrainingCurves {
  /** Points per curve, by ascending step; only curves with at least one point. */
  readonly curves: Partial<Record<CurveName, CurvePoint[]>>;
  /** Where the points came from. */
  readonly source: 'history' | 'lastEval' | 'none';
  /** Updates the model was trained for, when recorded. */
  readonly steps?: number;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function addPoints(curves: Partial<Record<CurveName, CurvePoint[]>>, entry: Record<string, unknown>): void {
  const step = entry.step;
  if (typeof step !== 'number' || !Number.isFinite(step)) return;
  for (const name of CURVE_NAMES) {
    const value = entry[name];
    if (typeof value === 'number' && Number.isFinite(value)) (curves[name] ??= []).push({ step, value });
  }
}

export function trainingCurves(metadata: unknown): TrainingCurves {
  const meta = asRecord(metadata) ?? {};
  const training = asRecord(meta.training);
  const steps = typeof training?.steps === 'number' ? training.steps : undefined;
  const curves: Partial<Record<CurveName, CurvePoint[]>> = {};
  if (Array.isArray(meta.history)) {
    for (const entry of meta.history) {
      const record = asRecord(entry);
      if (record) addPoints(curves, record);
    }
    for (const points of Object.values(curves)) points?.sort((a, b) => a.step - b.step);
    if (Object.keys(curves).length > 0) return { curves, source: 'history', steps };
  }
  const lastEval = asRecord(training?.lastEval);
  if (lastEval) {
    addPoints(curves, lastEval);
    if (Object.keys(curves).length > 0) return { curves, source: 'lastEval', steps };
  }
  return { curves: {}, source: 'none', steps };
}
