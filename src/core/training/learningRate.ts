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
}

/** `elapsedMs`: training time so far, for a schedule that decays over time (`decayMs`). */
export function learningRateAt(step: number, schedule: LearningRateSchedule, elapsedMs = 0): number {
  const { peak } = schedule;
  const warmup = Math.max(0, schedule.warmupSteps ?? 0);
  const min = schedule.min ?? peak / 10;
  if (step < warmup) return (peak * (step + 1)) / warmup;
  if (schedule.decaySteps === undefined && schedule.decayMs !== undefined && schedule.decayMs > 0) {
    const progress = Math.min(1, Math.max(0, elapsedMs / schedule.decayMs));
    return min + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - min);
  }
  const decayEnd = schedule.decaySteps;
  if (decayEnd === undefined || !Number.isFinite(decayEnd)) return peak;
  if (step >= decayEnd) return min;
  const progress = (step - warmup) / (decayEnd - warmup);
  return min + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - min);
}
