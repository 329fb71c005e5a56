import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createLstm } from '../../src/core/models/lstm';
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

// V = 3, E = 2, H = 2. Gate blocks of W, U, b: [i | o | f | g], two columns each.
const weights = {
  embedding: [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75]],
  'layer0/W': [
    [0.1, -0.2, 0.3, 0.05, -0.1, 0.2, 0.4, -0.3],
    [-0.25, 0.15, 0.1, -0.35, 0.2, 0.05, -0.15, 0.5],
  ],
  'layer0/U': [
    [0.2, 0.1, -0.3, 0.25, 0.15, -0.05, 0.3, 0.1],
    [-0.1, 0.35, 0.05, -0.2, 0.1, 0.3, -0.25, 0.2],
  ],
  'layer0/b': [0.05, -0.05, 0.1, 0, 1, 1, 0, 0.1],
  'output/kernel': [[0.6, -0.4, 0.2], [-0.3, 0.5, 0.7]],
  'output/bias': [0.1, 0, -0.1],
};

/** The LSTM equations in plain JS over one sequence. */
function lstmByHand(tokens: number[]) {
  const out = { input: [] as number[][], output: [] as number[][], forget: [] as number[][], candidate: [] as number[][], cell: [] as number[][], hidden: [] as number[][], logits: [] as number[][] };
  let h = [0, 0];
  let c = [0, 0];
  for (const id of tokens) {
    const a = addVec(vecMat(weights.embedding[id], weights['layer0/W']), vecMat(h, weights['layer0/U']), weights['layer0/b']);
    const i = [sigmoid(a[0]), sigmoid(a[1])];
    const o = [sigmoid(a[2]), sigmoid(a[3])];
    const f = [sigmoid(a[4]), sigmoid(a[5])];
    const g = [Math.tanh(a[6]), Math.tanh(a[7])];
    c = [f[0] * c[0] + i[0] * g[0], f[1] * c[1] + i[1] * g[1]];
    h = [o[0] * Math.tanh(c[0]), o[1] * Math.tanh(c[1])];
    out.input.push(i);
    out.output.push(o);
    out.forget.push(f);
    out.candidate.push(g);
    out.cell.push(c);
    out.hidden.push(h);
    out.logits.push(addVec(vecMat(h, weights['output/kernel']), weights['output/bias']));
  }
  return out;
}

describe('LSTM', () => {
  before(useTestBackend);

  it('computes the LSTM equations with hand-set weights (forward, inspect, step)', () => {
    const model = createLstm(recurrentConfig('lstm', { vocabSize: 3, embeddingSize: 2, hiddenSize: 2 }));
    for (const [name, values] of Object.entries(weights)) setWeight(model, name, values);
    const sequences = [[2, 0, 1], [1, 1, 0]];
    const logits = tf.tidy(() => model.forward(idsTensor(sequences)).arraySync() as number[][][]);
    sequences.forEach((tokens, b) => {
      const expected = lstmByHand(tokens);
      tokens.forEach((_, t) => assertClose(logits[b][t], expected.logits[t], 1e-6, `logits[${b}][${t}]`));
    });
    // A spot value written out: step 1 of sequence [2, …]: a = E[2] W + b.
    // a_i0 = −0.5·0.1 + 0.75·(−0.25) + 0.05 = −0.1875; a_g0 = −0.5·0.4 + 0.75·(−0.15) = −0.3125
    // c = σ(−0.1875)·tanh(−0.3125) = 0.453262·(−0.302710) = −0.137207
    const layer = model.inspect([2, 0, 1]).layers[0];
    assert.equal(layer.kind, 'lstm');
    if (layer.kind !== 'lstm') return;
    assert.ok(Math.abs(layer.cell[0][0] - -0.137207) < 2e-6, `c_0[0] = ${layer.cell[0][0]}`);
    const expected = lstmByHand([2, 0, 1]);
    for (const key of ['input', 'output', 'forget', 'candidate', 'cell', 'hidden'] as const) {
      expected[key].forEach((row, t) => assertClose(layer[key][t], row, 1e-6, `${key}[${t}]`));
    }
    const s0 = model.initialState();
    const stepped = model.step(s0, 2);
    assertClose(stepped.logits, expected.logits[0], 1e-6, 'step logits');
    disposeState(s0);
    disposeState(stepped.state);
    model.dispose();
  });

  it('sets the forget-gate bias block to config.forgetBias and every other bias to 0', () => {
    const H = 3;
    for (const forgetBias of [1, 2.5, 0]) {
      const model = createLstm(recurrentConfig('lstm', { hiddenSize: H, layers: 2, forgetBias }));
      for (const l of [0, 1]) {
        const b = weightValues(model, `layer${l}/b`);
        assert.deepEqual(b, [0, 0, 0, 0, 0, 0, forgetBias, forgetBias, forgetBias, 0, 0, 0]);
      }
      model.dispose();
    }
  });

  it('inspect() obeys c_t = f⊙c_{t−1} + i⊙g and h_t = o⊙tanh(c_t) in every layer', () => {
    const model = createLstm(recurrentConfig('lstm', { layers: 2 }));
    const r = model.inspect([0, 4, 2, 2, 1]);
    for (const layer of r.layers) {
      assert.equal(layer.kind, 'lstm');
      if (layer.kind !== 'lstm') continue;
      layer.cell.forEach((c, t) => {
        const prev = t === 0 ? [0, 0, 0, 0] : layer.cell[t - 1];
        const expected = c.map((_, j) => layer.forget[t][j] * prev[j] + layer.input[t][j] * layer.candidate[t][j]);
        assertClose(c, expected, 1e-6, `cell ${t}`);
        assertClose(layer.hidden[t], c.map((v, j) => layer.output[t][j] * Math.tanh(v)), 1e-6, `hidden ${t}`);
      });
    }
    model.dispose();
  });

  sharedRecurrentTests('lstm');

  it('learns a pattern that needs memory ("aabb…") to below 0.05 nats', function () {
    this.timeout(30000);
    const model = createLstm(recurrentConfig('lstm', { vocabSize: 4, embeddingSize: 32, hiddenSize: 64 }));
    const loss = trainOnPattern(model, [0, 0, 1, 1], { steps: 100, batch: 8, length: 16, learningRate: 0.01 });
    assert.ok(loss < 0.05, `loss ${loss}`);
    model.dispose();
  });
});
