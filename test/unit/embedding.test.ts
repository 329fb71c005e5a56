import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { embeddingLookup, oneHotInput } from '../../src/core/models/embedding';
import { assertNoLeak, useTestBackend } from './tfSetup';

describe('embedding', () => {
  before(useTestBackend);

  it('looks up rows and shapes them like the ids', () => {
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const ids = tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32');
    const out = embeddingLookup(table, ids);
    assert.deepEqual(out.shape, [2, 2, 2]);
    assert.deepEqual(Array.from(out.dataSync()), [5, 6, 1, 2, 3, 4, 3, 4]);
    tf.dispose([table, ids, out]);
  });

  it('has the gradient of a one-hot matrix product, repeated ids summed', async () => {
    await assertNoLeak(() => {
      tf.tidy(() => {
        const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
        const ids = tf.tensor2d([[2, 0, 2]], [1, 3], 'int32');
        const weights = tf.tensor3d([[[1, 10], [100, 1000], [2, 20]]]);
        const viaLookup = tf.grad((t: tf.Tensor) => embeddingLookup(t as tf.Tensor2D, ids).mul(weights).sum())(table);
        const viaOneHot = tf.grad((t: tf.Tensor) =>
          oneHotInput(ids, 3).reshape([3, 3]).matMul(t as tf.Tensor2D).reshape([1, 3, 2]).mul(weights).sum(),
        )(table);
        assert.deepEqual(Array.from(viaLookup.dataSync()), [100, 1000, 0, 0, 3, 30]);
        assert.deepEqual(Array.from(viaLookup.dataSync()), Array.from(viaOneHot.dataSync()));
      });
    });
  });

  it('transposed matMuls agree with explicit transposes after the wasm patch', () => {
    tf.tidy(() => {
      const a = tf.randomNormal([5, 7], 0, 1, 'float32', 1);
      const b = tf.randomNormal([9, 7], 0, 1, 'float32', 2);
      const fused = tf.matMul(a, b, false, true);
      const explicit = tf.matMul(a, b.transpose());
      const diff = fused.sub(explicit).abs().max().dataSync()[0];
      assert.ok(diff < 1e-5, `max difference ${diff}`);
      const batched = tf.matMul(a.expandDims(0), a.expandDims(0), true, false);
      assert.deepEqual(batched.shape, [1, 7, 7]);
    });
  });
});
