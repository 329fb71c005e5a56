// Backpropagation through time made visible: ‖∂L/∂h_t‖ for every timestep t of a window, where
// L is the cross-entropy of the LAST timestep's prediction only (mean over the batch rows).
// Had we used the loss summed over all timesteps, every h_t would also receive the gradient of
// its own nearby predictions and the decay would be hidden. With the last-step loss, the curve
// read from t = T−1 backwards shows how much of one prediction's error reaches each earlier
// step: shrinking towards t = 0 is vanishing gradient, growing is exploding.
//
// h_t is whatever the model's `probe` perturbs (the top recurrent layer's hidden state, or the
// transformer's residual stream): the model adds a zero tensor [T, B, probeSize] to it, and the
// gradient with respect to that tensor is ∂L/∂h_t. The norm is taken per row over the probe
// width and averaged over rows.
import * as tf from '@tensorflow/tfjs';
import type { SequenceModel } from '../models/sequenceModel';
import { lastStepCrossEntropy } from './loss';

/**
 * ids/targets [B, T] int32 (full windows, no padding) → Float32Array of T norms, index = t.
 * Returns null when the model exposes no probe (probeSize 0 or no gradient reaches it).
 */
export async function timestepGradientNorms(
  model: SequenceModel,
  ids: tf.Tensor2D,
  targets: tf.Tensor2D,
): Promise<Float32Array | null> {
  if (!(model.probeSize > 0)) return null;
  const [b, t] = ids.shape;
  let norms: tf.Tensor1D;
  try {
    norms = tf.tidy(() => {
      const probe = tf.zeros([t, b, model.probeSize]) as tf.Tensor3D;
      const grad = tf.grad((p: tf.Tensor) => lastStepCrossEntropy(model.forward(ids, { probe: p as tf.Tensor3D }), targets))(
        probe,
      );
      return grad.square().sum(2).sqrt().mean(1) as tf.Tensor1D;
    });
  } catch {
    return null;
  }
  const data = (await norms.data()) as Float32Array;
  norms.dispose();
  return Float32Array.from(data);
}
