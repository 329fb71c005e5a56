// The vanilla (Elman) recurrent network: one hidden state, one nonlinearity.
//
//   h_t = f(x_t W + h_{t−1} U + b)        f = tanh or ReLU (config.activation)
//
// W (I, H), U (H, H), b (H). With config.identityInit, U starts as the identity and b at 0
// (Le et al. 2015, "IRNN"; the lecture's remedy for vanishing gradients, best with ReLU):
// at the start h_t = f(h_{t−1} + x_t W), so gradients pass back through time unshrunk.
// Export: ONNX RNN with activation Tanh or Relu, W = Wᵀ, R = Uᵀ, B = [b, 0].
//
// Backward (one step; dh = ∂L/∂h_t, y = f(a_t)):
//   da = dh ⊙ f'(a_t),   tanh: f' = 1 − y²,   ReLU: f' = 1 where y > 0, else 0
import * as tf from '@tensorflow/tfjs';
import { createRecurrentModel, tanh, type Cell } from './recurrent';
import type { RecurrentConfig, SequenceModel } from './sequenceModel';

/** The RNN cell with nonlinearity `activation`. */
export function rnnCell(activation: 'tanh' | 'relu'): Cell {
  if (activation !== 'tanh' && activation !== 'relu') throw new Error(`unknown RNN activation '${activation}'`);
  return {
    kind: 'rnn',
    gates: 1,
    stateSize: 1,
    extraWeights: [],

    initialBias: (config: RecurrentConfig) => new Float32Array(config.hiddenSize),

    identityRecurrent: (config: RecurrentConfig) => config.identityInit,

    forward([xw], [hu]) {
      const a = xw.add(hu) as tf.Tensor2D; // (B, H)
      const y = activation === 'tanh' ? tanh(a) : (tf.relu(a) as tf.Tensor2D);
      return { state: [y], cache: [y] };
    },

    backward(dh, _dRest, _prev, { cache: [y] }) {
      const slope = activation === 'tanh' ? tf.sub(1, y.square()) : tf.step(y); // f'(a) from y = f(a)
      const dA = dh.mul(slope) as tf.Tensor2D;
      return { dxw: [dA], dhu: [dA], dhDirect: null, dRest: [] };
    },

    extraGradients: () => [],

    internals: () => ({}),
  };
}

/** A vanilla RNN language model: the config's layers of RNN cells (recurrent.ts has the rest). */
export function createRnn(config: RecurrentConfig): SequenceModel {
  return createRecurrentModel(config, rnnCell(config.activation));
}
