// Gradient clipping by global norm (the lecture's remedy for exploding gradients): when the
// norm of all gradients taken together, ‖g‖ = sqrt(Σ_i Σ g_i²), exceeds `maxNorm`, every
// gradient is scaled by maxNorm/‖g‖, so the update keeps its direction but not its size.
// The trainer reports ‖g‖ before clipping, which is the quantity that shows explosions.
import * as tf from '@tensorflow/tfjs';

/** sqrt(Σ over every tensor of Σ g²) as a scalar tensor (no read-back). */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    return tf.addN(grads.map((g) => g.square().sum())).sqrt() as tf.Scalar;
  });
}

export interface Clipped<T extends tf.Tensor> {
  readonly grads: T[];
  /** The global norm before clipping. */
  readonly norm: tf.Scalar;
}

/**
 * Scales `grads` by min(1, maxNorm/‖g‖). maxNorm = Infinity (or ≤ 0) disables clipping; the
 * norm is still computed. Returns new tensors; the inputs are left alone.
 */
export function clipByGlobalNorm<T extends tf.Tensor>(grads: readonly T[], maxNorm: number): Clipped<T> {
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    if (!(maxNorm > 0) || maxNorm === Infinity) {
      return { grads: grads.map((g) => g.clone() as T), norm };
    }
    // maxNorm / max(‖g‖, maxNorm) is exactly 1 when ‖g‖ ≤ maxNorm.
    const scale = tf.scalar(maxNorm).div(norm.maximum(maxNorm));
    return { grads: grads.map((g) => g.mul(scale) as T), norm };
  });
}
