// Loads dist/modelRuntime.js once, on first use. The require path is computed at run time so
// the bundler leaves it out of dist/extension.js.
import * as path from 'node:path';

export type ModelRuntime = typeof import('./modelRuntime');

let runtime: ModelRuntime | undefined;

export function modelRuntime(): ModelRuntime {
  if (!runtime) {
    const file = path.join(__dirname, 'modelRuntime.js');
    runtime = require(file) as ModelRuntime;
  }
  return runtime;
}
