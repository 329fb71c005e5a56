// Layer normalisation (Ba et al. 2016): each vector is shifted and scaled to mean 0 and
// variance 1 over its own features, then given a learned scale (gamma) and shift (beta):
//   y = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta
// Unlike batch normalisation it needs no statistics across the batch, so training and
// inference compute the same thing and one token at a time works.
//
// The normalisation's gradient is written out by hand: tfjs's automatic one takes about twice
// the ops. With x̂ the normalised input and g = ∂L/∂x̂, per vector of n features:
//   ∂L/∂x = (g - mean(g) - x̂ * mean(g * x̂)) / sqrt(var(x) + eps)
//
// In a Transformer every layer norm feeds a linear map, and then gamma and beta can be folded
// into that map's weights (foldIntoLinear): the same function, but their gradients come from
// [C, M]-sized tensors instead of sums over every position of the batch.
import * as tf from '@tensorflow/tfjs';
import { reshape } from './fastOps';
import { LAYER_NORM_EPSILON } from './transformerNumbers';

/** x̂ = (x - mean(x)) / sqrt(var(x) + eps) over the last axis of x [..., C]: layer norm without gamma and beta. */
export function normalize(x: tf.Tensor, epsilon: number = LAYER_NORM_EPSILON): tf.Tensor {
  const width = x.shape[x.shape.length - 1];
  const shape = x.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x2 = args[0] as tf.Tensor2D; // (N, C)
    const save = args[1] as tf.GradSaveFunc;
    const mean = x2.mean(1, true); // (N, 1)
    const centred = x2.sub(mean); // (N, C)
    const variance = centred.square().mean(1, true); // (N, 1)
    const invStd = variance.add(epsilon).rsqrt(); // (N, 1)
    const normalised = centred.mul(invStd); // x̂ (N, C)
    save([normalised, invStd]);
    return {
      value: normalised,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xHat, s] = saved;
        return dy
          .sub(dy.mean(1, true))
          .sub(xHat.mul(dy.mul(xHat).mean(1, true)))
          .mul(s);
      },
    };
  });
  return reshape(op(reshape(x, [x.size / width, width])), shape);
}

/** Layer norm of x [..., C] over its last axis; gamma and beta are [C]. */
export function layerNorm(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number = LAYER_NORM_EPSILON,
): tf.Tensor {
  return normalize(x, epsilon).mul(gamma).add(beta);
}

/**
 * LN(x) W + b = (x̂ * gamma + beta) W + b = x̂ (diag(gamma) W) + (beta W + b):
 * the kernel [C, M] and bias [M] of the linear map that, applied to x̂, equals the map
 * (kernel, bias) applied to layerNorm(x, gamma, beta). Bias absent = zero.
 */
export function foldIntoLinear(
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  kernel: tf.Tensor2D,
  bias?: tf.Tensor1D,
): { kernel: tf.Tensor2D; bias: tf.Tensor1D } {
  const scaled = kernel.mul(gamma.expandDims(1)) as tf.Tensor2D; // row c scaled by gamma[c]
  const shift = kernel.mul(beta.expandDims(1)).sum(0) as tf.Tensor1D; // Σ_c beta[c] W[c, m] → (M)
  return { kernel: scaled, bias: bias ? shift.add(bias) : shift };
}
