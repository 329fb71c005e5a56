// The operations the Transformer spends most of its time in, written so that the wasm backend
// runs them on its fast path. Nothing here is a lecture concept: the maths is plain matrix
// products and permutations; only the way they are scheduled differs. On other backends each
// falls back to ordinary tfjs ops.
//
// Measured on tfjs-backend-wasm 4.22 (2-core machine, reference Transformer config):
// - wasm's BatchMatMul uses XNNPACK only for a single 2D product; a batched one ([G, M, K] @
//   [G, K, N], G > 1) falls back to a scalar loop at ~1.7 GFLOP/s, 10x slower. Attention is
//   made of batched products (one per sequence and head), so `batchMatMul` here runs each of
//   the G products through XNNPACK on views into the operands' memory (no copies).
// - Slicing a wasm tensor copies the whole tensor first, so splitting [G, ...] into G parts
//   costs G full copies; the views above avoid that, and `splitHeads` permutes the fused
//   query/key/value projection into per-head tensors in one pass instead of slicing it.
// - Reducing over a non-last axis (a bias gradient, sum over rows) transposes first, and a 5-D
//   transpose runs ~50x slower than a 4-D one. `linear` has a hand-written gradient that needs
//   one transpose for both the kernel and the bias gradient.
// - wasm's 2-D Transpose ran 1.3-3x slower than a tiled copy in JavaScript on the large
//   activations (`transpose2d`).
// - tfjs's Reshape keeps a copy of its input for the gradient, and saving copies on wasm:
//   `reshape` keeps only the shape.
// The wasm kernels use BackendWasm's internals (its heap, tensor registry and exported C
// BatchMatMul); `isWasmInternals` checks they are there and falls back to tfjs ops if not.
import * as tf from '@tensorflow/tfjs';

const BATCHED_KERNEL = 'SeqlabSlicedBatchMatMul';
const TRANSPOSE_KERNEL = 'SeqlabTiledTranspose';
const SPLIT_HEADS_KERNEL = 'SeqlabSplitHeads';
const MERGE_HEADS_KERNEL = 'SeqlabMergeHeads';

