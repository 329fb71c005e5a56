import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  attendWithCache,
  causalMask,
  multiHeadSelfAttention,
  scaledDotProductAttention,
  type AttentionParams,
} from '../../src/core/models/attention';
import { MASKED } from '../../src/core/models/transformerNumbers';
import { assertNoLeak, useTestBackend } from './tfSetup';
import { maxAbsDiff } from './support/numeric';

/** Plain-JS multi-head causal self-attention in double precision: the independent reference. */
function referenceAttention(
  x: number[][][], // [B][T][C]
  qkvKernel: number[][], // [C][3C]
  qkvBias: number[],
  projKernel: number[][],
  projBias: number[],
  heads: number,
): { output: number[][][]; weights: number[][][][] } {
  const C = x[0][0].length;
  const d = C / heads;
  const affine = (v: number[], w: number[][], b: number[]) => b.map((bj, j) => v.reduce((s, vi, i) => s + vi * w[i][j], bj));
  const output: number[][][] = [];
  const weights: number[][][][] = [];
  for (const seq of x) {
    const qkv = seq.map((v) => affine(v, qkvKernel, qkvBias));
    const T = seq.length;
    const headWeights: number[][][] = [];
    const merged: number[][] = seq.map(() => new Array<number>(C).fill(0));
    for (let h = 0; h < heads; h++) {
      const q = (t: number) => qkv[t].slice(h * d, h * d + d);
      const k = (t: number) => qkv[t].slice(C + h * d, C + h * d + d);
      const v = (t: number) => qkv[t].slice(2 * C + h * d, 2 * C + h * d + d);
      const rows: number[][] = [];
      for (let i = 0; i < T; i++) {
        const scores = [];
        for (let j = 0; j <= i; j++) scores.push(q(i).reduce((s, qi, m) => s + qi * k(j)[m], 0) / Math.sqrt(d));
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, b) => a + b, 0);
        const row = new Array<number>(T).fill(0);
        for (let j = 0; j <= i; j++) row[j] = e[j] / sum;
        rows.push(row);
        for (let j = 0; j <= i; j++) for (let m = 0; m < d; m++) merged[i][h * d + m] += row[j] * v(j)[m];
      }
      headWeights.push(rows);
    }
    weights.push(headWeights);
    output.push(merged.map((v) => affine(v, projKernel, projBias)));
  }
  return { output, weights };
}


function flat(x: unknown): number[] {
  return (x as unknown[]).flat(Infinity as 1) as number[];
}

function params(kernel: number[][], bias: number[], proj: number[][], projBias: number[]): AttentionParams {
  return {
    qkvKernel: tf.tensor2d(kernel),
    qkvBias: tf.tensor1d(bias),
    projKernel: tf.tensor2d(proj),
    projBias: tf.tensor1d(projBias),
  };
}

function randomMatrix(rows: number, cols: number, seed: number, std = 0.5): number[][] {
  return tf.tidy(() => tf.randomNormal([rows, cols], 0, std, 'float32', seed).arraySync() as number[][]);
}

