import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { sinusoidalValue } from '../../src/core/models/transformerNumbers';
import { presetConfig } from '../../src/core/models/presets';
import { disposeState, type ModelState, type TransformerConfig } from '../../src/core/models/sequenceModel';
import { createTransformer, TransformerModel } from '../../src/core/models/transformer';
import { assertNoLeak, testBackend, useTestBackend } from './tfSetup';
import { maxAbsDiff } from './support/numeric';

const tiny: TransformerConfig = {
  arch: 'transformer',
  vocabSize: 7,
  input: 'embedding',
  embeddingSize: 8,
  seed: 3,
  modelSize: 8,
  heads: 2,
  layers: 2,
  ffnSize: 12,
  contextSize: 6,
  positional: 'sinusoidal',
  tieWeights: false,
  dropout: 0,
};

/** The input, position and output variants every equivalence test runs on. */
const variants: [string, TransformerConfig][] = [
  ['embedding, sinusoidal, untied', tiny],
  ['one-hot, learned positions, tied', { ...tiny, input: 'onehot', positional: 'learned', tieWeights: true, seed: 4 }],
  ['embedding 6 ≠ model 8, tied', { ...tiny, embeddingSize: 6, tieWeights: true, seed: 5 }],
  ['the lecture experiments: no positions, scores not scaled, no mask in training', { ...tiny, positional: 'none', scaleScores: false, causalMaskInTraining: false, seed: 6 }],
];

function randomIds(batch: number, length: number, vocab: number, seed: number): number[][] {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % vocab;
  };
  return Array.from({ length: batch }, () => Array.from({ length }, next));
}

function logitsOf(model: TransformerModel | ReturnType<typeof createTransformer>, ids: number[][]): number[][][] {
  return tf.tidy(() => model.forward(tf.tensor2d(ids, undefined, 'int32')).arraySync());
}


/** step() keeps the weights it derives (folded layer norms) until they change: derive them outside the leak checks. */
function warmStepCache(model: ReturnType<typeof createTransformer>): void {
  const state = model.initialState();
  disposeState(model.step(state, 0).state);
  disposeState(state);
}

/** Replaces every weight by seeded normal values of the given std: gradients far from init's symmetries. */
function randomizeWeights(model: ReturnType<typeof createTransformer>, std: number, seed: number): void {
  let i = 0;
  for (const v of model.weights.values()) {
    tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, std, 'float32', seed + i++)));
  }
}

