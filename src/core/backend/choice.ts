// Which tfjs backend to train on, from what the browser reports. A software GPU (SwiftShader,
// a fallback adapter) is 4-40x slower than wasm for training, so it never wins.
export type TrainingBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BackendProbe {
  /** navigator.gpu exists and an adapter was granted. */
  readonly webgpuAdapter: boolean;
  /** The adapter is a software fallback (adapter.isFallbackAdapter or a SwiftShader description). */
  readonly webgpuSoftware: boolean;
  readonly webgl2: boolean;
  /** UNMASKED_RENDERER_WEBGL, or the plain renderer string when unmasking is unavailable. */
  readonly webglRenderer: string | null;
  /** WebAssembly compiles under the page's CSP (needs 'wasm-unsafe-eval'). */
  readonly wasm: boolean;
  readonly wasmSimd: boolean;
}

export interface BackendChoice {
  readonly backend: TrainingBackend;
  readonly reason: string;
}

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software|basic render/i;

export function isSoftwareRenderer(renderer: string | null): boolean {
  return renderer !== null && SOFTWARE_RENDERERS.test(renderer);
}

export function chooseBackend(probe: BackendProbe, forced: 'auto' | TrainingBackend = 'auto'): BackendChoice {
  if (forced !== 'auto') {
    const available = isAvailable(probe, forced);
    if (available) return { backend: forced, reason: `forced by seqlab.training.backend (${forced})` };
    const fallback = chooseBackend(probe, 'auto');
    return { backend: fallback.backend, reason: `${forced} is not available here; ${fallback.reason}` };
  }
  if (probe.webgpuAdapter && !probe.webgpuSoftware) return { backend: 'webgpu', reason: 'hardware WebGPU adapter found' };
  if (probe.webgl2 && !isSoftwareRenderer(probe.webglRenderer)) {
    return { backend: 'webgl', reason: `hardware WebGL2 (${probe.webglRenderer ?? 'unknown renderer'})` };
  }
  const skipped = [
    probe.webgpuAdapter ? 'WebGPU adapter is a software fallback' : 'no WebGPU adapter',
    probe.webgl2 ? `WebGL2 renders in software (${probe.webglRenderer ?? 'unknown'})` : 'no WebGL2',
  ].join(', ');
  if (probe.wasm) return { backend: 'wasm', reason: `${skipped}; wasm${probe.wasmSimd ? ' with SIMD' : ''} is faster` };
  return { backend: 'cpu', reason: `${skipped}; WebAssembly unavailable` };
}

function isAvailable(probe: BackendProbe, backend: TrainingBackend): boolean {
  switch (backend) {
    case 'webgpu':
      return probe.webgpuAdapter;
    case 'webgl':
      return probe.webgl2;
    case 'wasm':
      return probe.wasm;
    case 'cpu':
      return true;
  }
}
