// ONNX Runtime (onnxruntime-web, its WebAssembly build) in Node: loaded on first use only, one
// thread, its .wasm and .mjs loader found next to this bundle (dist/wasm, copied by the build)
// or, unbundled, in node_modules.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Ort from 'onnxruntime-web';

/** The files onnxruntime-web loads in Node (the plain SIMD build; not jsep, jspi or asyncify). */
export const ORT_WASM_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'] as const;

/** The folder holding ORT_WASM_FILES, as a file: URL ending in '/' (what ort's wasmPaths takes). */
export function ortWasmFolder(): string {
  const besideBundle = path.join(__dirname, 'wasm');
  if (ORT_WASM_FILES.every((f) => existsSync(path.join(besideBundle, f)))) return pathToFileURL(besideBundle).href + '/';
  try {
    // createRequire keeps bundlers from resolving the package at build time.
    return pathToFileURL(path.dirname(createRequire(__filename).resolve('onnxruntime-web'))).href + '/';
  } catch {
    throw new Error(`ONNX Runtime's ${ORT_WASM_FILES.join(' and ')} are neither in ${besideBundle} nor in node_modules`);
  }
}

let runtime: typeof Ort | null = null;

/** onnxruntime-web, configured for Node. The first call loads its JavaScript; the first session, its wasm. */
export async function loadOnnxRuntime(): Promise<typeof Ort> {
  if (!runtime) {
    const wasmPaths = ortWasmFolder();
    // require, not import(): a bundler then picks the package's CommonJS Node build; its ES
    // module build reads import.meta.url, which a CommonJS bundle does not have.
    const ort = require('onnxruntime-web') as typeof Ort;
    ort.env.wasm.numThreads = 1; // threads need workers and gain nothing on our 2-core machines
    ort.env.wasm.wasmPaths = wasmPaths;
    runtime = ort;
  }
  return runtime;
}
