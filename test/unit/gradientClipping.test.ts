import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNorm, globalNorm } from '../../src/core/training/gradientClipping';
import { assertNoLeak, useTestBackend } from './tfSetup';

describe('gradient clipping', () => {
  before(useTestBackend);

  const a = [3, -4, 1.5, 0.25];
  const b = [[2, 0], [-1, 6]];
  const reference = Math.sqrt([...a, ...b.flat()].reduce((s, x) => s + x * x, 0));

  it('global norm is the norm of all gradients together', async () => {
    await assertNoLeak(() => {
      const ga = tf.tensor1d(a);
      const gb = tf.tensor2d(b);
      const norm = globalNorm([ga, gb]);
      assert.ok(Math.abs(norm.dataSync()[0] - reference) < 1e-5);
      tf.dispose([ga, gb, norm]);
    });
  });

  it('leaves gradients under the threshold bit-identical', async () => {
    await assertNoLeak(() => {
      const ga = tf.tensor1d(a);
      const gb = tf.tensor2d(b);
      const { grads, norm } = clipByGlobalNorm([ga, gb], reference * 1.01);
      assert.deepEqual(Array.from(grads[0].dataSync()), Array.from(ga.dataSync()));
      assert.deepEqual(Array.from(grads[1].dataSync()), Array.from(gb.dataSync()));
      assert.ok(Math.abs(norm.dataSync()[0] - reference) < 1e-5);
      tf.dispose([ga, gb, norm, ...grads]);
    });
  });

  it('scales gradients over the threshold to norm maxNorm, same direction, reporting the norm before', async () => {
    await assertNoLeak(() => {
      const ga = tf.tensor1d(a);
      const gb = tf.tensor2d(b);
      const { grads, norm } = clipByGlobalNorm([ga, gb], 2);
      assert.ok(Math.abs(norm.dataSync()[0] - reference) < 1e-5, 'norm reported before clipping');
      const scale = 2 / reference;
      const clipped = [...grads[0].dataSync(), ...grads[1].dataSync()];
      const expected = [...a, ...b.flat()].map((x) => x * scale);
      clipped.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < 1e-6, `${x} vs ${expected[i]}`));
      const after = Math.sqrt(clipped.reduce((s, x) => s + x * x, 0));
      assert.ok(Math.abs(after - 2) < 1e-5);
      tf.dispose([ga, gb, norm, ...grads]);
    });
  });

  it('Infinity disables clipping but still measures', async () => {
    await assertNoLeak(() => {
      const ga = tf.tensor1d(a);
      const { grads, norm } = clipByGlobalNorm([ga], Infinity);
      assert.deepEqual(Array.from(grads[0].dataSync()), Array.from(ga.dataSync()));
      assert.ok(Math.abs(norm.dataSync()[0] - Math.sqrt(a.reduce((s, x) => s + x * x, 0))) < 1e-5);
      tf.dispose([ga, norm, ...grads]);
    });
  });
});