describe('causal self-attention', () => {
  before(useTestBackend);

  it('the causal mask is 0 on and below the diagonal and MASKED above it', () => {
    tf.tidy(() => {
      assert.deepEqual(causalMask(3).arraySync(), [
        [0, MASKED, MASKED],
        [0, 0, MASKED],
        [0, 0, 0],
      ]);
    });
  });

  it('hand-computed: 3 tokens, 1 head, Wq = Wk = I, Wv = [[1,2],[3,4]]', async () => {
    await assertNoLeak(() =>
      tf.tidy(() => {
        // x rows: [1,0], [0,1], [1,1]; q = k = x, v = x Wv = [1,2], [3,4], [4,6]; d = 2.
        // Row 1 scores (q1·k0, q1·k1)/√2 = (0, 1/√2); row 2: (1, 1, 2)/√2.
        const a = Math.exp(1 / Math.SQRT2); // 2.0281149816
        const b = Math.exp(Math.SQRT2); // 4.1132503788
        const expectedWeights = [
          [1, 0, 0],
          [1 / (1 + a), a / (1 + a), 0],
          [a / (2 * a + b), a / (2 * a + b), b / (2 * a + b)],
        ];
        // 0.330238 and 0.503490 written out, so the formulas above are checked too
        assert.ok(Math.abs(expectedWeights[1][0] - 0.330238) < 1e-6);
        assert.ok(Math.abs(expectedWeights[2][2] - 0.50349) < 1e-6);
        const v = [[1, 2], [3, 4], [4, 6]];
        const expectedOut = expectedWeights.map((row) => [0, 1].map((m) => row.reduce((s, w, j) => s + w * v[j][m], 0)));
        // [[1, 2], [2.339523, 3.339523], [3.006980, 4.510470]]
        assert.ok(Math.abs(expectedOut[1][0] - 2.339523) < 1e-6);
        assert.ok(Math.abs(expectedOut[2][1] - 4.51047) < 1e-6);

        const x = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
        const p = params(
          [
            [1, 0, 1, 0, 1, 2],
            [0, 1, 0, 1, 3, 4],
          ],
          [0, 0, 0, 0, 0, 0],
          [[1, 0], [0, 1]],
          [0, 0],
        );
        const result = multiHeadSelfAttention(x, 1, 1, p, { mask: causalMask(3) });
        assert.ok(maxAbsDiff(result.weights.dataSync(), flat(expectedWeights)) < 1e-6, 'weights');
        assert.ok(maxAbsDiff(result.output.dataSync(), flat(expectedOut)) < 1e-5, 'output');

        // The lecture's formula on its own gives the same.
        const q = x.expandDims(0);
        const sdpa = scaledDotProductAttention(q, q, tf.tensor3d([v]), causalMask(3));
        assert.ok(maxAbsDiff(sdpa.weights.dataSync(), flat(expectedWeights)) < 1e-6, 'sdpa weights');
        assert.ok(maxAbsDiff(sdpa.output.dataSync(), flat(expectedOut)) < 1e-5, 'sdpa output');
      }),
    );
  });

  it('matches a plain-JS reference: 2 sequences, 5 positions, 2 heads, biases everywhere', () => {
    tf.tidy(() => {
      const [B, T, C, H] = [2, 5, 8, 2];
      const x = tf.randomNormal([B, T, C], 0, 1, 'float32', 11).arraySync() as number[][][];
      const kernel = randomMatrix(C, 3 * C, 12);
      const bias = randomMatrix(1, 3 * C, 13)[0];
      const proj = randomMatrix(C, C, 14);
      const projBias = randomMatrix(1, C, 15)[0];
      const ref = referenceAttention(x, kernel, bias, proj, projBias, H);
      const result = multiHeadSelfAttention(
        tf.tensor2d(x.flat(), [B * T, C]),
        B,
        H,
        params(kernel, bias, proj, projBias),
        { mask: causalMask(T) },
      );
      assert.deepEqual(result.weights.shape, [B * H, T, T]);
      assert.deepEqual(result.keysT.shape, [B * H, C / H, T]);
      assert.deepEqual(result.values.shape, [B * H, T, C / H]);
      const wDiff = maxAbsDiff(result.weights.dataSync(), flat(ref.weights));
      const oDiff = maxAbsDiff(result.output.dataSync(), flat(ref.output));
      assert.ok(wDiff < 1e-5, `weights differ by ${wDiff}`);
      assert.ok(oDiff < 1e-4, `output differs by ${oDiff}`);
    });
  });

  it('weights: rows sum to 1 and are exactly zero above the diagonal', () => {
    tf.tidy(() => {
      const [B, T, C, H] = [3, 9, 12, 3];
      const x = tf.randomNormal([B * T, C], 0, 1, 'float32', 21) as tf.Tensor2D;
      const p = params(randomMatrix(C, 3 * C, 22), randomMatrix(1, 3 * C, 23)[0], randomMatrix(C, C, 24), randomMatrix(1, C, 25)[0]);
      const w = multiHeadSelfAttention(x, B, H, p, { mask: causalMask(T) }).weights.arraySync();
      for (const head of w) {
        head.forEach((row, i) => {
          const sum = row.reduce((s, v) => s + v, 0);
          assert.ok(Math.abs(sum - 1) < 1e-6, `row ${i} sums to ${sum}`);
          for (let j = i + 1; j < T; j++) assert.equal(row[j], 0, `weight above the diagonal at (${i}, ${j})`);
          assert.ok(row[i] > 0);
        });
      }
    });
  });

  it('without a mask every position sees every other (not causal)', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([4, 4], 0, 1, 'float32', 31) as tf.Tensor2D;
      const p = params(randomMatrix(4, 12, 32), new Array(12).fill(0), randomMatrix(4, 4, 33), [0, 0, 0, 0]);
      const w = multiHeadSelfAttention(x, 1, 1, p).weights.arraySync()[0];
      assert.ok(w[0][3] > 0);
    });
  });

  it('one query against a key/value cache equals the last row of full attention', async () => {
    await assertNoLeak(() =>
      tf.tidy(() => {
        const [T, C, H] = [6, 8, 2];
        const x = tf.randomNormal([T, C], 0, 1, 'float32', 41) as tf.Tensor2D;
        const p = params(randomMatrix(C, 3 * C, 42), randomMatrix(1, 3 * C, 43)[0], randomMatrix(C, C, 44), randomMatrix(1, C, 45)[0]);
        const full = multiHeadSelfAttention(x, 1, H, p, { mask: causalMask(T) });
        let cache = null;
        for (let t = 0; t < T; t++) {
          const step = attendWithCache(x.slice([t, 0], [1, C]), H, p, cache);
          cache = step.cache;
          const fullRow = full.output.slice([t, 0], [1, C]).dataSync();
          assert.ok(maxAbsDiff(step.output.dataSync(), fullRow) < 1e-5, `output at ${t}`);
          const fullWeights = full.weights.slice([0, t, 0], [H, 1, t + 1]).dataSync();
          assert.ok(maxAbsDiff(step.weights.dataSync(), fullWeights) < 1e-6, `weights at ${t}`);
        }
        assert.deepEqual(cache!.keysT.shape, [H, C / H, T]);
        assert.ok(maxAbsDiff(cache!.keysT.dataSync(), full.keysT.dataSync()) < 1e-5, 'cached keys');
        assert.ok(maxAbsDiff(cache!.values.dataSync(), full.values.dataSync()) < 1e-5, 'cached values');
      }),
    );
  });

  it('gradients flow to x and every weight, and leak nothing', async () => {
    const [B, T, C, H] = [2, 4, 8, 2];
    const p = params(randomMatrix(C, 3 * C, 51), randomMatrix(1, 3 * C, 52)[0], randomMatrix(C, C, 53), randomMatrix(1, C, 54)[0]);
    const x = tf.randomNormal([B * T, C], 0, 1, 'float32', 55) as tf.Tensor2D;
    const mask = causalMask(T);
    await assertNoLeak(() =>
      tf.tidy(() => {
        const f = (xx: tf.Tensor, k: tf.Tensor, b: tf.Tensor, pk: tf.Tensor, pb: tf.Tensor) =>
          multiHeadSelfAttention(xx as tf.Tensor2D, B, H, {
            qkvKernel: k as tf.Tensor2D,
            qkvBias: b as tf.Tensor1D,
            projKernel: pk as tf.Tensor2D,
            projBias: pb as tf.Tensor1D,
          }, { mask }).output.square().sum();
        const grads = tf.grads(f)([x, p.qkvKernel, p.qkvBias, p.projKernel, p.projBias]);
        for (const g of grads) assert.ok(g.abs().max().dataSync()[0] > 0);
        // Causality: the output at position 0 depends on no later x.
        const g0 = tf.grad((xx: tf.Tensor) =>
          multiHeadSelfAttention(xx as tf.Tensor2D, B, H, p, { mask }).output.slice([0, 0], [1, C]).sum(),
        )(x);
        assert.equal(g0.slice([1, 0], [T - 1, C]).abs().max().dataSync()[0], 0);
      }),
    );
    tf.dispose([x, mask, ...Object.values(p)]);
  });
});
