import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../src/core/models';
import { gruCell } from '../../src/core/models/gru';
import { lstmCell } from '../../src/core/models/lstm';
import {
  recurrentLayer,
  recurrentLayerReference,
  splitTime,
  tanh,
  type Cell,
} from '../../src/core/models/recurrent';
import { rnnCell } from '../../src/core/models/rnn';
import { assertClose, fixedRandom, idsTensor, recurrentConfig, weightValues } from './recurrentHelpers';
import { assertNoLeak, useTestBackend } from './tfSetup';

const cells: [string, Cell][] = [
  ['rnn tanh', rnnCell('tanh')],
  ['rnn relu', rnnCell('relu')],
  ['gru', gruCell],
  ['lstm', lstmCell],
];

describe('recurrent plumbing', () => {
  before(useTestBackend);

  it('splitTime returns the rows of a (T, B, K) tensor', () => {
    tf.tidy(() => {
      const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 2, 2]);
      const rows = splitTime(x);
      assert.equal(rows.length, 3);
      assert.deepEqual(rows[1].shape, [2, 2]);
      assert.deepEqual(rows.map((r) => Array.from(r.dataSync())), [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);
    });
  });

  it('tanh helper equals Math.tanh within 2e-7, on small and on large tensors', () => {
    tf.tidy(() => {
      const xs = [-20, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.25, 1, 2.5, 9, 40];
      assertClose(tanh(tf.tensor2d(xs, [2, 6])).dataSync(), xs.map(Math.tanh), 2e-7, 'tanh');
      const many = Array.from({ length: 4096 }, (_, i) => xs[i % xs.length] * (1 + i / 4096));
      assertClose(tanh(tf.tensor2d(many, [16, 256])).dataSync(), many.map(Math.tanh), 2e-7, 'tanh (16, 256)');
    });
  });

  for (const [name, cell] of cells) {
    for (const inputKind of ['vectors', 'one-hot ids'] as const) {
      it(`${name}, ${inputKind}: hand-written BPTT equals tfjs autodiff of the same forward, probe included`, () => {
        tf.tidy(() => {
          const T = 5, B = 3, H = 4, I = 6, G = cell.gates;
          const x = fixedRandom([T, B, I], 1).mul(1.5) as tf.Tensor3D;
          const ids = tf.tensor2d([[0, 5, 2], [1, 1, 4], [3, 0, 0], [5, 2, 1], [4, 4, 3]], [T, B], 'int32');
          const W = fixedRandom([I, G * H], 2).mul(0.8) as tf.Tensor2D;
          const b = fixedRandom([G * H], 3).mul(0.5) as tf.Tensor1D;
          const U = fixedRandom([H, G * H], 4).mul(0.8) as tf.Tensor2D;
          const extras = cell.extraWeights.map((_, k) => fixedRandom([H], 5 + k).mul(0.5));
          const probe = fixedRandom([T, B, H], 9).mul(0.1) as tf.Tensor3D;
          const dy = fixedRandom([T, B, H], 10);
          const dense = inputKind === 'vectors';
          const inputs = [...(dense ? [x] : []), W, b, U, ...extras, probe];
          const labels = [...(dense ? ['x'] : []), 'W', 'b', 'U', ...cell.extraWeights, 'probe'];
          const lossWith = (layer: typeof recurrentLayer) => (...xs: tf.Tensor[]) => {
            let k = 0;
            const input = dense ? { x: xs[k++] as tf.Tensor3D } : { ids };
            const weights = { W: xs[k++] as tf.Tensor2D, b: xs[k++] as tf.Tensor1D, U: xs[k++] as tf.Tensor2D, extras: xs.slice(k, k + extras.length) };
            return layer(cell, input, weights, xs[k + extras.length] as tf.Tensor3D).mul(dy).sum();
          };
          const fast = tf.grads(lossWith(recurrentLayer))(inputs);
          const reference = tf.grads(lossWith(recurrentLayerReference))(inputs);
          labels.forEach((label, k) => {
            assert.deepEqual(fast[k].shape, inputs[k].shape, `shape of ∂/∂${label}`);
            assertClose(fast[k].dataSync(), reference[k].dataSync(), 1e-5, `${name} ∂/∂${label}`);
            assert.ok(fast[k].abs().max().dataSync()[0] > 1e-3, `∂/∂${label} is not zero`);
          });
          // and the forward values agree
          const weights = { W, b, U, extras };
          const input = dense ? { x } : { ids };
          assertClose(
            recurrentLayer(cell, input, weights, probe).dataSync(),
            recurrentLayerReference(cell, input, weights, probe).dataSync(),
            1e-6,
            `${name} h`,
          );
        });
      });
    }
  }

  it('equal configs give identical weights; another seed gives others', () => {
    for (const arch of ['rnn', 'gru', 'lstm'] as const) {
      const a = createModel(recurrentConfig(arch, { layers: 2 }));
      const b = createModel(recurrentConfig(arch, { layers: 2 }));
      const c = createModel(recurrentConfig(arch, { layers: 2, seed: 8 }));
      for (const name of a.weights.keys()) {
        assert.deepEqual(weightValues(a, name), weightValues(b, name), `${arch} ${name}`);
      }
      assert.notDeepEqual(weightValues(a, 'layer1/U'), weightValues(c, 'layer1/U'));
      assert.notDeepEqual(weightValues(a, 'layer0/W'), weightValues(a, 'layer1/W').slice(0, weightValues(a, 'layer0/W').length));
      a.dispose();
      b.dispose();
      c.dispose();
    }
  });

  it('names and shapes its weights stably', () => {
    const shapes = (arch: 'rnn' | 'gru' | 'lstm', input: 'embedding' | 'onehot') => {
      const m = createModel(recurrentConfig(arch, { layers: 2, input }));
      const out = [...m.weights.entries()].map(([n, v]) => `${n} ${v.shape.join('x')}`);
      m.dispose();
      return out;
    };
    // V = 5, E = 3, H = 4
    assert.deepEqual(shapes('lstm', 'embedding'), [
      'embedding 5x3',
      'layer0/W 3x16', 'layer0/U 4x16', 'layer0/b 16',
      'layer1/W 4x16', 'layer1/U 4x16', 'layer1/b 16',
      'output/kernel 4x5', 'output/bias 5',
    ]);
    assert.deepEqual(shapes('gru', 'onehot'), [
      'layer0/W 5x12', 'layer0/U 4x12', 'layer0/b 12', 'layer0/bh 4',
      'layer1/W 4x12', 'layer1/U 4x12', 'layer1/b 12', 'layer1/bh 4',
      'output/kernel 4x5', 'output/bias 5',
    ]);
    assert.deepEqual(shapes('rnn', 'embedding'), [
      'embedding 5x3',
      'layer0/W 3x4', 'layer0/U 4x4', 'layer0/b 4',
      'layer1/W 4x4', 'layer1/U 4x4', 'layer1/b 4',
      'output/kernel 4x5', 'output/bias 5',
    ]);
  });

  it('initialises kernels Glorot-uniform per gate block and the embedding at unit variance', () => {
    const m = createModel(recurrentConfig('lstm', { vocabSize: 50, embeddingSize: 40, hiddenSize: 60 }));
    const W = weightValues(m, 'layer0/W'); // 40 x 240, limit √(6 / (40 + 60))
    const limit = Math.sqrt(6 / 100);
    assert.ok(W.every((w) => Math.abs(w) <= limit));
    assert.ok(Math.max(...W.map(Math.abs)) > 0.95 * limit);
    const E = weightValues(m, 'embedding');
    const variance = E.reduce((s, e) => s + e * e, 0) / E.length;
    assert.ok(Math.abs(variance - 1) < 0.1, `embedding variance ${variance}`);
    assert.ok(weightValues(m, 'output/bias').every((b) => b === 0));
    m.dispose();
  });

  it('rejects a probe of the wrong shape, out-of-vocabulary ids and bad states', () => {
    const m = createModel(recurrentConfig('gru'));
    tf.tidy(() => {
      const ids = idsTensor([[0, 1, 2]]);
      assert.throws(() => m.forward(ids, { probe: tf.zeros([3, 1, 5]) as tf.Tensor3D }), /probe/);
    });
    assert.throws(() => m.inspect([0, 5]), /vocabulary/);
    const s = m.initialState();
    assert.throws(() => m.step(s, -1), /vocabulary/);
    assert.throws(() => m.step({ position: 0, tensors: [] }, 1), /state/);
    s.tensors.forEach((t) => t.dispose());
    m.dispose();
  });

  it('dropout acts in training only', () => {
    const m = createModel(recurrentConfig('lstm', { layers: 2, dropout: 0.5 }));
    tf.tidy(() => {
      const ids = idsTensor([[0, 1, 2, 3, 4, 0]]);
      const a = m.forward(ids).dataSync();
      const b = m.forward(ids, { training: false }).dataSync();
      const c = m.forward(ids, { training: true }).dataSync();
      assert.deepEqual(Array.from(a), Array.from(b));
      assert.ok(Array.from(a).some((v, i) => Math.abs(v - c[i]) > 1e-4), 'training forward should differ');
    });
    m.dispose();
  });

  it('inspect of an empty sequence is empty', () => {
    const m = createModel(recurrentConfig('lstm'));
    const r = m.inspect([]);
    assert.deepEqual(r.logits, []);
    assert.equal(r.layers.length, 1);
    assert.equal(r.layers[0].kind, 'lstm');
    m.dispose();
  });

  it('leaks nothing through forward + gradient for every cell', async () => {
    for (const arch of ['rnn', 'gru', 'lstm'] as const) {
      const m = createModel(recurrentConfig(arch, { layers: 2, dropout: 0.2 }));
      const vars = [...m.weights.values()];
      await assertNoLeak(() => {
        tf.tidy(() => {
          const ids = idsTensor([[0, 1, 2, 3], [4, 3, 2, 1]]);
          const probe = tf.zeros([4, 2, 4]) as tf.Tensor3D;
          tf.variableGrads(() => m.forward(ids, { training: true, probe }).square().sum() as tf.Scalar, vars);
          tf.grad((p: tf.Tensor) => m.forward(ids, { probe: p as tf.Tensor3D }).sum())(probe);
        });
        // outside tidy too: the hand-written backward keeps nothing once gradients are out
        const ids = idsTensor([[0, 1, 2, 3]]);
        const { value, grads } = tf.variableGrads(() => m.forward(ids).sum() as tf.Scalar, vars);
        tf.dispose([ids, value, ...Object.values(grads)]);
        m.inspect([1, 2, 3]);
      });
      m.dispose();
    }
  });
});
