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
//   linear_before_reset = 1, Rb = [0, 0, bh], Wb = b (z block negated as above). It is also
//   what keeps one timestep to a single matMul h_{t−1} U for all three blocks.
// - bh (`layer{l}/bh`, (H)) is the candidate's recurrent bias, inside r ⊙ (…): it cannot be
//   folded into b. The z and r blocks need no recurrent bias (it would add to b's).
//
// Backward (one step; dh = ∂L/∂h_t):
//   dn = dh ⊙ z,  dz = dh ⊙ (n − h_{t−1}),  ∂L/∂h_{t−1} directly = dh ⊙ (1 − z)
//   da_n = dn ⊙ (1 − n²),  dr = da_n ⊙ (hu_n + bh),  d(hu_n + bh) = da_n ⊙ r
//   da_z = dz ⊙ z(1−z),  da_r = dr ⊙ r(1−r)
//   ∂L/∂xw = [da_z | da_r | da_n],   ∂L/∂hu = [da_z | da_r | da_n ⊙ r],   ∂L/∂bh = Σ da_n ⊙ r
import * as tf from '@tensorflow/tfjs';
import { columns, createRecurrentModel, tanh, type Cell } from './recurrent';
import type { RecurrentConfig, SequenceModel } from './sequenceModel';

export const gruCell: Cell = {
  kind: 'gru',
  gates: 3,
  stateSize: 1,
  extraWeights: ['bh'],

  initialBias: (config: RecurrentConfig) => new Float32Array(3 * config.hiddenSize),

  identityRecurrent: () => false,

  forward(xw, [hPrev], { U, extras: [bh] }) {
    const H = hPrev.shape[1];
    const hu = hPrev.matMul(U) as tf.Tensor2D; // (B, 3H)
    const zr = tf.sigmoid(columns(xw, 0, 2 * H).add(columns(hu, 0, 2 * H))) as tf.Tensor2D; // (B, 2H)
    const [z, r] = tf.split(zr, 2, 1) as tf.Tensor2D[];
    const hn = columns(hu, 2 * H, H).add(bh) as tf.Tensor2D; // h_{t−1} U_n + bh
    const n = tanh(columns(xw, 2 * H, H).add(r.mul(hn)) as tf.Tensor2D);
    const h = hPrev.add(z.mul(n.sub(hPrev))) as tf.Tensor2D; // (1 − z) h_{t−1} + z n
    return { state: [h], cache: [zr, z, r, hn, n] };
  },

  backward(dh, _dRest, [hPrev], { cache: [zr, z, r, hn, n] }) {
    const dn = dh.mul(z);
    const dz = dh.mul(n.sub(hPrev));
    const dhDirect = dh.sub(dn) as tf.Tensor2D; // dh ⊙ (1 − z)
    const dAn = dn.mul(tf.sub(1, n.square())) as tf.Tensor2D;
    const dr = dAn.mul(hn);
    const dHn = dAn.mul(r);
    const dZr = tf.concat([dz, dr] as tf.Tensor2D[], 1).mul(zr.mul(tf.sub(1, zr))); // σ' = σ(1 − σ)
    return {
      dxw: tf.concat([dZr, dAn], 1) as tf.Tensor2D,
      dhu: tf.concat([dZr, dHn], 1) as tf.Tensor2D,
      dhDirect,
      dRest: [],
    };
  },

  extraGradients: (dhu: tf.Tensor2D, H: number) => [columns(dhu, 2 * H, H).sum(0)],

  internals(_prev, { cache: [, z, r, , n] }) {
    return { update: z, reset: r, candidate: n };
  },
};

/** A GRU language model: the config's layers of GRU cells (recurrent.ts has the rest). */
export function createGru(config: RecurrentConfig): SequenceModel {
  return createRecurrentModel(config, gruCell);
}
