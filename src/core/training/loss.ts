// Next-token cross-entropy, in nats. The log-softmax is written out as
// x − max − log Σ exp(x − max) (stable for large logits; the wasm backend has no LogSoftmax
// kernel), and the loss carries its own gradient, (softmax − onehot)·w/Σw, which is both the
// textbook result and cheaper than differentiating through the log-softmax and a gather.
import * as tf from '@tensorflow/tfjs';

/** log softmax along the last axis, numerically stable. */
export function logSoftmax(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shifted = logits.sub(logits.max(-1, true));
    return shifted.sub(shifted.exp().sum(-1, true).log());
  });
}

/** −log p(target) per position: logits [N, V], targets int32 [N] → [N]. No gradient. */
export function negativeLogLikelihood(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => pick(logSoftmax(logits) as tf.Tensor2D, targets).neg() as tf.Tensor1D);
}

/** row i's entry at column targets[i]: [N, V] → [N]. */
function pick(matrix: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [n, v] = matrix.shape;
  const flat = tf.range(0, n, 1, 'int32').mul(tf.scalar(v, 'int32')).add(targets.toInt());
  return tf.gather(matrix.reshape([-1]), flat) as tf.Tensor1D;
}

/**
 * Mean cross-entropy Σ w_i·(−log p(target_i)) / Σ w_i over every position.
 * logits [..., V]; targets int32 [...] (same leading shape); weights [...] (1 = counts,
 * 0 = padding; default all 1). Differentiable with respect to `logits`.
 */
export function crossEntropy(logits: tf.Tensor, targets: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  const vocab = logits.shape[logits.shape.length - 1];
  const n = logits.size / vocab;
  const flatTargets = targets.reshape([n]).toInt() as tf.Tensor1D;
  const flatWeights = (weights ? weights.reshape([n]).toFloat() : tf.ones([n])) as tf.Tensor1D;
  const withGradient = (x: tf.Tensor, save: tf.GradSaveFunc) => {
    const logp = logSoftmax(x.reshape([n, vocab])) as tf.Tensor2D;
    // Σw is clamped to ≥ 1e-12 so an all-padding batch gives 0, not NaN.
    const scale = flatWeights.div(flatWeights.sum().maximum(1e-12)) as tf.Tensor1D;
    save([logp, flatTargets, scale]);
    return {
      value: pick(logp, flatTargets).neg().mul(scale).sum() as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [lp, tg, sc] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        const grad = lp.exp().sub(tf.oneHot(tg, vocab).toFloat()).mul(sc.expandDims(1)).mul(dy);
        return grad.reshape(x.shape);
      },
    };
  };
  const loss = tf.customGrad(withGradient as unknown as Parameters<typeof tf.customGrad>[0]);
  return loss(logits) as tf.Scalar;
}

/**
 * Cross-entropy at the last position only (mean over the batch): logits [B, T, V], targets
 * [B, T]. What `gradientFlow` differentiates, so that ∂L/∂h_t shows how far back one
 * prediction's error reaches.
 */
export function lastStepCrossEntropy(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  const [b, t, v] = logits.shape;
  const last = logits.slice([0, t - 1, 0], [b, 1, v]);
  const lastTargets = targets.slice([0, t - 1], [b, 1]);
  return crossEntropy(last, lastTargets);
}
