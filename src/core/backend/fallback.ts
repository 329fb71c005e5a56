// The order in which a trainer tries tfjs backends: the one `chooseBackend` picks first, then
// the rest of WebGPU → WebGL → wasm → cpu that this browser offers (software GPUs never, unless
// forced), so that a backend that fails to start — or loses its GPU mid-run — has a next one.
// Backends not bundled in this build are skipped, and the reason says so.
import { chooseBackend, isSoftwareRenderer, type BackendChoice, type BackendProbe, type TrainingBackend } from './choice';

const ORDER: readonly TrainingBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

function usable(probe: BackendProbe, backend: TrainingBackend): boolean {
  switch (backend) {
    case 'webgpu':
      return probe.webgpuAdapter && !probe.webgpuSoftware;
    case 'webgl':
      return probe.webgl2 && !isSoftwareRenderer(probe.webglRenderer);
    case 'wasm':
      return probe.wasm;
    case 'cpu':
      return true;
  }
}

function describe(probe: BackendProbe, backend: TrainingBackend): string {
  switch (backend) {
    case 'webgpu':
      return 'hardware WebGPU adapter';
    case 'webgl':
      return `WebGL2 (${probe.webglRenderer ?? 'unknown renderer'})`;
    case 'wasm':
      return `WebAssembly${probe.wasmSimd ? ' with SIMD' : ''}`;
    case 'cpu':
      return 'plain JavaScript (slowest)';
  }
}

/**
 * Backends to try, best first, each with the reason it is where it is. `bundled` lists the
 * backends this build can start (tfjs's WebGPU backend is a separate package).
 */
export function backendCandidates(
  probe: BackendProbe,
  forced: 'auto' | TrainingBackend,
  bundled: readonly TrainingBackend[],
): BackendChoice[] {
  const first = chooseBackend(probe, forced);
  const order = [first.backend, ...ORDER.slice(ORDER.indexOf(first.backend) + 1).filter((b) => usable(probe, b))];
  if (!order.includes('cpu')) order.push('cpu');
  const out: BackendChoice[] = [];
  const skipped: string[] = [];
  for (const backend of order) {
    if (!bundled.includes(backend)) {
      skipped.push(backend);
      continue;
    }
    if (out.length === 0) {
      const reason = skipped.length
        ? `${first.reason}, but ${skipped.join(' and ')} is not bundled in this build; next best: ${describe(probe, backend)}`
        : first.reason;
      out.push({ backend, reason });
    } else {
      out.push({ backend, reason: `fallback: ${describe(probe, backend)}` });
    }
  }
  return out;
}
