// Heatmap data shaping: the value range a colour scale spans, values mapped into [0, 1], and
// the orders in which units (rows of a units × time heatmap) can be listed.

/** A row-major matrix of float32 values: value (r, c) is data[r * cols + c]. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** How a heatmap's colour scale spans its values. */
export type RangeMode =
  /** [0, 1]: gates (sigmoids) and attention weights, so colours compare across maps. */
  | 'unit'
  /** [−m, m] with m the largest magnitude: signed values (tanh, cell state) centred on 0. */
  | 'symmetric'
  /** [min, max] of the data. */
  | 'minmax';

export interface ValueRange {
  readonly min: number;
  readonly max: number;
  /** Whether 0 sits at the middle of the scale (draw it with a diverging scale). */
  readonly diverging: boolean;
}

/** Builds a Matrix from rows of numbers (all rows as long as the first). */
export function matrixFromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows.length ? rows[0].length : 0;
  const data = new Float32Array(rows.length * cols);
  rows.forEach((row, r) => {
    if (row.length !== cols) throw new RangeError(`row ${r} has ${row.length} values, expected ${cols}`);
    data.set(row, r * cols);
  });
  return { rows: rows.length, cols, data };
}

/** The transpose: time × units becomes units × time. */
export function transpose(m: Matrix): Matrix {
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) data[c * m.rows + r] = m.data[r * m.cols + c];
  return { rows: m.cols, cols: m.rows, data };
}

/** Mean of several equally shaped matrices (e.g. the heads of one layer). */
export function meanOf(matrices: readonly Matrix[]): Matrix {
  if (matrices.length === 0) throw new RangeError('meanOf needs at least one matrix');
  const { rows, cols } = matrices[0];
  const data = new Float32Array(rows * cols);
  for (const m of matrices) {
    if (m.rows !== rows || m.cols !== cols) throw new RangeError('meanOf: matrices differ in shape');
    for (let i = 0; i < data.length; i++) data[i] += m.data[i];
  }
  for (let i = 0; i < data.length; i++) data[i] /= matrices.length;
  return { rows, cols, data };
}

/** The range of `values` under `mode`; non-finite values are ignored; an empty or flat range is widened. */
export function valueRange(values: ArrayLike<number>, mode: RangeMode): ValueRange {
  if (mode === 'unit') return { min: 0, max: 1, diverging: false };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return mode === 'symmetric' ? { min: -1, max: 1, diverging: true } : { min: 0, max: 1, diverging: false };
  if (mode === 'symmetric') {
    const m = Math.max(Math.abs(min), Math.abs(max)) || 1;
    return { min: -m, max: m, diverging: true };
  }
  if (min === max) return { min: min - 0.5, max: max + 0.5, diverging: false };
  return { min, max, diverging: false };
}

/** `value` mapped into [0, 1] across `range` (clamped; NaN maps to NaN). */
export function normalize(value: number, range: ValueRange): number {
  if (Number.isNaN(value)) return NaN;
  const t = (value - range.min) / (range.max - range.min);
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** Every value of `m` normalised across `range`. */
export function normalizeMatrix(m: Matrix, range: ValueRange): Float32Array {
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < out.length; i++) out[i] = normalize(m.data[i], range);
  return out;
}

/** Orders units by: their index, mean value, variance over time, or value at the last step. */
export type UnitOrder = 'index' | 'mean' | 'variance' | 'last';
export const UNIT_ORDERS: readonly UnitOrder[] = ['index', 'mean', 'variance', 'last'];

/**
 * A permutation of the rows of a units × time matrix: the row drawn at position k is
 * order[k]. Sorted descending by the key (ties keep index order), so the most active,
 * most varying or last-highest units come first.
 */
export function unitOrder(unitsByTime: Matrix, by: UnitOrder): number[] {
  const { rows, cols, data } = unitsByTime;
  const order = Array.from({ length: rows }, (_, i) => i);
  if (by === 'index' || cols === 0) return order;
  const key = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = data.subarray(r * cols, (r + 1) * cols);
    if (by === 'last') {
      key[r] = row[cols - 1];
      continue;
    }
    let sum = 0;
    for (const v of row) sum += v;
    const mean = sum / cols;
    if (by === 'mean') {
      key[r] = mean;
      continue;
    }
    let sq = 0;
    for (const v of row) sq += (v - mean) * (v - mean);
    key[r] = sq / cols;
  }
  return order.sort((a, b) => key[b] - key[a] || a - b);
}

/** The rows of `m` in the order given (a permutation of row indices). */
export function permuteRows(m: Matrix, order: readonly number[]): Matrix {
  const data = new Float32Array(order.length * m.cols);
  order.forEach((r, k) => data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), k * m.cols));
  return { rows: order.length, cols: m.cols, data };
}
