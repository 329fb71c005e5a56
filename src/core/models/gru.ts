// Gated recurrent unit (Cho et al. 2014). Two gates, no separate cell: the update gate z
// interpolates between the old state and a candidate, the reset gate r decides how much of
// the old state the candidate sees.
//
//   xw_t = x_t W + b,  hu_t = h_{t−1} U        (B, 3H): blocks [z | r | n], H columns each
//   z_t = σ(xw_z + hu_z)               update gate
//   r_t = σ(xw_r + hu_r)               reset gate
//   n_t = tanh(xw_n + r_t ⊙ (hu_n + bh))     candidate ĥ_t
//   h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ n_t
//
// Conventions, for export and for anyone comparing with another library:
// - z = 1 takes the candidate (h_t = ĥ_t), z = 0 keeps the old state: the "update" reading of
//   Chung et al. 2014. ONNX and PyTorch use the opposite, h_t = (1 − z) ⊙ ĥ + z ⊙ h_{t−1}; since
//   1 − σ(a) = σ(−a), their z-gate weights are ours negated: ONNX W_z = −W_zᵀ, R_z = −U_zᵀ,
//   Wb_z = −b_z.
// - Reset AFTER the recurrent matMul ("reset-after", cuDNN, Keras reset_after=True): r scales
//   h_{t−1} U_n + bh, not h_{t−1} before the matMul. This is ONNX GRU with
//   linear_before_reset = 1, Rb = [0, 0, bh], Wb = b (z block negated as above). It also keeps
//   a timestep's products independent of its gates: h_{t−1} U for all three blocks at once,
//   where reset-before needs a second product (r ⊙ h_{t−1}) U_n after r is known.
// - bh (`layer{l}/bh`, (H)) is the candidate's recurrent bias, inside r ⊙ (…): it cannot be
//   folded into b. The z and r blocks need no recurrent bias (it would add to b's).
//
// Backward (one step; dh = ∂L/∂h_t):
//   dn = dh ⊙ z,  dz = dh ⊙ (n − h_{t−1}),  ∂L/∂h_{t−1} directly = dh ⊙ (1 − z)
//   da_n = dn ⊙ (1 − n²),  dr = da_n ⊙ (hu_n + bh),  d(hu_n + bh) = da_n ⊙ r
//   da_z = dz ⊙ z(1−z),  da_r = dr ⊙ r(1−r)
//   ∂L/∂xw = [da_z | da_r | da_n],   ∂L/∂hu = [da_z | da_r | da_n ⊙ r],   ∂L/∂bh = Σ da_n ⊙ r
import * as tf from '@tensorflow/tfjs';
import { createRecurrentModel, tanh, type Cell } from './recurrent';
import type { RecurrentConfig, SequenceModel } from './sequenceModel';

export const gruCell: Cell = {
  kind: 'gru',
  gates: 3,
  stateSize: 1,
  extraWeights: ['bh'],

  initialBias: (config: RecurrentConfig) => new Float32Array(3 * config.hiddenSize),

  identityRecurrent: () => false,

  forward([xz, xr, xn], [hz, hr, hn], [hPrev], [bh]) {
    const z = tf.sigmoid(xz.add(hz)) as tf.Tensor2D;
    const r = tf.sigmoid(xr.add(hr)) as tf.Tensor2D;
    const hnb = hn.add(bh) as tf.Tensor2D; // h_{t−1} U_n + bh
    const n = tanh(xn.add(r.mul(hnb)) as tf.Tensor2D);
    const h = hPrev.add(z.mul(n.sub(hPrev))) as tf.Tensor2D; // (1 − z) h_{t−1} + z n
    return { state: [h], cache: [z, r, hnb, n] };
  },

  backward(dh, _dRest, [hPrev], { cache: [z, r, hnb, n] }) {
    const dn = dh.mul(z);
    const dAn = dn.mul(tf.sub(1, n.square())) as tf.Tensor2D;
    const dAz = dh.mul(n.sub(hPrev)).mul(z.mul(tf.sub(1, z))) as tf.Tensor2D;
    const dAr = dAn.mul(hnb).mul(r.mul(tf.sub(1, r))) as tf.Tensor2D;
    return {
      dxw: [dAz, dAr, dAn],
      dhu: [dAz, dAr, dAn.mul(r) as tf.Tensor2D],
      dhDirect: dh.sub(dn) as tf.Tensor2D, // dh ⊙ (1 − z)
      dRest: [],
    };
  },

  extraGradients: ([, , dhnSum]) => [dhnSum], // ∂L/∂bh = Σ ∂L/∂(h U_n + bh)

  internals(_prev, { cache: [z, r, , n] }) {
    return { update: z, reset: r, candidate: n };
  },
};

/** A GRU language model: the config's layers of GRU cells (recurrent.ts has the rest). */
export function createGru(config: RecurrentConfig): SequenceModel {
  return createRecurrentModel(config, gruCell);
}
