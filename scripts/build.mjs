// One build for everything: the extension host bundle, the CLI, the webview bundles, tests
// and benchmarks. `--production` minifies (with source maps); `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Every file under `dir` whose name ends with one of `suffixes`. */
function filesUnder(dir, suffixes) {
  const abs = join(root, dir);
  let out = [];
  let entries = [];
  try { entries = readdirSync(abs); } catch { return out; }
  for (const name of entries) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out = out.concat(filesUnder(relative(root, p), suffixes));
    else if (suffixes.some((s) => name.endsWith(s))) out.push(relative(root, p));
  }
  return out;
}

const common = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
  target: 'es2022',
};

/** Node bundles that ship: everything inlined but the vscode API. */
const shipped = {
  ...common,
  platform: 'node',
  format: 'cjs',
  minify: production,
  external: ['vscode'],
};

/**
 * Bundles the host loads at activation or for completions must not carry tfjs (megabytes to
 * read, and a backend it would start): any import of it, however indirect, fails the build.
 */
const withoutTfjs = {
  name: 'without-tfjs',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\// }, (args) => ({
      errors: [{ text: `${relative(root, args.importer)} imports ${args.path}, and this bundle must not load tfjs` }],
    }));
  },
};

/** Tests and benchmarks resolve packages from node_modules at run time: fast to build. */
const dev = { ...common, platform: 'node', format: 'cjs', packages: 'external' };

const builds = [
  { ...shipped, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', plugins: [withoutTfjs] },
  // Heavy code the host loads on first use (see src/extension/lazyRuntime.ts): completions and
  // ONNX export without tfjs, Inside the Model with it.
  { ...shipped, entryPoints: { completionRuntime: 'src/extension/completionRuntime.ts' }, outdir: 'dist', plugins: [withoutTfjs] },
  { ...shipped, entryPoints: { modelRuntime: 'src/extension/modelRuntime.ts' }, outdir: 'dist' },
  // Worker thread that counts the workspace n-gram for completions (src/node/workspaceNgram.ts).
  { ...shipped, entryPoints: { ngramWorker: 'src/node/ngramWorker.ts' }, outdir: 'dist', plugins: [withoutTfjs] },
  // Worker thread computing data-parallel gradients for the CLI, benchmarks and tests (src/node/gradientWorkers.ts).
  { ...shipped, entryPoints: { gradientWorker: 'src/node/gradientWorker.ts' }, outdir: 'dist' },
  { ...shipped, entryPoints: { cli: 'src/cli/seqlab.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    minify: production,
    entryPoints: Object.fromEntries(
      filesUnder('webview', ['main.ts', 'worker.ts']).map((f) => [relative('webview', f).replace(/\.ts$/, ''), f]),
    ),
    outdir: 'dist/webview',
  },
  {
    ...dev,
    entryPoints: [
      ...filesUnder('test/unit', ['.test.ts']),
      ...filesUnder('test/vscode', ['.ts']),
      ...filesUnder('test/e2e', ['.ts']),
      ...filesUnder('test/harness', ['.ts']),
      ...filesUnder('bench', ['.ts']),
      'scripts/start.ts',
    ],
    outbase: '.',
    outdir: 'out',
  },
].filter((b) => (Array.isArray(b.entryPoints) ? b.entryPoints.length : Object.keys(b.entryPoints).length) > 0);

/** The .wasm files the tfjs wasm backend and ONNX Runtime load at run time. */
function copyWasm() {
  const tfjsWasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  mkdirSync(join(root, 'dist/wasm'), { recursive: true });
  for (const f of readdirSync(tfjsWasmDir).filter((n) => n.endsWith('.wasm'))) {
    cpSync(join(tfjsWasmDir, f), join(root, 'dist/wasm', f));
  }
  // onnxruntime-web in Node loads only its plain SIMD build and that build's .mjs loader
  // (src/node/onnxRuntime.ts); the jsep, jspi and asyncify variants (~70 MB) stay out.
  const ortDir = dirname(require.resolve('onnxruntime-web'));
  for (const f of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']) {
    cpSync(join(ortDir, f), join(root, 'dist/wasm', f));
  }
}

copyWasm();
/** The lines the `$esbuild-watch` problem matcher of .vscode/tasks.json waits for. */
const watchReporter = {
  name: 'watch-reporter',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const e of result.errors) {
        console.error(`✘ [ERROR] ${e.text}`);
        if (e.location) console.error(`    ${e.location.file}:${e.location.line}:${e.location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

if (watch) {
  for (const b of builds) await (await esbuild.context({ ...b, plugins: [...(b.plugins ?? []), watchReporter] })).watch();
  console.log('[build] watching for changes');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`[build] ${production ? 'production' : 'development'} build in ${Date.now() - started} ms`);
}
