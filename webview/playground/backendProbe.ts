// Asks the browser what it can train on: WebGPU adapter (hardware or fallback), WebGL2 and
// its renderer, WebAssembly (allowed by the CSP?) and SIMD.
import type { BackendProbe } from '../../src/core/backend/choice';

interface GpuAdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly info?: { readonly description?: string; readonly vendor?: string; readonly architecture?: string };
}
interface NavigatorGpu {
  readonly gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
}

export async function probeBackends(): Promise<BackendProbe> {
  const [webgpu, webgl] = await Promise.all([probeWebGpu(), Promise.resolve(probeWebGl())]);
  return { ...webgpu, ...webgl, ...probeWasm() };
}

async function probeWebGpu(): Promise<Pick<BackendProbe, 'webgpuAdapter' | 'webgpuSoftware'>> {
  const gpu = (navigator as unknown as NavigatorGpu).gpu;
  if (!gpu) return { webgpuAdapter: false, webgpuSoftware: false };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { webgpuAdapter: false, webgpuSoftware: false };
    const description = `${adapter.info?.vendor ?? ''} ${adapter.info?.architecture ?? ''} ${adapter.info?.description ?? ''}`;
    return { webgpuAdapter: true, webgpuSoftware: adapter.isFallbackAdapter === true || /swiftshader/i.test(description) };
  } catch {
    return { webgpuAdapter: false, webgpuSoftware: false };
  }
}

function probeWebGl(): Pick<BackendProbe, 'webgl2' | 'webglRenderer'> {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return { webgl2: false, webglRenderer: null };
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { webgl2: true, webglRenderer: typeof renderer === 'string' ? renderer : null };
}

/** The smallest valid module, and one using a v128 (SIMD) instruction. */
const EMPTY_MODULE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
const SIMD_MODULE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

function probeWasm(): Pick<BackendProbe, 'wasm' | 'wasmSimd'> {
  try {
    // Compiling (not just validating) is what the CSP's 'wasm-unsafe-eval' governs.
    new WebAssembly.Module(EMPTY_MODULE);
  } catch {
    return { wasm: false, wasmSimd: false };
  }
  return { wasm: true, wasmSimd: WebAssembly.validate(SIMD_MODULE) };
}
