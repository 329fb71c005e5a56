import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, embeddingRows, linear, mergeHeads, reshape, splitHeads, transpose2d } from '../../src/core/models/fastOps';
import { assertNoLeak, useTestBackend } from './tfSetup';
import { maxAbsDiff as arraysMaxAbsDiff } from './support/numeric';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return arraysMaxAbsDiff(a.dataSync(), b.dataSync());
}

describe('fast ops (batched matMul, linear, embedding rows, reshape)', () => {
  before(useTestBackend);

  it('batchMatMul equals tf.matMul, values and gradients, odd sizes', async () => {
    await assertNoLeak(() =>
      tf.tidy(() => {
        const a = tf.randomNormal([7, 5, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
        const b = tf.randomNormal([7, 3, 6], 0, 1, 'float32', 2) as tf.Tensor3D;
        const w = tf.randomNormal([7, 5, 6], 0, 1, 'float32', 3);
        // tf.matMul on a, b is the reference: per-batch products by the backend's own kernel.
        const reference = tf.stack(tf.unstack(a).map((ai, i) => tf.matMul(ai, tf.unstack(b)[i])));
        assert.ok(maxAbsDiff(batchMatMul(a, b), reference) < 1e-5);
        const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => batchMatMul(x as tf.Tensor3D, y as tf.Tensor3D).mul(w).sum())([a, b]);
        const [ra, rb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y).mul(w).sum())([a, b]);
        assert.ok(maxAbsDiff(ga, ra) < 1e-5, 'dA');
        assert.ok(maxAbsDiff(gb, rb) < 1e-5, 'dB');
        // Each batch entry is its own product: changing b[3] changes only out[3].
        const changed = batchMatMul(a, b.add(tf.oneHot([3], 7).reshape([7, 1, 1]).mul(10)) as tf.Tensor3D);
        const diff = changed.sub(batchMatMul(a, b)).abs().sum([1, 2]).arraySync() as number[];
        diff.forEach((v, i) => (i === 3 ? assert.ok(v > 0) : assert.equal(v, 0)));
      }),
    );
  });

  it('batchMatMul leaves no tensors registered in the backend', () => {
    const before = tf.engine().backend.numDataIds();
    tf.tidy(() => batchMatMul(tf.ones([4, 2, 3]), tf.ones([4, 3, 2])).dataSync());
    assert.equal(tf.engine().backend.numDataIds(), before);
  });

  for (const [k, m] of [
    [3, 5],
    [5, 3],
    [4, 4],
  ]) {
    for (const activation of ['linear', 'relu'] as const) {
      it(`linear ${activation}, kernel [${k}, ${m}]: values and gradients equal the plain ops`, async () => {
        await assertNoLeak(() =>
          tf.tidy(() => {
            const x = tf.randomNormal([6, k], 0, 1, 'float32', 10 + k) as tf.Tensor2D;
            const w = tf.randomNormal([k, m], 0, 1, 'float32', 20 + m) as tf.Tensor2D;
            const b = tf.randomNormal([m], 0, 1, 'float32', 30) as tf.Tensor1D;
            const r = tf.randomNormal([6, m], 0, 1, 'float32', 40);
            const plain = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
              const y = tf.matMul(xx, ww).add(bb);
              return activation === 'relu' ? tf.relu(y) : y;
            };
            const y = linear(x, w, b, activation);
            assert.ok(maxAbsDiff(y, plain(x, w, b)) < 1e-5);
            if (activation === 'relu') assert.ok(y.min().dataSync()[0] === 0, 'some units are cut by ReLU');
            const f = (fn: typeof plain) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => fn(xx, ww, bb).mul(r).sum();
            const ours = tf.grads(f((xx, ww, bb) => linear(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, activation)))([x, w, b]);
            const theirs = tf.grads(f(plain))([x, w, b]);
            ['dx', 'dW', 'db'].forEach((name, i) => assert.ok(maxAbsDiff(ours[i], theirs[i]) < 1e-5, name));
          }),
        );
      });
    }
  }

  it('embeddingRows equals a gather, and its gradient sums repeated ids', async () => {
    await assertNoLeak(() =>
      tf.tidy(() => {
        const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
        const ids = tf.tensor2d([[2, 0, 2]], [1, 3], 'int32');
        assert.deepEqual(embeddingRows(table, ids).arraySync(), [[5, 6], [1, 2], [5, 6]]);
        const weights = tf.tensor2d([[1, 10], [100, 1000], [2, 20]]);
        const g = tf.grad((t: tf.Tensor) => embeddingRows(t as tf.Tensor2D, ids).mul(weights).sum())(table);
        assert.deepEqual(g.arraySync(), [[100, 1000], [0, 0], [3, 30]]);
      }),
    );
  });

  it('transpose2d equals tf.transpose, values and gradient, sizes that are not multiples of its tile', async () => {
    await assertNoLeak(() =>
      tf.tidy(() => {
        for (const [r, c] of [[1, 1], [3, 70], [67, 33], [64, 128]]) {
          const x = tf.randomNormal([r, c], 0, 1, 'float32', r * c) as tf.Tensor2D;
          const y = transpose2d(x);
          assert.deepEqual(y.shape, [c, r]);
          assert.deepEqual(Array.from(y.dataSync()), Array.from(x.transpose().dataSync()));
          const w = tf.randomNormal([c, r], 0, 1, 'float32', 7);
          const g = tf.grad((t: tf.Tensor) => transpose2d(t as tf.Tensor2D).mul(w).sum())(x);
          assert.deepEqual(Array.from(g.dataSync()), Array.from(w.transpose().dataSync()));
        }
      }),
    );
  });

  it('splitHeads puts head h of sequence b at entry b*H + h; mergeHeads undoes it; gradients agree', async () => {
    await assertNoLeak(() =>
      tf.tidy(() => {
        const [B, T, H, d] = [3, 5, 2, 4];
        const C = H * d;
        const x = tf.randomNormal([B * T, 3 * C], 0, 1, 'float32', 8) as tf.Tensor2D;
        const rows = x.arraySync();
        const parts = splitHeads(x, B, H);
        parts.forEach((part, s) => {
          assert.deepEqual(part.shape, [B * H, T, d]);
          const values = part.arraySync();
          for (let b = 0; b < B; b++)
            for (let h = 0; h < H; h++)
              for (let t = 0; t < T; t++)
                assert.deepEqual(values[b * H + h][t], rows[b * T + t].slice(s * C + h * d, s * C + h * d + d));
        });
        assert.deepEqual(Array.from(mergeHeads(...parts, B).dataSync()), Array.from(x.dataSync()));
        // Gradient: against the same permutation written with reshape and transpose.
        const w = [0, 1, 2].map((i) => tf.randomNormal([B * H, T, d], 0, 1, 'float32', 20 + i));
        const reference = (t: tf.Tensor) =>
          tf.unstack(t.reshape([B, T, 3, H, d]).transpose([2, 0, 3, 1, 4]).reshape([3, B * H, T, d]));
        const f = (split: (t: tf.Tensor) => tf.Tensor[]) => (t: tf.Tensor) =>
          tf.addN(split(t).map((p, i) => p.mul(w[i]).sum())) as tf.Scalar;
        const ours = tf.grad(f((t) => splitHeads(t as tf.Tensor2D, B, H)))(x);
        const theirs = tf.grad(f(reference))(x);
        assert.deepEqual(Array.from(ours.dataSync()), Array.from(theirs.dataSync()));
        const gMerge = tf.grads((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) =>
          mergeHeads(q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D, B).mul(x).sum(),
        )(parts);
        gMerge.forEach((g, i) => assert.deepEqual(Array.from(g.dataSync()), Array.from(parts[i].dataSync())));
      }),
    );
  });

  it('reshape has the gradient of tf.reshape', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 6], 0, 1, 'float32', 5);
      const r = tf.randomNormal([3, 4], 0, 1, 'float32', 6);
      const g = tf.grad((t: tf.Tensor) => reshape(t, [3, 4]).mul(r).sum())(x);
      assert.deepEqual(g.shape, [2, 6]);
      assert.deepEqual(Array.from(g.dataSync()), Array.from(r.dataSync()));
      assert.equal(reshape(x, [2, 6]), x, 'a reshape to the same shape is the tensor itself');
    });
  });
});
