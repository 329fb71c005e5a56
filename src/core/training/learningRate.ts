// Learning-rate schedule: linear warm-up, then cosine decay to a floor (as in nanoGPT).
// Warm-up keeps the first, badly-informed updates small (Adam's moment estimates are noisy
// early); the cosine decay lets the end of training settle into a minimum.
//
//   step < warmup:            lr = peak · (step + 1) / warmup
//   warmup ≤ step < decayEnd: lr = min + ½(1 + cos(π · (step − warmup)/(decayEnd − warmup))) · (peak − min)
//   step ≥ decayEnd:          lr = min
//
// `step` counts from 0 (the first update). With a budget in time only, `decayMs` puts the end of
// the cosine at that much training time instead (progress = elapsed / decayMs), so a run stopped by
// its time budget still ends on a small rate. Without either (e.g. training stopped by a
// validation plateau, so the end is unknown) the rate stays at `peak` after warm-up.
//
// `decayFrom` (a fraction of the way from warm-up to the end) holds the peak that long and runs
// the cosine over the rest ("warm-up, stable, decay"): a short budget then spends most of its
// updates at the full rate, where decaying from the start would slow it while it is far from a
// minimum.

export interface LearningRateSchedule {
  readonly peak: number;
  /** Updates spent ramping up linearly to `peak`. Default 0. */
  readonly warmupSteps?: number;
  /** The step at which the cosine reaches `min` (counted from 0, including warm-up). */
  readonly decaySteps?: number;
  /** Floor of the decay. Default peak / 10. */
  readonly min?: number;
  /** Instead of decaySteps: the training time (ms) at which the cosine reaches `min`. */
  readonly decayMs?: number;
  /** Share of the way from warm-up to the end spent at `peak` before the cosine starts. Default 0. */
  readonly decayFrom?: number;
}

/** The cosine from peak to min at `progress` in [0, 1] of the way, after the stable share. */
function cosineAt(progress: number, schedule: LearningRateSchedule, min: number): number {
  const from = Math.min(1, Math.max(0, schedule.decayFrom ?? 0));
  const p = from >= 1 ? (progress >= 1 ? 1 : 0) : Math.max(0, (progress - from) / (1 - from));
  return min + 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p))) * (schedule.peak - min);
}

/** `elapsedMs`: training time so far, for a schedule that decays over time (`decayMs`). */
export function learningRateAt(step: number, schedule: LearningRateSchedule, elapsedMs = 0): number {
  const { peak } = schedule;
  const warmup = Math.max(0, schedule.warmupSteps ?? 0);
  const min = schedule.min ?? peak / 10;
  if (step < warmup) return (peak * (step + 1)) / warmup;
  if (schedule.decaySteps === undefined && schedule.decayMs !== undefined && schedule.decayMs > 0) {
    return cosineAt(Math.min(1, Math.max(0, elapsedMs / schedule.decayMs)), schedule, min);
  }
  const decayEnd = schedule.decaySteps;
  if (decayEnd === undefined || !Number.isFinite(decayEnd)) return peak;
  if (step >= decayEnd) return min;
  return cosineAt((step - warmup) / (decayEnd - warmup), schedule, min);
}