/** The parts of tfjs-backend-wasm's BackendWasm the kernels here use (stable within 4.x). */
interface WasmBackendInternals {
  wasm: {
    HEAPF32: Float32Array;
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

type WasmMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

const wasmMatMuls = new WeakMap<object, WasmMatMul>();
let wasmKernelState: 'unregistered' | 'registered' | 'unavailable' = 'unregistered';

function isWasmInternals(backend: unknown): backend is WasmBackendInternals {
  const b = backend as Partial<WasmBackendInternals> | null;
  return (
    !!b &&
    typeof b.wasm?.cwrap === 'function' &&
    b.wasm.HEAPF32 instanceof Float32Array &&
    typeof b.wasm.tfjs?.registerTensor === 'function' &&
    typeof b.wasm.tfjs?.disposeData === 'function' &&
    typeof b.dataIdMap?.get === 'function' &&
    typeof b.dataIdNextNumber === 'number' &&
    typeof b.makeOutput === 'function'
  );
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/** a [G, M, K] @ b [G, K, N] as G single XNNPACK products on views into a, b and the output. */
function slicedBatchMatMul({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const be = backend as WasmBackendInternals;
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const [G, M, K] = a.shape;
  const N = b.shape[2];
  let matMul = wasmMatMuls.get(be);
  if (!matMul) {
    const types = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'];
    matMul = be.wasm.cwrap('BatchMatMul', null, types) as unknown as WasmMatMul;
    wasmMatMuls.set(be, matMul);
  }
  const out = be.makeOutput([G, M, N], 'float32');
  const aBase = be.dataIdMap.get(a.dataId)!.memoryOffset;
  const bBase = be.dataIdMap.get(b.dataId)!.memoryOffset;
  const outBase = be.dataIdMap.get(out.dataId)!.memoryOffset;
  const aShape = shapeBytes([1, M, K]);
  const bShape = shapeBytes([1, K, N]);
  const { registerTensor, disposeData } = be.wasm.tfjs;
  for (let g = 0; g < G; g++) {
    // Ids for views: taken from the backend's own counter, so they never collide with a tensor's.
    const aId = be.dataIdNextNumber++;
    const bId = be.dataIdNextNumber++;
    const outId = be.dataIdNextNumber++;
    registerTensor(aId, M * K, aBase + 4 * g * M * K);
    registerTensor(bId, K * N, bBase + 4 * g * K * N);
    registerTensor(outId, M * N, outBase + 4 * g * M * N);
    matMul(aId, aShape, 3, bId, bShape, 3, false, false, outId);
    // Unregistering a view frees nothing (the memory belongs to a, b, out); it drops the
    // XNNPACK operator cached for bId.
    disposeData(aId);
    disposeData(bId);
    disposeData(outId);
  }
  return out;
}

/**
 * x [R, C] → xᵀ [C, R], by 32 x 32 tiles in JavaScript on the wasm heap: wasm's own Transpose
 * walks the output a column at a time and runs 3-4x slower on the (B*T, F) activations.
 */
function tiledTranspose({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const be = backend as WasmBackendInternals;
  const { x } = inputs as { x: tf.TensorInfo };
  const [rows, cols] = x.shape;
  const out = be.makeOutput([cols, rows], 'float32');
  // Views taken after makeOutput: an allocation may grow (and so replace) the heap buffer.
  const heap = be.wasm.HEAPF32.buffer;
  const src = new Float32Array(heap, be.dataIdMap.get(x.dataId)!.memoryOffset, rows * cols);
  const dst = new Float32Array(heap, be.dataIdMap.get(out.dataId)!.memoryOffset, rows * cols);
  const TILE = 32;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(i0 + TILE, rows);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(j0 + TILE, cols);
      for (let i = i0; i < i1; i++) {
        let from = i * cols + j0;
        let to = j0 * rows + i;
        for (let j = j0; j < j1; j++, from++, to += rows) dst[to] = src[from];
      }
    }
  }
  return out;
}

interface HeadsAttrs {
  batch: number;
  heads: number;
}

/**
 * The head-splitting permutation, in JavaScript on the wasm heap: row (b, t) of x [B*T, S*C]
 * holds S parts (queries, keys, values) of H heads of d features; part s of the result is
 * [B*H, T, d] with head h of sequence b at batch entry b*H + h. `merge` runs it backwards.
 */
function permuteHeads(
  heap: Float32Array,
  rowsAt: number,
  partsAt: number[],
  [B, T, H, d]: number[],
  merge: boolean,
): void {
  const S = partsAt.length;
  const C = H * d;
  for (let s = 0; s < S; s++) {
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const rowStart = rowsAt + (b * T + t) * S * C + s * C;
        for (let h = 0; h < H; h++) {
          const r = rowStart + h * d;
          const p = partsAt[s] + ((b * H + h) * T + t) * d;
          // d contiguous floats either way: a memmove inside the heap.
          if (merge) heap.copyWithin(r, p, p + d);
          else heap.copyWithin(p, r, r + d);
        }
      }
    }
  }
}

function splitHeadsKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown }): tf.TensorInfo[] {
  const be = backend as WasmBackendInternals;
  const { x } = inputs as { x: tf.TensorInfo };
  const { batch: B, heads: H } = attrs as HeadsAttrs;
  const [N, SC] = x.shape;
  const T = N / B;
  const C = SC / 3;
  const d = C / H;
  const outs = [0, 1, 2].map(() => be.makeOutput([B * H, T, d], 'float32'));
  const at = (info: tf.TensorInfo) => be.dataIdMap.get(info.dataId)!.memoryOffset / 4;
  permuteHeads(be.wasm.HEAPF32, at(x), outs.map(at), [B, T, H, d], false);
  return outs;
}

function mergeHeadsKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown }): tf.TensorInfo {
  const be = backend as WasmBackendInternals;
  const { q, k, v } = inputs as { q: tf.TensorInfo; k: tf.TensorInfo; v: tf.TensorInfo };
  const { batch: B, heads: H } = attrs as HeadsAttrs;
  const [, T, d] = q.shape;
  const C = H * d;
  const out = be.makeOutput([B * T, 3 * C], 'float32');
  const at = (info: tf.TensorInfo) => be.dataIdMap.get(info.dataId)!.memoryOffset / 4;
  permuteHeads(be.wasm.HEAPF32, at(out), [q, k, v].map(at), [B, T, H, d], true);
  return out;
}

