// Reading a model's weights as plain arrays and rearranging them into ONNX's layouts.
import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../models/sequenceModel';
import type { NamedArray } from '../training/optimizers';

/**
 * What the export reads: a config and its weights by name, either a tfjs model's variables or
 * the arrays of a model file (core/modelFile/container.ts), so completions export without tfjs.
 */
export interface ModelWeights {
  readonly config: ModelConfig;
  readonly weights: ReadonlyMap<string, Pick<tf.Variable, 'dtype' | 'shape' | 'dataSync'> | NamedArray>;
}

export interface WeightArray {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** The current values of weight `name` (a copy). */
export function readWeight(model: ModelWeights, name: string): WeightArray {
  const v = model.weights.get(name);
  if (!v) throw new Error(`onnx export: the model has no weight '${name}'`);
  if (!('dataSync' in v)) return { data: Float32Array.from(v.data), shape: [...v.shape] };
  if (v.dtype !== 'float32') throw new Error(`onnx export: weight '${name}' is ${v.dtype}, expected float32`);
  return { data: Float32Array.from(v.dataSync() as Float32Array), shape: [...v.shape] };
}

/** The transpose of a row-major [rows, cols] matrix: [cols, rows]. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  if (data.length !== rows * cols) throw new Error(`transpose: ${data.length} values are not ${rows}x${cols}`);
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  }
  return out;
}

/** a [n, k] times b [k, m], row-major, accumulated in double precision. */
export function matMul(a: Float32Array, b: Float32Array, n: number, k: number, m: number): Float32Array {
  const out = new Float32Array(n * m);
  const row = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    row.fill(0);
    for (let j = 0; j < k; j++) {
      const aij = a[i * k + j];
      if (aij === 0) continue;
      for (let c = 0; c < m; c++) row[c] += aij * b[j * m + c];
    }
    out.set(row, i * m);
  }
  return out;
}

/** The n x n identity. */
export function identity(n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** `data` times `factor`, elementwise (rounded to float32). */
export function scaled(data: Float32Array, factor: number): Float32Array {
  return data.map((v) => v * factor);
}
