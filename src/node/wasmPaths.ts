// Where the tfjs wasm backend's .wasm files are when running in Node: next to this bundle
// (dist/wasm, copied by the build) or, unbundled, in node_modules.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export function nodeWasmPaths(): string {
  const besideBundle = path.join(__dirname, 'wasm');
  if (existsSync(path.join(besideBundle, 'tfjs-backend-wasm-simd.wasm'))) return besideBundle + path.sep;
  // createRequire keeps bundlers from trying to resolve the package at build time.
  return path.dirname(createRequire(__filename).resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}