function useWasmKernels(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (wasmKernelState === 'unregistered') {
    wasmKernelState = isWasmInternals(tf.backend()) ? 'registered' : 'unavailable';
    // Another copy of this module (each test bundle has one) may have registered them already.
    if (wasmKernelState === 'registered' && !tf.getKernel(BATCHED_KERNEL, 'wasm')) {
      tf.registerKernel({ kernelName: BATCHED_KERNEL, backendName: 'wasm', kernelFunc: slicedBatchMatMul as tf.KernelFunc });
      tf.registerGradient({
        kernelName: BATCHED_KERNEL,
        inputsToSave: ['a', 'b'],
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [a, b] = saved as tf.Tensor3D[];
          const g = dy as tf.Tensor3D;
          return {
            a: () => batchMatMul(g, b.transpose([0, 2, 1])), // dA = dY Bᵀ
            b: () => batchMatMul(a.transpose([0, 2, 1]), g), // dB = Aᵀ dY
          };
        },
      });
      tf.registerKernel({ kernelName: SPLIT_HEADS_KERNEL, backendName: 'wasm', kernelFunc: splitHeadsKernel as unknown as tf.KernelFunc });
      tf.registerGradient({
        kernelName: SPLIT_HEADS_KERNEL,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], _saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
          const [dq, dk, dv] = dy as tf.Tensor3D[];
          const a = attrs as unknown as HeadsAttrs;
          return { x: () => mergeHeads(dq, dk, dv, a.batch) };
        },
      });
      tf.registerKernel({ kernelName: MERGE_HEADS_KERNEL, backendName: 'wasm', kernelFunc: mergeHeadsKernel as unknown as tf.KernelFunc });
      tf.registerGradient({
        kernelName: MERGE_HEADS_KERNEL,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], _saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
          const a = attrs as unknown as HeadsAttrs;
          // (Each gradient is computed in a tidy of its own, so each splits afresh.)
          const part = (i: number) => () => splitHeads(dy as tf.Tensor2D, a.batch, a.heads)[i];
          return { q: part(0), k: part(1), v: part(2) };
        },
      });
      tf.registerKernel({ kernelName: TRANSPOSE_KERNEL, backendName: 'wasm', kernelFunc: tiledTranspose as tf.KernelFunc });
      tf.registerGradient({
        kernelName: TRANSPOSE_KERNEL,
        gradFunc: (dy: tf.Tensor | tf.Tensor[]) => ({ x: () => transpose2d(dy as tf.Tensor2D) }),
      });
    }
  }
  return wasmKernelState === 'registered';
}

/** xᵀ for a matrix x [R, C] → [C, R]; differentiable. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  if (x.dtype !== 'float32' || !useWasmKernels()) return x.transpose();
  return tf.engine().runKernel(TRANSPOSE_KERNEL, { x }, {}) as tf.Tensor2D;
}

/**
 * The queries, keys and values of every head from one fused projection: x [B*T, 3C] (row (b, t)
 * holds Q, K, V side by side, head h in columns h*d .. h*d+d-1 of each) → three [B*H, T, d]
 * tensors, head h of sequence b at entry b*H + h. Differentiable.
 */
export function splitHeads(x: tf.Tensor2D, batch: number, heads: number): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D] {
  const [N, SC] = x.shape;
  const [T, C] = [N / batch, SC / 3];
  const d = C / heads;
  if (!useWasmKernels()) {
    const parts = x.reshape([batch, T, 3, heads, d]).transpose([2, 0, 3, 1, 4]).reshape([3, batch * heads, T, d]);
    return tf.unstack(parts) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  }
  const attrs = { batch, heads } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(SPLIT_HEADS_KERNEL, { x }, attrs) as unknown as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
}

/** The inverse of splitHeads: q, k, v [B*H, T, d] → [B*T, 3C]. Differentiable. */
export function mergeHeads(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, batch: number): tf.Tensor2D {
  const [BH, T, d] = q.shape;
  const heads = BH / batch;
  if (!useWasmKernels()) {
    return tf.stack([q, k, v]).reshape([3, batch, heads, T, d]).transpose([1, 3, 0, 2, 4]).reshape([batch * T, 3 * heads * d]) as tf.Tensor2D;
  }
  const attrs = { batch, heads } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(MERGE_HEADS_KERNEL, { q, k, v }, attrs) as tf.Tensor2D;
}

