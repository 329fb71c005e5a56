// Shared by the RNN, GRU and LSTM tests: configs, setting weights, a finite-difference
// gradient check, plain-JS arithmetic for hand-computed expectations, and a tiny training loop.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../src/core/models';
import type { RecurrentConfig, SequenceModel } from '../../src/core/models/sequenceModel';
import { disposeState } from '../../src/core/models/sequenceModel';
import { assertNoLeak } from './tfSetup';

export function recurrentConfig(arch: RecurrentConfig['arch'], overrides: Partial<RecurrentConfig> = {}): RecurrentConfig {
  return {
    arch,
    vocabSize: 5,
    input: 'embedding',
    embeddingSize: 3,
    seed: 7,
    hiddenSize: 4,
    layers: 1,
    dropout: 0,
    activation: 'tanh',
    identityInit: false,
    forgetBias: 1,
    ...overrides,
  };
}

/** Sets weight `name` to `values` (nested arrays, shape checked). */
export function setWeight(model: SequenceModel, name: string, values: number[] | number[][]): void {
  const v = model.weights.get(name);
  assert.ok(v, `no weight ${name}`);
  const t = tf.tensor(values);
  assert.deepEqual(t.shape, v.shape, `shape of ${name}`);
  v.assign(t);
  t.dispose();
}

export function weightValues(model: SequenceModel, name: string): number[] {
  const v = model.weights.get(name);
  assert.ok(v, `no weight ${name}`);
  return Array.from(v.dataSync());
}

