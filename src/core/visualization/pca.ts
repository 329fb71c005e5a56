// Principal component analysis down to two dimensions, for a map of token embeddings.
//
// Rows x_i (n of them, d wide) are centred on their mean; the principal directions are the
// eigenvectors of the covariance C = (1/n) Σ (x_i − μ)(x_i − μ)ᵀ with the largest eigenvalues,
// and a point's coordinates are its projections (x_i − μ)·v_k. C is never formed: power
// iteration needs only products X v and Xᵀ u with the centred data, O(n d) each, so a
// 4096 × 256 table takes milliseconds. The second direction is iterated orthogonal to the
// first. Each direction's sign is fixed (its largest-magnitude entry, the first of equals, is
// positive), so the picture does not flip between runs.

export interface Projection2d {
  /** x of point i at 2i, y at 2i + 1. */
  readonly points: Float64Array;
  /** The two principal directions, d entries each, unit length. */
  readonly components: [Float64Array, Float64Array];
  /** Variance along each direction (the eigenvalues of C). */
  readonly variances: [number, number];
  /** Share of the total variance each direction explains, in [0, 1]. */
  readonly explained: [number, number];
  readonly mean: Float64Array;
}

const MAX_ITERATIONS = 300;
const TOLERANCE = 1e-10;

/** PCA of the n × d row-major matrix `data` to two dimensions (d ≥ 1; a d of 1 gives y = 0). */
export function pca2d(data: ArrayLike<number>, n: number, d: number): Projection2d {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1) || data.length !== n * d) {
    throw new RangeError(`pca2d: ${data.length} values are not ${n} rows of ${d}`);
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const x = new Float64Array(n * d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j] - mean[j];
      x[i * d + j] = v;
      total += v * v;
    }
  }
  total /= n;

  const first = principalDirection(x, n, d, []);
  const second = d > 1 ? principalDirection(x, n, d, [first.vector]) : { vector: new Float64Array(d), variance: 0 };
  const points = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let p = 0;
    let q = 0;
    for (let j = 0; j < d; j++) {
      p += x[i * d + j] * first.vector[j];
      q += x[i * d + j] * second.vector[j];
    }
    points[2 * i] = p;
    points[2 * i + 1] = q;
  }
  const share = (v: number) => (total > 0 ? v / total : 0);
  return {
    points,
    components: [first.vector, second.vector],
    variances: [first.variance, second.variance],
    explained: [share(first.variance), share(second.variance)],
    mean,
  };
}

/** The top eigenvector of C orthogonal to `against`, by power iteration on v ← Xᵀ X v / n. */
function principalDirection(
  x: Float64Array,
  n: number,
  d: number,
  against: readonly Float64Array[],
): { vector: Float64Array; variance: number } {
  // A fixed start with no symmetry: equal entries could be orthogonal to the answer.
  let v = new Float64Array(d);
  for (let j = 0; j < d; j++) v[j] = 1 + ((j * 7919) % 13) / 13 + j / (d + 1);
  orthogonalize(v, against);
  if (!normalizeInPlace(v)) return { vector: new Float64Array(d), variance: 0 };
  const u = new Float64Array(n);
  let variance = 0;
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * v[j];
      u[i] = s;
    }
    const next = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const ui = u[i];
      if (ui === 0) continue;
      for (let j = 0; j < d; j++) next[j] += x[i * d + j] * ui;
    }
    for (let j = 0; j < d; j++) next[j] /= n;
    orthogonalize(next, against);
    const norm = Math.hypot(...next);
    if (!(norm > 0)) return { vector: fixSign(v), variance: 0 };
    for (let j = 0; j < d; j++) next[j] /= norm;
    let change = 0;
    for (let j = 0; j < d; j++) change = Math.max(change, Math.abs(Math.abs(next[j]) - Math.abs(v[j])));
    v = next;
    variance = norm;
    if (change < TOLERANCE) break;
  }
  return { vector: fixSign(v), variance };
}

function orthogonalize(v: Float64Array, against: readonly Float64Array[]): void {
  for (const w of against) {
    let dot = 0;
    for (let j = 0; j < v.length; j++) dot += v[j] * w[j];
    for (let j = 0; j < v.length; j++) v[j] -= dot * w[j];
  }
}

function normalizeInPlace(v: Float64Array): boolean {
  const norm = Math.hypot(...v);
  if (!(norm > 0)) return false;
  for (let j = 0; j < v.length; j++) v[j] /= norm;
  return true;
}

/** Makes the largest-magnitude entry (the first of equals, within rounding) positive. */
function fixSign(v: Float64Array): Float64Array {
  let best = 0;
  for (let j = 1; j < v.length; j++) if (Math.abs(v[j]) > Math.abs(v[best]) + 1e-9) best = j;
  if (v[best] < 0) for (let j = 0; j < v.length; j++) v[j] = -v[j];
  return v;
}