/** a [G, M, K] @ b [G, K, N] → [G, M, N], G independent products; differentiable. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new Error(`batchMatMul: shapes [${a.shape}] and [${b.shape}] do not match`);
  }
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !useWasmKernels()) return tf.matMul(a, b);
  return tf.engine().runKernel(BATCHED_KERNEL, { a, b }, {}) as tf.Tensor3D;
}

export type LinearActivation = 'linear' | 'relu';

// ---------------------------------------------------------------- reshape

/**
 * x.reshape(shape), for use while gradients are recorded: tfjs's Reshape keeps a copy of its
 * input for the gradient (saving copies on wasm), though all the gradient needs is the shape.
 */
export function reshape<R extends tf.Rank>(x: tf.Tensor, shape: number[]): tf.Tensor<R> {
  const from = x.shape;
  if (from.length === shape.length && from.every((n, i) => n === shape[i])) return x as tf.Tensor<R>;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: (args[0] as tf.Tensor).reshape(shape),
    gradFunc: (dy: tf.Tensor) => dy.reshape(from),
  }));
  return op(x) as tf.Tensor<R>;
}

// ---------------------------------------------------------------- embedding rows

/**
 * Rows of table [V, E] at ids (int32, any shape) → [ids.size, E]: the one-hot matrix times the
 * table (exact: every other row is multiplied by 0), which XNNPACK does faster than wasm's
 * gather; the gradient scatters the output gradient back into the table's rows.
 */
export function embeddingRows(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor2D {
  const [vocab, width] = table.shape;
  const flat = ids.reshape([-1]).toInt() as tf.Tensor1D;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    save([flat]);
    return {
      value: tf.matMul(tf.oneHot(flat, vocab).toFloat(), t), // (N, V) @ (V, E)
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.scatterND(saved[0].expandDims(1), dy, [vocab, width]),
    };
  });
  return op(table) as tf.Tensor2D;
}

// ---------------------------------------------------------------- linear layer

/**
 * y = act(x W + b): x [N, K], kernel [K, M], bias [M] → [N, M]; differentiable in all three.
 * (On wasm the bias must have been made 1-D, not reshaped from a matrix: the fused kernel reads
 * the stored shape.)
 * The forward pass is one fused XNNPACK product (bias and ReLU included). The backward pass,
 * with g = dy (times ReLU's derivative):
 *   dx = g Wᵀ
 *   dW and db: x or g must be transposed. XNNPACK is up to 2x faster when the product has at
 *   least as many rows as columns, which picks the one: if K > M, [xᵀ; 1ᵀ] g gives dW and db
 *   in one product; otherwise dWᵀ = gᵀ x, and db = row sums of gᵀ (a fast last-axis sum).
 */
export function linear(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  activation: LinearActivation = 'linear',
): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    // Called as a kernel so that the ReLU stays fused while gradients are being recorded.
    const [n, k] = xx.shape;
    const m = w.shape[1];
    const y = (
      tf.engine().runKernel(
        '_FusedMatMul',
        { a: xx.reshape([1, n, k]), b: w.reshape([1, k, m]), bias: b },
        { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 },
      ) as tf.Tensor3D
    ).reshape([n, m]) as tf.Tensor2D;
    save(activation === 'relu' ? [xx, w, y] : [xx, w]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, w0, y0] = saved as tf.Tensor2D[];
        const [n, k] = x0.shape;
        const m = w0.shape[1];
        const g = (activation === 'relu' ? dy.mul(tf.step(y0)) : dy) as tf.Tensor2D; // (N, M)
        const dx = tf.matMul(g, transpose2d(w0)); // (N, M) @ (M, K)
        let dW: tf.Tensor;
        let db: tf.Tensor;
        if (k > m) {
          // dW (K, M) has more rows than columns: XNNPACK is faster in this orientation, so
          // transpose x and read dW (first K rows) and db (last row) from [xᵀ; 1ᵀ] (K+1, N) @ g (N, M).
          const both = tf.matMul(tf.concat([transpose2d(x0), tf.ones([1, n])], 0), g); // (K+1, M)
          dW = both.slice([0, 0], [k, m]);
          db = both.slice([k, 0], [1, m]).reshape([m]);
        } else {
          const gT = transpose2d(g); // (M, N)
          dW = transpose2d(tf.matMul(gT, x0)); // ((M, N) @ (N, K))ᵀ = (K, M)
          db = gT.sum(1); // (M)
        }
        return [dx, dW, db];
      },
    };
  });
  return op(x, kernel, bias) as tf.Tensor2D;
}
