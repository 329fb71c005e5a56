// Where the tfjs wasm backend's .wasm files are when running in Node: next to this bundle
// (dist/wasm, copied by the build) or, unbundled, in node_modules.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function nodeWasmPaths(): string {
  const besideBundle = path.join(__dirname, 'wasm');
  if (existsSync(path.join(besideBundle, 'tfjs-backend-wasm-simd.wasm'))) return besideBundle + path.sep;
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}
