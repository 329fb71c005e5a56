import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  learnedEncodingInit,
  positionsFor,
  sinusoidalEncoding,
} from '../../src/core/models/positionalEncoding';
import { sinusoidalValue } from '../../src/core/models/transformerNumbers';
import { assertNoLeak, useTestBackend } from './tfSetup';

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

describe('positional encoding', () => {
  before(useTestBackend);

  it('sinusoidal: hand-checked values, width 4 (frequencies 1 and 1/100)', async () => {
    await assertNoLeak(() => {
      const table = sinusoidalEncoding(3, 4);
      assert.deepEqual(table.shape, [3, 4]);
      const v = table.arraySync();
      table.dispose();
      // pos 0: sin 0, cos 0 for both frequencies
      assert.deepEqual(v[0], [0, 1, 0, 1]);
      // PE(pos, 2i) = sin(pos / 10000^(2i/4)): 10000^(0/4) = 1, 10000^(2/4) = 100
      const expected = [
        [Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01)],
        [Math.sin(2), Math.cos(2), Math.sin(0.02), Math.cos(0.02)],
      ];
      for (let p = 1; p <= 2; p++) {
        for (let c = 0; c < 4; c++) close(v[p][c], expected[p - 1][c], 1e-7, `PE(${p}, ${c})`);
      }
      // sin(1) = 0.8414709848, cos(2) = -0.4161468365, written out
      close(v[1][0], 0.8414709848, 1e-7, 'sin 1');
      close(v[2][1], -0.4161468365, 1e-7, 'cos 2');
    });
  });

  it('sinusoidal: width 6 uses 10000^(2i/6) per column pair, an odd width ends on a sine', () => {
    tf.tidy(() => {
      const v = sinusoidalEncoding(8, 6).arraySync();
      const f1 = 1 / Math.pow(10000, 2 / 6); // 0.046415888
      close(v[7][2], Math.sin(7 * f1), 1e-6, 'PE(7, 2)');
      close(v[7][3], Math.cos(7 * f1), 1e-6, 'PE(7, 3)');
      close(v[5][5], Math.cos(5 / Math.pow(10000, 4 / 6)), 1e-6, 'PE(5, 5)');
      const odd = sinusoidalEncoding(4, 5).arraySync();
      close(odd[3][4], Math.sin(3 / Math.pow(10000, 4 / 5)), 1e-6, 'odd width, last column');
      assert.equal(sinusoidalValue(3, 4, 5), Math.sin(3 / Math.pow(10000, 4 / 5)));
    });
  });

  it('sinusoidal: every pair of columns lies on the unit circle', () => {
    tf.tidy(() => {
      const v = sinusoidalEncoding(50, 16).arraySync();
      for (const row of v) {
        for (let c = 0; c < 16; c += 2) close(row[c] ** 2 + row[c + 1] ** 2, 1, 1e-6, 'sin² + cos²');
      }
    });
  });

  it('positionsFor returns the rows of one window and refuses positions past the table', () => {
    tf.tidy(() => {
      const table = tf.tensor2d([[0, 0], [1, 1], [2, 2], [3, 3]]);
      assert.deepEqual(positionsFor(table, 1, 2).arraySync(), [[1, 1], [2, 2]]);
      assert.deepEqual(positionsFor(table, 0, 4).arraySync(), table.arraySync());
      assert.throws(() => positionsFor(table, 3, 2), /outside/);
    });
  });

  it('learned table: seeded, deterministic, at the RMS of the sinusoidal table', () => {
    tf.tidy(() => {
      const a = Array.from(learnedEncodingInit(64, 32, 7).dataSync());
      const b = learnedEncodingInit(64, 32, 7).dataSync();
      const c = learnedEncodingInit(64, 32, 8).dataSync();
      assert.deepEqual(a, Array.from(b));
      assert.notDeepEqual(a, Array.from(c));
      const rms = Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
      close(rms, Math.SQRT1_2, 0.03, 'rms');
      const sin = Array.from(sinusoidalEncoding(64, 32).dataSync());
      const sinRms = Math.sqrt(sin.reduce((s, x) => s + x * x, 0) / sin.length);
      close(sinRms, Math.SQRT1_2, 1e-6, 'sinusoidal rms');
    });
  });
});
