// The first completion's cost in a fresh process, as the extension host pays it: require the
// lazy completion bundle, load a model file into an engine, ask one suggestion. A one-off, not
// part of `npm run bench`; run it several times (each run is one cold start):
//
//   node scripts/build.mjs && node out/bench/coldLoad.js [MODEL_FILE]   (default models/lstm-small-js.seqlab)
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_DECODING } from '../src/core/completion/engine';

type CompletionRuntime = typeof import('../src/extension/completionRuntime');

async function main(): Promise<void> {
  const root = path.join(__dirname, '..', '..');
  const model = process.argv[2] ?? path.join(root, 'models', 'lstm-small-js.seqlab');
  const bytes = new Uint8Array(readFileSync(model));
  const t0 = performance.now();
  const runtime = require(path.join(root, 'dist', 'completionRuntime.js')) as CompletionRuntime;
  const t1 = performance.now();
  const loaded = await runtime.loadCompletionModel(bytes, path.basename(model));
  const t2 = performance.now();
  const engine = loaded.createEngine(DEFAULT_DECODING);
  await engine.suggest('cold', 'function add(a, b) {\n  return ', 40);
  const t3 = performance.now();
  const ms = (x: number) => Math.round(x * 10) / 10;
  console.log(JSON.stringify({ requireMs: ms(t1 - t0), loadMs: ms(t2 - t1), firstSuggestionMs: ms(t3 - t2), totalMs: ms(t3 - t0), tfjsLoaded: Object.keys(require.cache).some((f) => f.includes('@tensorflow')) }));
  engine.dispose();
  loaded.dispose();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