/** A fixed pseudo-random tensor in [-1, 1). */
export function fixedRandom(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/** ids [B][T] as an int32 tensor. */
export function idsTensor(ids: number[][]): tf.Tensor2D {
  return tf.tensor2d(ids, [ids.length, ids[0].length], 'int32');
}

/** L = Σ logits ⊙ R: every logit matters, gradients of order 1. */
export function linearLoss(logits: tf.Tensor, R: tf.Tensor): tf.Scalar {
  return logits.mul(R).sum() as tf.Scalar;
}

export interface GradientCheckOptions {
  /** Entries checked per weight (spread over the weight, always including the first and last). */
  readonly samples?: number;
  readonly eps?: number;
  /** |numeric − analytic| ≤ atol + rtol·|analytic| */
  readonly atol?: number;
  readonly rtol?: number;
  /**
   * The loss has kinks (ReLU): where the central difference straddles one, accept the analytic
   * value if it equals the left or the right one-sided difference (the derivative on one side).
   */
  readonly kinks?: boolean;
}

/** Whether `analytic` matches the differences of f around 0 (f(±eps), f(0)). */
function matchesDifferences(f: (delta: number) => number, analytic: number, options: GradientCheckOptions): string | null {
  const { eps = 1e-2, atol = 1e-3, rtol = 1e-2, kinks = false } = options;
  const close = (numeric: number) => Math.abs(numeric - analytic) <= atol + rtol * Math.abs(analytic);
  const plus = f(eps);
  const minus = f(-eps);
  const central = (plus - minus) / (2 * eps);
  if (close(central)) return null;
  if (kinks) {
    const zero = f(0);
    if (close((plus - zero) / eps) || close((zero - minus) / eps)) return null;
  }
  return `analytic ${analytic}, finite difference ${central}`;
}

/**
 * Central finite differences of `loss()` w.r.t. sampled entries of every weight, compared with
 * tf.variableGrads. Returns how many entries were compared.
 */
export function checkWeightGradients(model: SequenceModel, loss: () => tf.Scalar, options: GradientCheckOptions = {}): number {
  const samples = options.samples ?? 4;
  const names = [...model.weights.keys()];
  const vars = names.map((n) => model.weights.get(n)!);
  const analytic = tf.tidy(() => {
    const { grads } = tf.variableGrads(loss, vars);
    return names.map((n) => Array.from(grads[model.weights.get(n)!.name].dataSync()));
  });
  const lossValue = () => tf.tidy(() => loss().dataSync()[0]);
  let compared = 0;
  names.forEach((name, k) => {
    const v = vars[k];
    const original = v.dataSync().slice();
    const n = original.length;
    const indices = new Set<number>();
    for (let s = 0; s < samples; s++) indices.add(Math.round((s * (n - 1)) / Math.max(1, samples - 1)));
    for (const i of indices) {
      const at = (delta: number) => {
        const values = original.slice();
        values[i] += delta;
        const t = tf.tensor(values, v.shape);
        v.assign(t);
        t.dispose();
        return lossValue();
      };
      const mismatch = matchesDifferences(at, analytic[k][i], options);
      assert.equal(mismatch, null, `∂L/∂${name}[${i}]: ${mismatch}`);
      compared++;
    }
    const t = tf.tensor(original, v.shape);
    v.assign(t);
    t.dispose();
  });
  return compared;
}

/** Logits after each token when stepping through `tokens` one at a time. */
export function stepThrough(model: SequenceModel, tokens: readonly number[]): Float32Array[] {
  let state = model.initialState();
  const out: Float32Array[] = [];
  for (const id of tokens) {
    const r = model.step(state, id);
    disposeState(state);
    state = r.state;
    out.push(r.logits);
  }
  disposeState(state);
  return out;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs expected ${expected[i]}`);
  }
}

// Plain-JS arithmetic for hand-computed expectations (independent of tfjs).

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** x (row vector) times M [rows][cols]. */
export function vecMat(x: readonly number[], M: readonly number[][]): number[] {
  const out = new Array(M[0].length).fill(0);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < out.length; j++) out[j] += x[i] * M[i][j];
  return out;
}

export function addVec(...vs: readonly number[][]): number[] {
  return vs[0].map((_, j) => vs.reduce((s, v) => s + v[j], 0));
}

/** Next-token cross-entropy (nats), mean over positions ≥ `from`: logits [B, T, V], targets [B][T]. */
export function crossEntropyFrom(logits: tf.Tensor3D, targets: number[][], from: number): tf.Scalar {
  const [B, T, V] = logits.shape;
  const used = logits.slice([0, from, 0], [B, T - from, V]);
  const tail = targets.map((row) => row.slice(from));
  const logp = used.sub(used.logSumExp(-1, true));
  const onehot = tf.oneHot(tf.tensor2d(tail, [B, T - from], 'int32'), V);
  return logp.mul(onehot).sum().div(-(B * (T - from))) as tf.Scalar;
}

/**
 * Trains on windows of the endlessly repeated `pattern` (random offsets) with Adam and returns
 * the loss, on positions ≥ 1, of every window offset after training.
 */
export function trainOnPattern(
  model: SequenceModel,
  pattern: readonly number[],
  options: { steps: number; batch: number; length: number; learningRate: number },
): number {
  const { steps, batch, length, learningRate } = options;
  const window = (offset: number) => Array.from({ length: length + 1 }, (_, i) => pattern[(offset + i) % pattern.length]);
  let seed = 12345;
  const nextOffset = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % pattern.length;
  };
  const optimizer = tf.train.adam(learningRate);
  const vars = [...model.weights.values()];
  const lossOn = (windows: number[][], training: boolean) => {
    const ids = idsTensor(windows.map((w) => w.slice(0, length)));
    const logits = model.forward(ids, { training });
    return crossEntropyFrom(logits, windows.map((w) => w.slice(1)), 1);
  };
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const windows = Array.from({ length: batch }, () => window(nextOffset()));
      const { grads } = tf.variableGrads(() => lossOn(windows, true), vars);
      optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
    });
  }
  optimizer.dispose();
  return tf.tidy(() => lossOn(pattern.map((_, o) => window(o)), false).dataSync()[0]);
}

/**
 * The behaviour every recurrent architecture shares, as mocha tests: gradients against finite
 * differences, the probe gradient, step() and inspect() against forward(), no leaks, learning.
 */
export function sharedRecurrentTests(
  arch: RecurrentConfig['arch'],
  overrides: Partial<RecurrentConfig> = {},
  gradientCheck: GradientCheckOptions = {},
): void {

  const config = (more: Partial<RecurrentConfig> = {}) => recurrentConfig(arch, { ...overrides, ...more });
  const ids = [
    [0, 3, 1, 4, 2],
    [2, 2, 0, 1, 3],
  ];

  it('gradient of every weight matches finite differences (2 layers, embedding input)', () => {
    const model = createModel(config({ layers: 2 }));
    const x = idsTensor(ids);
    const R = fixedRandom([2, 5, 5], 21);
    const compared = checkWeightGradients(model, () => linearLoss(model.forward(x), R), gradientCheck);
    assert.equal(compared, model.weights.size * 4);
    tf.dispose([x, R]);
    model.dispose();
  });

  it('gradient of every weight matches finite differences (one-hot input)', () => {
    const model = createModel(config({ input: 'onehot', hiddenSize: 3 }));
    const x = idsTensor(ids);
    const R = fixedRandom([2, 5, 5], 22);
    checkWeightGradients(model, () => linearLoss(model.forward(x), R), gradientCheck);
    tf.dispose([x, R]);
    model.dispose();
  });

  it('∂L/∂probe is ∂L/∂h_t of the top layer: exact at the last step, finite differences before', () => {
    const model = createModel(config({ layers: 2 }));
    const H = model.probeSize;
    assert.equal(H, 4);
    tf.tidy(() => {
      const x = idsTensor(ids);
      const R = fixedRandom([2, 5, 5], 23);
      const lossAt = (probe: tf.Tensor) => linearLoss(model.forward(x, { probe: probe as tf.Tensor3D }), R);
      const zeros = tf.zeros([5, 2, H]);
      const dProbe = tf.grad(lossAt)(zeros);
      assert.deepEqual(dProbe.shape, [5, 2, H]);
      const g = dProbe.arraySync() as number[][][];
      // At the last step h_t only reaches the logits: ∂L/∂h = R_t · output/kernelᵀ.
      const K = model.weights.get('output/kernel')!.arraySync() as number[][];
      const Rv = R.arraySync() as number[][][];
      for (let b = 0; b < 2; b++) {
        const expected = K.map((row) => row.reduce((s, k, v) => s + k * Rv[b][4][v], 0));
        assertClose(g[4][b], expected, 1e-5, `∂L/∂h_4 batch ${b}`);
      }
      // Earlier steps: central differences of the loss in the probe's entries.
      for (const [t, b, j] of [[0, 0, 0], [1, 1, 3], [2, 0, 2], [3, 1, 1]]) {
        const bump = (d: number) => {
          const p = tf.buffer([5, 2, H]);
          p.set(d, t, b, j);
          return lossAt(p.toTensor()).dataSync()[0];
        };
        const mismatch = matchesDifferences(bump, g[t][b][j], gradientCheck);
        assert.equal(mismatch, null, `∂L/∂probe[${t},${b},${j}]: ${mismatch}`);
      }
      // The probe is zero-valued: it leaves the logits alone.
      assertClose(model.forward(x, { probe: zeros as tf.Tensor3D }).dataSync(), model.forward(x).dataSync(), 0, 'logits with a zero probe');
    });
    model.dispose();
  });

  for (const input of ['embedding', 'onehot'] as const) {
    it(`step() through a sequence gives forward()'s logits (2 layers, ${input} input)`, () => {
      const model = createModel(config({ layers: 2, input, hiddenSize: 6, vocabSize: 7 }));
      const tokens = [3, 0, 6, 6, 1, 2, 5, 4, 0, 3, 1, 2];
      const stepped = stepThrough(model, tokens);
      const full = tf.tidy(() => model.forward(idsTensor([tokens])).arraySync() as number[][][]);
      tokens.forEach((_, t) => assertClose(stepped[t], full[0][t], 1e-5, `logits at step ${t}`));
      model.dispose();
    });
  }

  it('step() leaves its input state intact, counts positions and leaks nothing', async () => {
    const model = createModel(config({ layers: 2 }));
    await assertNoLeak(() => {
      const s0 = model.initialState();
      const r1 = model.step(s0, 1);
      const r2 = model.step(r1.state, 2);
      assert.equal(r1.state.position, 1);
      assert.equal(r2.state.position, 2);
      assert.ok(s0.tensors.every((t) => !t.isDisposed) && r1.state.tensors.every((t) => !t.isDisposed));
      // stepping again from the kept state repeats the same logits
      const again = model.step(r1.state, 2);
      assertClose(again.logits, r2.logits, 0, 'same step twice');
      [s0, r1.state, r2.state, again.state].forEach(disposeState);
    });
    model.dispose();
  });

  it('inspect() gives forward()\'s logits and the top layer\'s hidden states produce them', () => {
    const model = createModel(config({ layers: 2 }));
    const tokens = [4, 1, 1, 0, 3, 2];
    const r = model.inspect(tokens);
    const full = tf.tidy(() => model.forward(idsTensor([tokens])).arraySync() as number[][][]);
    assert.deepEqual(r.tokens, tokens);
    assert.equal(r.layers.length, 2);
    tokens.forEach((_, t) => assertClose(r.logits[t], full[0][t], 1e-6, `logits ${t}`));
    const K = model.weights.get('output/kernel')!.arraySync() as number[][];
    const bias = weightValues(model, 'output/bias');
    tokens.forEach((_, t) => {
      const logits = addVec(vecMat(r.layers[1].hidden[t], K), bias);
      assertClose(logits, r.logits[t], 1e-5, `logits from hidden ${t}`);
    });
    const E = model.weights.get('embedding')!.arraySync() as number[][];
    tokens.forEach((id, t) => assertClose(r.inputs[t], E[id], 0, `input ${t}`));
    const onehot = createModel(config({ input: 'onehot' }));
    assert.deepEqual(onehot.inspect([2, 0]).inputs, [[0, 0, 1, 0, 0], [1, 0, 0, 0, 0]]);
    onehot.dispose();
    model.dispose();
  });
}
