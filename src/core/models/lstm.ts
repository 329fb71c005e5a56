// Long short-term memory (Hochreiter & Schmidhuber 1997, with a forget gate, Gers et al. 2000).
// A separate cell state c carries memory; gates decide what to forget, what to store and what
// to show:
//
//   a_t = x_t W + b + h_{t−1} U            (B, 4H): four gate blocks of H columns
//   i_t = σ(a_i)     input gate             how much of the candidate to store
//   o_t = σ(a_o)     output gate            how much of the cell to show
//   f_t = σ(a_f)     forget gate            how much of the old cell to keep
//   g_t = tanh(a_g)  candidate              the new content
//   c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
//   h_t = o_t ⊙ tanh(c_t)
//
// Gate layout: the columns of W, U and b are the blocks [i | o | f | g], each H wide. That is
// ONNX's LSTM order (i, o, f, c), so export only transposes: ONNX W = Wᵀ, R = Uᵀ, B = [b, 0].
// (tf.layers' LSTM uses i, f, c, o.) The forget block of b starts at config.forgetBias (1 keeps
// memory open early in training); every other bias starts at 0.
//
// Backward (one step; dh = ∂L/∂h_t, dc_next = ∂L/∂c_t through step t+1):
//   do = dh ⊙ tanh(c_t)
//   dc = dc_next + dh ⊙ o ⊙ (1 − tanh²(c_t))
//   di = dc ⊙ g,  df = dc ⊙ c_{t−1},  dg = dc ⊙ i,  ∂L/∂c_{t−1} = dc ⊙ f
//   da = [di ⊙ i(1−i) | do ⊙ o(1−o) | df ⊙ f(1−f) | dg ⊙ (1−g²)]      (both for xW and hU)
import * as tf from '@tensorflow/tfjs';
import { createRecurrentModel, tanh, type Cell } from './recurrent';
import type { RecurrentConfig, SequenceModel } from './sequenceModel';

export const lstmCell: Cell = {
  kind: 'lstm',
  gates: 4,
  stateSize: 2, // h, c
  extraWeights: [],

  initialBias(config: RecurrentConfig): Float32Array {
    const H = config.hiddenSize;
    const b = new Float32Array(4 * H);
    b.fill(config.forgetBias, 2 * H, 3 * H); // the f block
    return b;
  },

  identityRecurrent: () => false,

  forward([xi, xo, xf, xg], [hi, ho, hf, hg], [, cPrev]) {
    const i = tf.sigmoid(xi.add(hi)) as tf.Tensor2D;
    const o = tf.sigmoid(xo.add(ho)) as tf.Tensor2D;
    const f = tf.sigmoid(xf.add(hf)) as tf.Tensor2D;
    const g = tanh(xg.add(hg) as tf.Tensor2D);
    const c = f.mul(cPrev).add(i.mul(g)) as tf.Tensor2D;
    const tc = tanh(c);
    const h = o.mul(tc) as tf.Tensor2D;
    return { state: [h, c], cache: [i, o, f, g, tc] };
  },

  backward(dh, [dcNext], [, cPrev], { cache: [i, o, f, g, tc] }) {
    const sigmoidSlope = (s: tf.Tensor2D) => s.mul(tf.sub(1, s)); // σ' = σ(1 − σ)
    let dc = dh.mul(o).mul(tf.sub(1, tc.square())) as tf.Tensor2D;
    if (dcNext) dc = dc.add(dcNext);
    const dA = [
      dc.mul(g).mul(sigmoidSlope(i)), // i
      dh.mul(tc).mul(sigmoidSlope(o)), // o
      dc.mul(cPrev).mul(sigmoidSlope(f)), // f
      dc.mul(i).mul(tf.sub(1, g.square())), // g
    ] as tf.Tensor2D[];
    return { dxw: dA, dhu: dA, dhDirect: null, dRest: [dc.mul(f) as tf.Tensor2D] };
  },

  extraGradients: () => [],

  internals(_prev, { state: [, c], cache: [i, o, f, g] }) {
    return { forget: f, input: i, candidate: g, output: o, cell: c };
  },
};

/** An LSTM language model: the config's layers of LSTM cells (recurrent.ts has the rest). */
export function createLstm(config: RecurrentConfig): SequenceModel {
  return createRecurrentModel(config, lstmCell);
}
