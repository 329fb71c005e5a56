import * as assert from 'node:assert/strict';
import {
  argmax,
  chooseToken,
  sample,
  samplingDistribution,
  softmax,
  softmaxWithTemperature,
  topK,
  topP,
} from '../../src/core/generation/sampling';
import { createRng } from '../../src/core/random';

/** Independent float64 softmax of logits / T. */
function referenceSoftmax(logits: number[], temperature = 1): number[] {
  const scaled = logits.map((z) => z / temperature);
  const m = Math.max(...scaled);
  const e = scaled.map((z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function assertClose(actual: ArrayLike<number>, expected: number[], tol: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const logits = [1.5, -0.3, 2.25, 0, 2.2, -4, 0.7];

describe('sampling', () => {
  it('argmax takes the first maximum', () => {
    assert.equal(argmax([1, 3, 2, 3]), 1);
    assert.equal(argmax([-5]), 0);
    assert.throws(() => argmax([]));
  });

  it('temperature 1 is the softmax', () => {
    assertClose(softmaxWithTemperature(logits, 1), referenceSoftmax(logits), 1e-7);
    assertClose(softmax(logits), referenceSoftmax(logits), 1e-7);
  });

  it('temperature scales the logits', () => {
    assertClose(softmaxWithTemperature(logits, 0.5), referenceSoftmax(logits, 0.5), 1e-7);
    assertClose(softmaxWithTemperature(logits, 3), referenceSoftmax(logits, 3), 1e-7);
  });

  it('temperature → 0 is the argmax', () => {
    const oneHot = [0, 0, 1, 0, 0, 0, 0];
    assert.deepEqual(Array.from(softmaxWithTemperature(logits, 0)), oneHot);
    // 2.25 vs 2.2: the gap 0.05 / 1e-4 = 500 nats, so the rest underflows to 0.
    assert.deepEqual(Array.from(softmaxWithTemperature(logits, 1e-4)), oneHot);
    const p = softmaxWithTemperature(logits, 0.01); // e^-5 ≈ 0.0067 left on index 4
    assert.equal(argmax(p), 2);
    assert.ok(p[2] > 0.99 && p[2] < 1);
    assert.throws(() => softmaxWithTemperature(logits, -1));
    assert.throws(() => softmaxWithTemperature(logits, NaN));
  });

  it('is stable for huge logits', () => {
    const p = softmaxWithTemperature([1000, 1001, 999], 1);
    assertClose(p, referenceSoftmax([0, 1, -1]), 1e-7);
  });

  it('top-k keeps exactly k, renormalised, lower index on ties', () => {
    const probs = [0.1, 0.3, 0.05, 0.3, 0.25];
    const k2 = topK(probs, 2);
    assertClose(k2, [0, 0.5, 0, 0.5, 0], 1e-7);
    const k3 = topK(probs, 3);
    assertClose(k3, [0, 0.3 / 0.85, 0, 0.3 / 0.85, 0.25 / 0.85], 1e-7);
    // Ties at the boundary: exactly k survive.
    const tied = topK([0.25, 0.25, 0.25, 0.25], 3);
    assert.equal(Array.from(tied).filter((x) => x > 0).length, 3);
    assertClose(tied, [1 / 3, 1 / 3, 1 / 3, 0], 1e-7);
    assertClose(topK(probs, 10), probs, 1e-7);
    assert.throws(() => topK(probs, 0));
  });

  it('top-p keeps the smallest set reaching p', () => {
    const probs = [0.1, 0.4, 0.05, 0.3, 0.15];
    // Sorted: 0.4, 0.3, 0.15, 0.1, 0.05. Cumulative 0.4, 0.7, 0.85, 0.95, 1.
    assertClose(topP(probs, 0.4), [0, 1, 0, 0, 0], 1e-7);
    assertClose(topP(probs, 0.5), [0, 0.4 / 0.7, 0, 0.3 / 0.7, 0], 1e-7);
    assertClose(topP(probs, 0.7), [0, 0.4 / 0.7, 0, 0.3 / 0.7, 0], 1e-6);
    assertClose(topP(probs, 0.71), [0, 0.4 / 0.85, 0, 0.3 / 0.85, 0.15 / 0.85], 1e-6);
    assertClose(topP(probs, 0.01), [0, 1, 0, 0, 0], 1e-7);
    assertClose(topP(probs, 1), probs, 1e-6);
    assert.throws(() => topP(probs, 0));
  });

  it('composes temperature, top-k and top-p in that order', () => {
    const t = referenceSoftmax(logits, 0.8);
    const order = t.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
    const kept = order.slice(0, 3);
    const s = kept.reduce((a, i) => a + t[i], 0);
    const expected = t.map((p, i) => (kept.includes(i) ? p / s : 0));
    assertClose(samplingDistribution(logits, { temperature: 0.8, topK: 3 }), expected, 1e-6);
    // top-p after top-k: cumulative over the renormalised top 3.
    const sorted = kept.map((i) => expected[i]);
    const p = sorted[0] + 0.5 * sorted[1];
    const got = samplingDistribution(logits, { temperature: 0.8, topK: 3, topP: p });
    const twoKept = expected.map((q, i) => (i === kept[0] || i === kept[1] ? q / (sorted[0] + sorted[1]) : 0));
    assertClose(got, twoKept, 1e-6);
  });

  it('seeded sampling frequencies match the probabilities', () => {
    const probs = [0.5, 0.2, 0.15, 0.1, 0.05, 0];
    const rng = createRng(123);
    const n = 50000;
    const counts = new Array(probs.length).fill(0);
    for (let i = 0; i < n; i++) counts[sample(probs, rng)]++;
    assert.equal(counts[5], 0, 'zero-probability entry never drawn');
    let chi2 = 0;
    for (let i = 0; i < 5; i++) chi2 += (counts[i] - n * probs[i]) ** 2 / (n * probs[i]);
    // 4 degrees of freedom: P(χ² > 18.47) = 0.001.
    assert.ok(chi2 < 18.47, `chi-square ${chi2.toFixed(2)} (counts ${counts})`);
  });

  it('the same seed draws the same tokens', () => {
    const probs = softmax(logits);
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const drawsA = Array.from({ length: 50 }, () => sample(probs, a));
    const drawsB = Array.from({ length: 50 }, () => sample(probs, b));
    const drawsC = Array.from({ length: 50 }, () => sample(probs, c));
    assert.deepEqual(drawsA, drawsB);
    assert.notDeepEqual(drawsA, drawsC);
  });

  it('chooseToken reports the model probability and the sampling probability', () => {
    const model = referenceSoftmax(logits);
    const greedy = chooseToken(logits, { temperature: 0 }, createRng(1));
    assert.equal(greedy.id, 2);
    assert.ok(Math.abs(greedy.probability - model[2]) < 1e-7);
    assert.equal(greedy.samplingProbability, 1);
    const rng = createRng(5);
    for (let i = 0; i < 20; i++) {
      const c = chooseToken(logits, { temperature: 1, topK: 2 }, rng);
      assert.ok(c.id === 2 || c.id === 4);
      assert.ok(Math.abs(c.probability - model[c.id]) < 1e-7);
      assert.ok(Math.abs(c.samplingProbability - model[c.id] / (model[2] + model[4])) < 1e-6);
    }
  });

  it('greedy choice leaves the generator untouched', () => {
    const rng = createRng(9);
    const before = rng.state();
    chooseToken(logits, { temperature: 0 }, rng);
    assert.deepEqual(rng.state(), before);
  });
});
