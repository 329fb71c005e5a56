// Loads the host's heavy bundles once, on first use: dist/completionRuntime.js (ONNX Runtime,
// no tfjs) for completions and ONNX export, dist/modelRuntime.js (tfjs) for Inside the Model.
// The require paths are computed at run time so the bundler leaves both out of dist/extension.js.
import * as path from 'node:path';

export type ModelRuntime = typeof import('./modelRuntime');
export type CompletionRuntime = typeof import('./completionRuntime');

/** The bundle beside this one, read on the first call (require caches it for the next). */
function lazyBundle<T>(name: string): T {
  return require(path.join(__dirname, `${name}.js`)) as T;
}

export function modelRuntime(): ModelRuntime {
  return lazyBundle<ModelRuntime>('modelRuntime');
}

export function completionRuntime(): CompletionRuntime {
  return lazyBundle<CompletionRuntime>('completionRuntime');
}
