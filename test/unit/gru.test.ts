import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createGru } from '../../src/core/models/gru';
import { disposeState } from '../../src/core/models/sequenceModel';
import {
  addVec,
  assertClose,
  idsTensor,
  recurrentConfig,
  setWeight,
  sharedRecurrentTests,
  sigmoid,
  trainOnPattern,
  vecMat,
  weightValues,
} from './recurrentHelpers';
import { useTestBackend } from './tfSetup';

// V = 3, E = 2, H = 2. Gate blocks of W, U, b: [z | r | n], two columns each.
const weights = {
  embedding: [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75]],
  'layer0/W': [
    [0.1, -0.2, 0.3, 0.05, 0.4, -0.3],
    [-0.25, 0.15, 0.1, -0.35, -0.15, 0.5],
  ],
  'layer0/U': [
    [0.2, 0.1, -0.3, 0.25, 0.3, 0.1],
    [-0.1, 0.35, 0.05, -0.2, -0.25, 0.2],
  ],
  'layer0/b': [0.05, -0.05, 0.1, 0, 0.2, 0.1],
  'layer0/bh': [0.3, -0.2],
  'output/kernel': [[0.6, -0.4, 0.2], [-0.3, 0.5, 0.7]],
  'output/bias': [0.1, 0, -0.1],
};

/** The GRU equations (reset after the recurrent matMul) in plain JS over one sequence. */
function gruByHand(tokens: number[]) {
  const out = { update: [] as number[][], reset: [] as number[][], candidate: [] as number[][], hidden: [] as number[][], logits: [] as number[][] };
  let h = [0, 0];
  for (const id of tokens) {
    const xw = addVec(vecMat(weights.embedding[id], weights['layer0/W']), weights['layer0/b']);
    const hu = vecMat(h, weights['layer0/U']);
    const z = [sigmoid(xw[0] + hu[0]), sigmoid(xw[1] + hu[1])];
    const r = [sigmoid(xw[2] + hu[2]), sigmoid(xw[3] + hu[3])];
    const bh = weights['layer0/bh'];
    const n = [Math.tanh(xw[4] + r[0] * (hu[4] + bh[0])), Math.tanh(xw[5] + r[1] * (hu[5] + bh[1]))];
    h = [(1 - z[0]) * h[0] + z[0] * n[0], (1 - z[1]) * h[1] + z[1] * n[1]];
    out.update.push(z);
    out.reset.push(r);
    out.candidate.push(n);
    out.hidden.push(h);
    out.logits.push(addVec(vecMat(h, weights['output/kernel']), weights['output/bias']));
  }
  return out;
}

describe('GRU', () => {
  before(useTestBackend);

  it('computes the GRU equations with hand-set weights (forward, inspect, step)', () => {
    const model = createGru(recurrentConfig('gru', { vocabSize: 3, embeddingSize: 2, hiddenSize: 2 }));
    for (const [name, values] of Object.entries(weights)) setWeight(model, name, values);
    const sequences = [[2, 0, 1], [1, 1, 0]];
    const logits = tf.tidy(() => model.forward(idsTensor(sequences)).arraySync() as number[][][]);
    sequences.forEach((tokens, b) => {
      const expected = gruByHand(tokens);
      tokens.forEach((_, t) => assertClose(logits[b][t], expected.logits[t], 1e-6, `logits[${b}][${t}]`));
    });
    const layer = model.inspect([2, 0, 1]).layers[0];
    assert.equal(layer.kind, 'gru');
    if (layer.kind !== 'gru') return;
    // A spot value written out: step 1 of sequence [2, …], h_0 = 0 so hu = 0:
    // a_z0 = −0.5·0.1 + 0.75·(−0.25) + 0.05 = −0.1875, z = σ(−0.1875) = 0.453262
    // a_r0 = −0.5·0.3 + 0.75·0.1 + 0.1 = 0.025, r = 0.506250
    // n_0 = tanh(−0.5·0.4 + 0.75·(−0.15) + 0.2 + r·(0 + 0.3)) = tanh(0.0393749) = 0.0393546
    // h = z·n = 0.0178379
    assert.ok(Math.abs(layer.hidden[0][0] - 0.0178379) < 2e-6, `h_0[0] = ${layer.hidden[0][0]}`);
    const expected = gruByHand([2, 0, 1]);
    for (const key of ['update', 'reset', 'candidate', 'hidden'] as const) {
      expected[key].forEach((row, t) => assertClose(layer[key][t], row, 1e-6, `${key}[${t}]`));
    }
    const s0 = model.initialState();
    const stepped = model.step(s0, 2);
    assertClose(stepped.logits, expected.logits[0], 1e-6, 'step logits');
    disposeState(s0);
    disposeState(stepped.state);
    model.dispose();
  });

  it('starts with zero biases, the candidate\'s recurrent bias included', () => {
    const model = createGru(recurrentConfig('gru', { hiddenSize: 3 }));
    assert.deepEqual(weightValues(model, 'layer0/b'), new Array(9).fill(0));
    assert.deepEqual(weightValues(model, 'layer0/bh'), [0, 0, 0]);
    model.dispose();
  });

  it('inspect() obeys h_t = (1−z)⊙h_{t−1} + z⊙n in every layer', () => {
    const model = createGru(recurrentConfig('gru', { layers: 2 }));
    const r = model.inspect([0, 4, 2, 2, 1]);
    for (const layer of r.layers) {
      assert.equal(layer.kind, 'gru');
      if (layer.kind !== 'gru') continue;
      layer.hidden.forEach((h, t) => {
        const prev = t === 0 ? [0, 0, 0, 0] : layer.hidden[t - 1];
        const expected = h.map((_, j) => (1 - layer.update[t][j]) * prev[j] + layer.update[t][j] * layer.candidate[t][j]);
        assertClose(h, expected, 1e-6, `hidden ${t}`);
      });
    }
    model.dispose();
  });

  sharedRecurrentTests('gru');

  it('learns a pattern that needs memory ("aabb…") to below 0.05 nats', function () {
    this.timeout(30000);
    const model = createGru(recurrentConfig('gru', { vocabSize: 4, embeddingSize: 32, hiddenSize: 64 }));
    const loss = trainOnPattern(model, [0, 0, 1, 1], { steps: 100, batch: 8, length: 16, learningRate: 0.01 });
    assert.ok(loss < 0.05, `loss ${loss}`);
    model.dispose();
  });
});
