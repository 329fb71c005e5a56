import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createRnn } from '../../src/core/models/rnn';
import { disposeState } from '../../src/core/models/sequenceModel';
import {
  addVec,
  assertClose,
  idsTensor,
  recurrentConfig,
  setWeight,
  sharedRecurrentTests,
  trainOnPattern,
  vecMat,
  weightValues,
} from './recurrentHelpers';
import { useTestBackend } from './tfSetup';

// V = 3, E = 2, H = 2.
const weights = {
  embedding: [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75]],
  'layer0/W': [[0.4, -0.3], [-0.6, 0.8]],
  'layer0/U': [[0.9, -0.5], [0.3, 1.1]],
  'layer0/b': [0.05, -0.1],
  'output/kernel': [[0.6, -0.4, 0.2], [-0.3, 0.5, 0.7]],
  'output/bias': [0.1, 0, -0.1],
};

/** h_t = f(x_t W + h_{t−1} U + b) in plain JS over one sequence. */
function rnnByHand(tokens: number[], f: (a: number) => number) {
  const out = { hidden: [] as number[][], logits: [] as number[][] };
  let h = [0, 0];
  for (const id of tokens) {
    const a = addVec(vecMat(weights.embedding[id], weights['layer0/W']), vecMat(h, weights['layer0/U']), weights['layer0/b']);
    h = a.map(f);
    out.hidden.push(h);
    out.logits.push(addVec(vecMat(h, weights['output/kernel']), weights['output/bias']));
  }
  return out;
}

describe('RNN', () => {
  before(useTestBackend);

  for (const activation of ['tanh', 'relu'] as const) {
    it(`computes h_t = ${activation}(x_t W + h_{t−1} U + b) with hand-set weights (forward, inspect, step)`, () => {
      const f = activation === 'tanh' ? Math.tanh : (a: number) => Math.max(0, a);
      const model = createRnn(recurrentConfig('rnn', { vocabSize: 3, embeddingSize: 2, hiddenSize: 2, activation }));
      for (const [name, values] of Object.entries(weights)) setWeight(model, name, values);
      const sequences = [[2, 0, 1, 1], [1, 1, 0, 2]];
      const logits = tf.tidy(() => model.forward(idsTensor(sequences)).arraySync() as number[][][]);
      sequences.forEach((tokens, b) => {
        const expected = rnnByHand(tokens, f);
        tokens.forEach((_, t) => assertClose(logits[b][t], expected.logits[t], 1e-6, `logits[${b}][${t}]`));
      });
      const layer = model.inspect(sequences[0]).layers[0];
      assert.equal(layer.kind, 'rnn');
      const expected = rnnByHand(sequences[0], f);
      expected.hidden.forEach((row, t) => assertClose(layer.hidden[t], row, 1e-6, `hidden[${t}]`));
      // Spot values written out, sequence [2, 0, …]:
      // a_1 = E[2] W + b = (−0.5·0.4 + 0.75·(−0.6) + 0.05, −0.5·(−0.3) + 0.75·0.8 − 0.1) = (−0.6, 0.65)
      if (activation === 'relu') {
        assertClose(layer.hidden[0], [0, 0.65], 1e-6, 'relu h_1');
        // a_2 = E[0] W + h_1 U + b = (0.8 + 0.195 + 0.05, −0.95 + 0.715 − 0.1) = (1.045, −0.335)
        assertClose(layer.hidden[1], [1.045, 0], 1e-6, 'relu h_2');
      } else {
        assertClose(layer.hidden[0], [Math.tanh(-0.6), Math.tanh(0.65)], 1e-6, 'tanh h_1');
      }
      const s0 = model.initialState();
      const stepped = model.step(s0, 2);
      assertClose(stepped.logits, expected.logits[0], 1e-6, 'step logits');
      disposeState(s0);
      disposeState(stepped.state);
      model.dispose();
    });
  }

  it('identityInit makes U exactly the identity (every layer) and b zero', () => {
    const model = createRnn(recurrentConfig('rnn', { hiddenSize: 3, layers: 2, identityInit: true, activation: 'relu' }));
    for (const l of [0, 1]) {
      assert.deepEqual(weightValues(model, `layer${l}/U`), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
      assert.deepEqual(weightValues(model, `layer${l}/b`), [0, 0, 0]);
    }
    // …and without it U is random (Glorot uniform, limit √(6 / 2H) = 1).
    const plain = createRnn(recurrentConfig('rnn', { hiddenSize: 3 }));
    const U = weightValues(plain, 'layer0/U');
    assert.ok(U.every((u) => Math.abs(u) <= 1) && U.some((u, i) => u !== [1, 0, 0, 0, 1, 0, 0, 0, 1][i]));
    plain.dispose();
    model.dispose();
  });

  it('inspect() obeys h_t = tanh(x_t W + h_{t−1} U + b) in every layer', () => {
    const model = createRnn(recurrentConfig('rnn', { layers: 2 }));
    const tokens = [0, 4, 2, 2, 1];
    const r = model.inspect(tokens);
    const matrix = (name: string) => model.weights.get(name)!.arraySync() as number[][];
    r.layers.forEach((layer, l) => {
      const W = matrix(`layer${l}/W`);
      const U = matrix(`layer${l}/U`);
      const b = weightValues(model, `layer${l}/b`);
      layer.hidden.forEach((h, t) => {
        const x = l === 0 ? r.inputs[t] : r.layers[l - 1].hidden[t];
        const prev = t === 0 ? [0, 0, 0, 0] : layer.hidden[t - 1];
        assertClose(h, addVec(vecMat(x, W), vecMat(prev, U), b).map(Math.tanh), 1e-6, `layer ${l} hidden ${t}`);
      });
    });
    model.dispose();
  });

  sharedRecurrentTests('rnn');
  describe('with ReLU', () => sharedRecurrentTests('rnn', { activation: 'relu', identityInit: true }, { eps: 1e-3, atol: 3e-3, kinks: true }));

  it('learns a pattern that needs memory ("aabb…") to below 0.05 nats', function () {
    this.timeout(30000);
    const model = createRnn(recurrentConfig('rnn', { vocabSize: 4, embeddingSize: 32, hiddenSize: 64 }));
    const loss = trainOnPattern(model, [0, 0, 1, 1], { steps: 100, batch: 8, length: 16, learningRate: 0.01 });
    assert.ok(loss < 0.05, `loss ${loss}`);
    model.dispose();
  });
});