describe('decoder-only Transformer', function () {
  this.timeout(60000);
  before(useTestBackend);

  it('names its weights stably, with the documented shapes', () => {
    const model = createTransformer(tiny);
    const shapes = Object.fromEntries([...model.weights].map(([name, v]) => [name, v.shape]));
    const block = (i: number) => ({
      [`block${i}/ln1/gamma`]: [8],
      [`block${i}/ln1/beta`]: [8],
      [`block${i}/attn/qkv/kernel`]: [8, 24],
      [`block${i}/attn/qkv/bias`]: [24],
      [`block${i}/attn/proj/kernel`]: [8, 8],
      [`block${i}/attn/proj/bias`]: [8],
      [`block${i}/ln2/gamma`]: [8],
      [`block${i}/ln2/beta`]: [8],
      [`block${i}/ffn/up/kernel`]: [8, 12],
      [`block${i}/ffn/up/bias`]: [12],
      [`block${i}/ffn/down/kernel`]: [12, 8],
      [`block${i}/ffn/down/bias`]: [8],
    });
    assert.deepEqual(shapes, {
      embedding: [7, 8],
      ...block(0),
      ...block(1),
      'final/ln/gamma': [8],
      'final/ln/beta': [8],
      'head/kernel': [8, 7],
      'head/bias': [7],
    });
    assert.equal(model.probeSize, 8);
    model.dispose();

    const variant = createTransformer({ ...tiny, input: 'onehot', positional: 'learned', tieWeights: true });
    const names = [...variant.weights.keys()];
    assert.ok(names.includes('input/kernel') && names.includes('position'));
    assert.ok(!names.includes('embedding') && !names.includes('head/kernel'));
    assert.deepEqual(variant.weights.get('position')!.shape, [6, 8]);
    variant.dispose();
    const projected = createTransformer({ ...tiny, embeddingSize: 5 });
    assert.deepEqual(projected.weights.get('embedding')!.shape, [7, 5]);
    assert.deepEqual(projected.weights.get('embedding/proj')!.shape, [5, 8]);
    projected.dispose();
  });

  it('initialises deterministically from the seed', () => {
    const values = (config: TransformerConfig) => {
      const m = createTransformer(config);
      const out = Object.fromEntries([...m.weights].map(([n, v]) => [n, Array.from(v.dataSync())]));
      m.dispose();
      return out;
    };
    const a = values(tiny);
    assert.deepEqual(values(tiny), a);
    const b = values({ ...tiny, seed: 99 });
    assert.notDeepEqual(b['block0/attn/qkv/kernel'], a['block0/attn/qkv/kernel']);
    assert.notDeepEqual(a['block0/attn/qkv/kernel'], a['block1/attn/qkv/kernel'], 'layers differ');
    // A weight's initial value depends on its name and the seed only, not on the other weights.
    assert.deepEqual(values({ ...tiny, tieWeights: true })['block1/ffn/up/kernel'], a['block1/ffn/up/kernel']);
    assert.deepEqual(a['block0/ln1/gamma'], new Array(8).fill(1));
    assert.deepEqual(a['block0/attn/qkv/bias'], new Array(24).fill(0));
  });

  it('forward gives [B, T, V] logits, refuses more positions than the context, leaks nothing', async () => {
    const model = createTransformer(tiny);
    await assertNoLeak(() => {
      const logits = logitsOf(model, randomIds(3, 6, 7, 1));
      assert.equal(logits.length, 3);
      assert.equal(logits[0].length, 6);
      assert.equal(logits[0][0].length, 7);
      assert.throws(() => logitsOf(model, randomIds(1, 7, 7, 1)), /exceed the context/);
    });
    model.dispose();
  });

  for (const [name, config] of variants) {
    it(`causal: later tokens never change earlier logits (${name})`, () => {
      const model = createTransformer(config);
      randomizeWeights(model, 0.5, 7);
      const T = config.contextSize;
      const ids = randomIds(2, T, config.vocabSize, 11);
      const base = logitsOf(model, ids);
      for (let t = 0; t < T - 1; t++) {
        const changed = ids.map((row) => row.map((id, i) => (i > t ? (id + 1 + i) % config.vocabSize : id)));
        const logits = logitsOf(model, changed);
        for (let b = 0; b < 2; b++) {
          for (let s = 0; s <= t; s++) {
            const d = maxAbsDiff(logits[b][s], base[b][s]);
            assert.ok(d <= 1e-6, `position ${s} moved by ${d} when tokens after ${t} changed`);
          }
          assert.ok(maxAbsDiff(logits[b][t + 1], base[b][t + 1]) > 1e-3, `position ${t + 1} ignores its own token`);
        }
      }
      model.dispose();
    });
  }

  it('inspect equals forward: inputs, attention maps, hidden states and logits', async () => {
    const model = createTransformer(tiny);
    randomizeWeights(model, 0.5, 21);
    const ids = randomIds(1, 6, 7, 3)[0];
    const forward = logitsOf(model, [ids])[0];
    const internals = await assertNoLeak(() => model.inspect(ids));
    assert.deepEqual(internals.tokens, ids);
    assert.ok(maxAbsDiff(internals.logits.flat(), forward.flat()) < 1e-5, 'logits');
    // inputs: token vector * √C + PE(pos), computed here from the embedding table.
    const table = model.weights.get('embedding')!.arraySync() as number[][];
    ids.forEach((id, t) => {
      const expected = table[id].map((v, c) => v * Math.sqrt(8) + sinusoidalValue(t, c, 8));
      assert.ok(maxAbsDiff(internals.inputs[t], expected) < 1e-5, `input at ${t}`);
    });
    assert.equal(internals.layers.length, 2);
    for (const layer of internals.layers) {
      assert.equal(layer.kind, 'attention');
      if (layer.kind !== 'attention') continue;
      assert.equal(layer.attention.length, 2, 'heads');
      for (const head of layer.attention) {
        head.forEach((row, i) => {
          assert.equal(row.length, 6);
          assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
          for (let j = i + 1; j < 6; j++) assert.equal(row[j], 0);
        });
      }
      assert.equal(layer.hidden.length, 6);
      assert.equal(layer.hidden[0].length, 8);
    }
    // The last hidden state is the residual stream the head reads: logits = LN(h) W + b.
    const w = (n: string) => model.weights.get(n)!.arraySync() as number[] & number[][];
    const [gamma, beta, kernel, bias] = [w('final/ln/gamma'), w('final/ln/beta'), w('head/kernel'), w('head/bias')];
    const last = internals.layers[1];
    if (last.kind !== 'attention') throw new Error('kind');
    last.hidden.forEach((h, t) => {
      const mean = h.reduce((a, b) => a + b, 0) / h.length;
      const variance = h.reduce((a, b) => a + (b - mean) ** 2, 0) / h.length;
      const ln = h.map((v, c) => ((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[c] + beta[c]);
      const logits = (bias as number[]).map((b0, j) => ln.reduce((s, v, c) => s + v * kernel[c][j], b0));
      assert.ok(maxAbsDiff(logits, internals.logits[t]) < 1e-4, `head at ${t}`);
    });
    model.dispose();
  });

  for (const [name, config] of variants) {
    it(`step() with the key/value cache equals forward at every position (${name})`, async () => {
      const model = createTransformer(config);
      randomizeWeights(model, 0.5, 31);
      const ids = randomIds(1, config.contextSize, config.vocabSize, 5)[0];
      const forward = logitsOf(model, [ids])[0];
      warmStepCache(model);
      await assertNoLeak(() => {
        let state = model.initialState();
        ids.forEach((id, t) => {
          const result = model.step(state, id);
          assert.equal(result.state.position, t + 1);
          const d = maxAbsDiff(result.logits, forward[t]);
          assert.ok(d < 1e-5, `position ${t}: differs by ${d}`);
          // The incoming state is intact: stepping from it again gives the same.
          const again = model.step(state, id);
          assert.deepEqual(Array.from(again.logits), Array.from(result.logits));
          disposeState(again.state);
          disposeState(state);
          state = result.state;
        });
        disposeState(state);
      });
      model.dispose();
    });
  }

  it('step() follows weight updates (what it derives from the weights is not stale)', () => {
    const model = createTransformer(tiny);
    const state = model.initialState();
    const before = model.step(state, 3);
    randomizeWeights(model, 0.5, 71); // assigns every variable, as an optimiser step does
    const after = model.step(state, 3);
    const expected = logitsOf(model, [[3]])[0][0];
    assert.ok(maxAbsDiff(after.logits, expected) < 1e-5);
    assert.ok(maxAbsDiff(after.logits, before.logits) > 1e-3);
    [state, before.state, after.state].forEach(disposeState);
    model.dispose();
  });

  it('step() past the context slides: keeps the last ⌊context/2⌋ tokens and recomputes', async () => {
    const model = createTransformer(tiny);
    randomizeWeights(model, 0.5, 41);
    const ids = randomIds(1, 15, 7, 9)[0];
    warmStepCache(model);
    await assertNoLeak(() => {
      let state: ModelState = model.initialState();
      let history: number[] = [];
      ids.forEach((id, n) => {
        if (history.length === tiny.contextSize) history = history.slice(-Math.floor(tiny.contextSize / 2));
        history.push(id);
        const result = model.step(state, id);
        disposeState(state);
        state = result.state;
        assert.equal(state.position, n + 1);
        const expected = logitsOf(model, [history])[0][history.length - 1];
        const d = maxAbsDiff(result.logits, expected);
        assert.ok(d < 1e-5, `token ${n} (window of ${history.length}): differs by ${d}`);
      });
      disposeState(state);
    });
    model.dispose();
  });

  for (const [name, config] of variants) {
    it(`finite differences agree with the gradient of every weight (${name})`, () => {
      const model = createTransformer(config);
      randomizeWeights(model, 0.3, 51);
      const ids = randomIds(2, 5, config.vocabSize, 13);
      const idsTensor = tf.tensor2d(ids, undefined, 'int32');
      const r = tf.randomNormal([2, 5, config.vocabSize], 0, 1, 'float32', 52);
      const rValues = r.dataSync();
      // The loss is Σ logits * r, summed in double precision for the finite differences.
      const loss = () => {
        const logits = tf.tidy(() => model.forward(idsTensor).dataSync());
        let s = 0;
        for (let i = 0; i < logits.length; i++) s += logits[i] * rValues[i];
        return s;
      };
      const { grads, value } = tf.variableGrads(() => model.forward(idsTensor).mul(r).sum() as tf.Scalar, [
        ...model.weights.values(),
      ]);
      value.dispose();
      // eps balances float32 noise (~1e-5 in the loss) against ReLU kinks: a kink within eps of
      // an entry spoils the central difference, but then one of the one-sided ones is clean.
      const eps = 3e-3;
      let checked = 0;
      for (const [wName, variable] of model.weights) {
        const grad = grads[variable.name].dataSync();
        const size = variable.size;
        for (const index of new Set([0, Math.floor(size / 2), size - 1])) {
          const original = variable.dataSync().slice();
          const at = (delta: number) => {
            const values = original.slice();
            values[index] += delta;
            tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
            return loss();
          };
          const [plus, zero, minus] = [at(eps), at(0), at(-eps)];
          tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)));
          const analytic = grad[index];
          const differences = [(plus - minus) / (2 * eps), (plus - zero) / eps, (zero - minus) / eps];
          const error = Math.min(...differences.map((fd) => Math.abs(fd - analytic)));
          assert.ok(
            error <= 1e-3 + 1e-2 * Math.abs(analytic),
            `${wName}[${index}]: finite differences ${differences.join(', ')}, gradient ${analytic}`,
          );
          checked++;
        }
      }
      assert.ok(checked >= 3 * (model.weights.size - 8));
      tf.dispose([idsTensor, r, ...Object.values(grads)]);
      model.dispose();
    });
  }

  it('the probe enters the residual stream before the first block: last-step gradients reach every position', async () => {
    const model = createTransformer(tiny);
    randomizeWeights(model, 0.5, 61);
    const ids = tf.tensor2d(randomIds(2, 6, 7, 17), undefined, 'int32');
    await assertNoLeak(() =>
      tf.tidy(() => {
        const probe = tf.zeros([6, 2, 8]) as tf.Tensor3D;
        assert.ok(maxAbsDiff(model.forward(ids, { probe }).dataSync(), model.forward(ids).dataSync()) === 0);
        // ∂(logit of the last position)/∂probe_t: nonzero at every t ≤ T-1 (attention reads them all).
        const g = tf.grad((p: tf.Tensor) => model.forward(ids, { probe: p as tf.Tensor3D }).slice([0, 5, 0], [2, 1, 7]).square().sum())(probe);
        const norms = g.square().sum([1, 2]).arraySync() as number[];
        norms.forEach((n, t) => assert.ok(n > 1e-8, `no gradient reaches position ${t}`));
        // A perturbation at position t moves logits at t and after, never before.
        // (Not a constant vector: layer norm would remove it.)
        const bump = tf.oneHot(tf.tensor1d([3], 'int32'), 6).reshape([6, 1, 1]).mul(tf.randomNormal([6, 2, 8], 0, 1, 'float32', 62)) as tf.Tensor3D;
        const moved = model.forward(ids, { probe: bump }).sub(model.forward(ids)).abs().max([0, 2]).arraySync() as number[];
        moved.forEach((m, t) => (t < 3 ? assert.equal(m, 0) : assert.ok(m > 1e-4)));
        assert.throws(() => model.forward(ids, { probe: tf.zeros([2, 6, 8]) as tf.Tensor3D }), /probe must be/);
      }),
    );
    ids.dispose();
    model.dispose();
  });

  it('leaks nothing through forward + gradient, and dispose() frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const model = createTransformer({ ...tiny, dropout: 0.1, positional: 'learned' });
    const ids = tf.tensor2d(randomIds(2, 6, 7, 19), undefined, 'int32');
    await assertNoLeak(() => {
      const { value, grads } = tf.variableGrads(
        () => model.forward(ids, { training: true }).square().mean() as tf.Scalar,
        [...model.weights.values()],
      );
      assert.equal(Object.keys(grads).length, model.weights.size);
      tf.dispose([value, ...Object.values(grads)]);
    });
    warmStepCache(model); // what step() keeps is freed by dispose() too
    ids.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => model.initialState(), /after dispose/);
  });

  it('dropout acts in training only', () => {
    const model = createTransformer({ ...tiny, dropout: 0.5 });
    const plain = createTransformer(tiny);
    const ids = randomIds(2, 6, 7, 23);
    tf.tidy(() => {
      const x = tf.tensor2d(ids, undefined, 'int32');
      const train1 = model.forward(x, { training: true }).dataSync();
      const train2 = model.forward(x, { training: true }).dataSync();
      assert.ok(maxAbsDiff(train1, train2) > 1e-4, 'training passes draw new masks');
      assert.deepEqual(Array.from(model.forward(x).dataSync()), Array.from(plain.forward(x).dataSync()));
    });
    model.dispose();
    plain.dispose();
  });

  it('weight tying shares one variable between the input table and the output projection', () => {
    const tied = createTransformer({ ...tiny, tieWeights: true });
    const untied = createTransformer(tiny);
    const count = (m: typeof tied) => [...m.weights.values()].reduce((s, v) => s + v.size, 0);
    assert.equal(count(untied) - count(tied), 8 * 7, 'exactly the [C, V] head kernel is gone');
    assert.ok(!tied.weights.has('head/kernel'));
    // Token 6 never appears in the input, so its embedding row can only get gradient through
    // the output projection, which is that same row.
    const embedding = tied.weights.get('embedding')!;
    tf.tidy(() => {
      const ids = tf.tensor2d([[0, 1, 2, 3]], undefined, 'int32');
      const f = (m: typeof tied) => () => m.forward(ids).slice([0, 0, 6], [1, 4, 1]).sum() as tf.Scalar;
      const g = tf.variableGrads(f(tied), [embedding]).grads[embedding.name];
      assert.ok(g.slice([6, 0], [1, 8]).abs().sum().dataSync()[0] > 0, 'the output path reaches the table');
      const gUntied = tf.variableGrads(f(untied), [untied.weights.get('embedding')!]).grads[untied.weights.get('embedding')!.name];
      assert.equal(gUntied.slice([6, 0], [1, 8]).abs().sum().dataSync()[0], 0, 'untied: no such path');
      // Changing that row changes the logits of token 6 and nothing else.
      const before = tied.forward(ids).dataSync();
      // (A random direction: a constant one would vanish against the normalised hidden state.)
      embedding.assign(embedding.add(tf.oneHot(tf.tensor1d([6], 'int32'), 7).reshape([7, 1]).mul(tf.randomNormal([7, 8], 0, 1, 'float32', 5))));
      const after = tied.forward(ids).reshape([4, 7]).arraySync() as number[][];
      const beforeRows = tf.tensor2d(before, [4, 7]).arraySync();
      after.forEach((row, t) => row.forEach((v, j) => (j === 6 ? assert.notEqual(v, beforeRows[t][j]) : assert.ok(Math.abs(v - beforeRows[t][j]) < 1e-6))));
    });
    tied.dispose();
    untied.dispose();
  });

  it('without a positional encoding one layer cannot tell the order of the tokens before the last', () => {
    const ids = [[1, 2, 3, 4, 5]];
    const permuted = [[3, 1, 4, 2, 5]]; // the same tokens before the last one, in another order
    const orderless = createTransformer({ ...tiny, layers: 1, positional: 'none' });
    const ordered = createTransformer({ ...tiny, layers: 1 });
    try {
      randomizeWeights(orderless, 0.5, 21);
      randomizeWeights(ordered, 0.5, 21);
      const last = (model: ReturnType<typeof createTransformer>, rows: number[][]) => logitsOf(model, rows)[0][4];
      assert.ok(maxAbsDiff(last(orderless, ids), last(orderless, permuted)) < 1e-5, 'no positions: a bag of tokens');
      assert.ok(maxAbsDiff(last(ordered, ids), last(ordered, permuted)) > 1e-3, 'sinusoidal positions tell the orders apart');
    } finally {
      orderless.dispose();
      ordered.dispose();
    }
  });

  it('with the causal mask off in training a position reads the tokens after it; evaluation stays causal', () => {
    const model = createTransformer({ ...tiny, causalMaskInTraining: false });
    const masked = createTransformer(tiny);
    try {
      randomizeWeights(model, 0.5, 11);
      randomizeWeights(masked, 0.5, 11);
      const [a, b] = [[[1, 2, 3, 4, 5]], [[1, 2, 3, 6, 5]]]; // differ at position 3 only
      const first = (m: ReturnType<typeof createTransformer>, rows: number[][], training: boolean) =>
        tf.tidy(() => m.forward(tf.tensor2d(rows, undefined, 'int32'), { training }).arraySync()[0][0]);
      assert.ok(maxAbsDiff(first(model, a, true), first(model, b, true)) > 1e-3, 'training: position 0 sees position 3');
      assert.ok(maxAbsDiff(first(model, a, false), first(model, b, false)) < 1e-6, 'evaluation: position 0 sees only itself');
      assert.ok(maxAbsDiff(first(masked, a, true), first(masked, b, true)) < 1e-6, 'the default masks in training too');
    } finally {
      model.dispose();
      masked.dispose();
    }
  });

  it('learns a repeating pattern to under 0.05 nats (nano preset, Adam)', async function () {
    // Each row repeats a random pattern of 5 tokens; after one period every next token is
    // determined by the one 5 back, which attention has to find. The loss counts those positions.
    const vocab = 10;
    const config = { ...(presetConfig('transformer', 'nano', vocab, { seed: 1 }) as TransformerConfig) };
    const model = createTransformer(config);
    const [B, T, P] = [16, 20, 5];
    const optimizer = tf.train.adam(3e-3);
    let seed = 1;
    const batch = () => {
      const rows = randomIds(B, P, vocab, seed++).map((pattern) => Array.from({ length: T + 1 }, (_, i) => pattern[i % P]));
      return {
        ids: tf.tensor2d(rows.map((r) => r.slice(0, T)), undefined, 'int32'),
        targets: tf.tensor2d(rows.map((r) => r.slice(1)), undefined, 'int32'),
      };
    };
    const mask = tf.tidy(() => tf.range(0, T).greaterEqual(P - 1).toFloat().reshape([1, T]).tile([B, 1]));
    let last = Infinity;
    let steps = 0;
    for (; steps < 400 && last >= 0.05; steps++) {
      const { ids, targets } = batch();
      const loss = optimizer.minimize(() => {
        const logits = model.forward(ids, { training: true });
        const logProbs = logits.sub(logits.logSumExp(-1, true));
        const nll = logProbs.mul(tf.oneHot(targets, vocab)).sum(-1).neg(); // (B, T)
        return nll.mul(mask).sum().div(mask.sum()) as tf.Scalar;
      }, true)!;
      last = loss.dataSync()[0];
      tf.dispose([loss, ids, targets]);
    }
    assert.ok(last < 0.05, `loss ${last} after ${steps} steps`);
    tf.dispose([mask]);
    optimizer.dispose();
    model.dispose();
  });
});
