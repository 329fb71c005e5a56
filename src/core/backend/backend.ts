// Chooses and prepares the tfjs backend. Runs the same in Node (CLI, tests, extension host)
// and in a browser (webviews); knows nothing of either beyond what tfjs reports.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** A folder, or a URL per .wasm file name (tfjs-backend-wasm.wasm, …-simd.wasm, …-threaded-simd.wasm). */
export type WasmPaths = string | Readonly<Record<string, string>>;

export interface BackendOptions {
  /**
   * Folder (URL, or path ending in a separator) holding tfjs-backend-wasm's .wasm files, or each
   * file's own URL by name (a web worker gets blob: URLs its page fetched).
   */
  readonly wasmPaths?: WasmPaths;
}

let wasmPathsSet = false;
let matMulPatched = false;

/** Activates `name`, returning the backend tfjs actually runs on afterwards. */
export async function useBackend(name: BackendName, options: BackendOptions = {}): Promise<BackendName> {
  if (name === 'wasm') {
    if (!wasmPathsSet) {
      if (!options.wasmPaths) throw new Error('the wasm backend needs options.wasmPaths (see src/node/wasmPaths.ts in Node)');
      setWasmPaths(options.wasmPaths as Parameters<typeof setWasmPaths>[0]);
      wasmPathsSet = true;
    }
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs backend '${name}' could not be initialised`);
  await tf.ready();
  if (name === 'wasm') patchWasmTransposedMatMul();
  return tf.getBackend() as BackendName;
}

/**
 * tfjs's wasm matMul is 13-33x slower when asked to transpose an operand than when the operand
 * is transposed first (XNNPACK packs the transposed layout poorly). Backprop is made of
 * transposed matMuls, so re-register BatchMatMul and _FusedMatMul to transpose explicitly.
 * Results equal the original kernel's; only speed changes.
 */
export function patchWasmTransposedMatMul(): void {
  if (matMulPatched) return;
  for (const kernelName of ['BatchMatMul', '_FusedMatMul']) {
    const original = tf.getKernel(kernelName, 'wasm');
    const transpose = tf.getKernel('Transpose', 'wasm');
    if (!original || !transpose) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      setupFunc: original.setupFunc,
      disposeFunc: original.disposeFunc,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const a = attrs as unknown as { transposeA: boolean; transposeB: boolean };
        if (!a.transposeA && !a.transposeB) return original.kernelFunc({ inputs, backend, attrs });
        const temps: tf.TensorInfo[] = [];
        const swapLast = (t: tf.TensorInfo): tf.TensorInfo => {
          const rank = t.shape.length;
          const perm = [...Array(rank).keys()];
          [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
          const out = transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
          temps.push(out);
          return out;
        };
        const ins = inputs as Record<string, tf.TensorInfo>;
        const newInputs = {
          ...ins,
          a: a.transposeA ? swapLast(ins.a) : ins.a,
          b: a.transposeB ? swapLast(ins.b) : ins.b,
        };
        const result = original.kernelFunc({
          inputs: newInputs,
          backend,
          attrs: { ...attrs, transposeA: false, transposeB: false },
        });
        const b = backend as unknown as { disposeData(id: object): void };
        for (const t of temps) b.disposeData(t.dataId);
        return result;
      },
    });
  }
  matMulPatched = true;
}
