// Assembles the base model's training text from permissively licensed source code that is on
// every development machine of this project: packages in node_modules (after `npm ci`) and the
// Python standard library of Debian's python3. Each source's licence is checked against what its
// package says; generated and minified files are skipped; identical files are kept once; each
// source is capped so that no single library dominates. Deterministic: sorted paths.
//
//   node scripts/base-corpus.mjs OUT_DIR [--sources-md FILE]
//
// OUT_DIR receives one folder per source (then `seqlab train OUT_DIR --vocab ascii ...`);
// --sources-md writes the licence and attribution table that ships beside the model.
// Left out on purpose: mocha and onnxruntime-web, whose code the project measures completions on
// as code the models never saw, and the libraries of sample-workspace/ (Underscore, Express,
// Commander, Acorn), whose held-out files the benchmarks measure on.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const KB = 1024;
const CODE = ['.js', '.mjs', '.cjs', '.ts'];

/** Packages: folder, the licence its package.json must state, subfolders to read, cap in KB. */
const PACKAGES = [
  { name: 'undici', license: 'MIT', dirs: ['lib'], capKB: 700 },
  { name: 'lodash', license: 'MIT', dirs: ['.'], skip: ['lodash.js', 'core.js', 'fp', 'lodash.min.js'], capKB: 500 },
  { name: 'protobufjs', license: 'BSD-3-Clause', dirs: ['src', 'ext'], capKB: 500 },
  { name: 'js-yaml', license: 'MIT', dirs: ['lib'], capKB: 300 },
  { name: 'markdown-it', license: 'MIT', dirs: ['lib'], capKB: 300 },
  { name: 'semver', license: 'ISC', dirs: ['classes', 'functions', 'ranges', 'internal', 'bin'], capKB: 150 },
  { name: 'diff', license: 'BSD-3-Clause', dirs: ['libesm'], capKB: 200 },
  { name: 'debug', license: 'MIT', dirs: ['src'], capKB: 50 },
  { name: 'qs', license: 'BSD-3-Clause', dirs: ['lib', 'test'], capKB: 300 },
  { name: 'ajv', license: 'MIT', dirs: ['lib'], exts: ['.ts'], capKB: 500 },
  { name: '@types/node', license: 'MIT', dirs: ['.'], capKB: 600 },
  { name: 'typescript', license: 'Apache-2.0', dirs: ['lib'], match: /^lib\.[\w.]+\.d\.ts$/, capKB: 400 },
  { name: 'parse5', license: 'MIT', dirs: ['dist'], skip: ['cjs'], capKB: 300 },
  { name: 'htmlparser2', license: 'MIT', dirs: ['dist/esm'], capKB: 150 },
  { name: 'cheerio', license: 'MIT', dirs: ['dist/esm'], capKB: 200 },
  { name: 'workerpool', license: 'Apache-2.0', dirs: ['src'], capKB: 200 },
  { name: 'core-js', license: 'MIT', dirs: ['internals'], capKB: 300 },
  { name: 'fast-glob', license: 'MIT', dirs: ['out'], capKB: 60 },
  { name: 'picomatch', license: 'MIT', dirs: ['lib'], capKB: 60 },
  { name: 'minimatch', license: 'BlueOak-1.0.0', dirs: ['dist/esm'], capKB: 100 },
  { name: 'glob', license: 'BlueOak-1.0.0', dirs: ['dist/esm'], capKB: 100 },
  { name: 'tslib', license: '0BSD', dirs: ['.'], match: /^tslib\.es6\.js$/, capKB: 40 },
  { name: 'seedrandom', license: 'MIT', dirs: ['lib', '.'], match: /^(?!seedrandom\.min).*\.js$/, capKB: 60 },
  { name: 'flatbuffers', license: 'Apache-2.0', dirs: ['ts'], capKB: 120 },
  { name: 'yauzl', license: 'MIT', dirs: ['.'], capKB: 50 },
  { name: 'iconv-lite', license: 'MIT', dirs: ['lib', 'encodings'], match: /^(?!.*\.json$).*/, capKB: 80 },
  { name: 'json5', license: 'MIT', dirs: ['lib'], capKB: 80 },
  { name: 'table', license: 'BSD-3-Clause', dirs: ['dist/src'], capKB: 80 },
  { name: 'entities', license: 'BSD-2-Clause', dirs: ['lib/esm'], capKB: 80 },
  { name: 'ignore', license: 'MIT', dirs: ['.'], capKB: 40 },
];

/** The Python standard library, minus its tests, data tables and bundled applications. */
const PYTHON_SKIP = new Set([
  'test', 'tests', 'idlelib', 'lib2to3', 'site-packages', 'dist-packages', 'encodings', 'pydoc_data',
  'turtledemo', 'ensurepip', 'tkinter', '__pycache__', 'config-3.11-x86_64-linux-gnu',
]);
const PYTHON_CAP_KB = 3500;

/** Generated or minified text teaches nothing about how people write code. */
function looksGenerated(text) {
  if (text.includes('sourceMappingURL=data:') || text.includes('\0')) return true;
  const lines = text.split('\n');
  const longest = lines.reduce((m, l) => Math.max(m, l.length), 0);
  return longest > 400 || text.length / lines.length > 90;
}

function walk(dir, accept, skipNames = new Set()) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  const visit = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (skipNames.has(entry.name) || entry.name === 'node_modules') continue;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && accept(entry.name)) out.push(full);
    }
  };
  visit(dir);
  return out;
}

/** Files of one source, in order, until the cap; identical texts (seen anywhere) kept once. */
function take(files, capBytes, seen) {
  const kept = [];
  let bytes = 0;
  for (const file of files) {
    const stat = fs.statSync(file);
    if (stat.size > 200 * KB || stat.size < 200) continue;
    const text = fs.readFileSync(file, 'utf8');
    if (looksGenerated(text)) continue;
    const hash = createHash('sha256').update(text).digest('hex');
    if (seen.has(hash)) continue;
    if (bytes + text.length > capBytes) break;
    seen.add(hash);
    kept.push({ file, text });
    bytes += text.length;
  }
  return { kept, bytes };
}

function pythonRoot() {
  const candidates = fs.existsSync('/usr/lib') ? fs.readdirSync('/usr/lib').filter((n) => /^python3\.\d+$/.test(n)).sort() : [];
  const name = candidates.at(-1);
  return name ? { dir: path.join('/usr/lib', name), version: name.slice('python'.length) } : null;
}

function main() {
  const args = process.argv.slice(2);
  const outDir = args[0];
  const mdAt = args.indexOf('--sources-md');
  const sourcesMd = mdAt >= 0 ? args[mdAt + 1] : undefined;
  if (!outDir || outDir.startsWith('--')) {
    console.error('usage: node scripts/base-corpus.mjs OUT_DIR [--sources-md FILE]');
    process.exit(2);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  const seen = new Set();
  const rows = [];
  const write = (sourceName, root, kept) => {
    for (const { file, text } of kept) {
      // `seqlab train` does not enter dist/ or out/ folders: rename them in the copy.
      const relative = path.relative(root, file).split(path.sep).map((part) => (part === 'dist' || part === 'out' ? `${part}_` : part));
      const target = path.join(outDir, sourceName.replace('/', '__'), ...relative);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
    }
  };

  for (const p of PACKAGES) {
    const root = path.join('node_modules', p.name);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const license = pkg.license ?? '';
    if (license !== p.license) throw new Error(`${p.name}: package.json says licence ${JSON.stringify(license)}, expected ${p.license}`);
    const exts = p.exts ?? CODE;
    const skip = new Set(p.skip ?? []);
    const accept = (name) => exts.some((e) => name.endsWith(e)) && !name.endsWith('.min.js') && (!p.match || p.match.test(name));
    const files = p.dirs.flatMap((d) => (d === '.' ? walk(root, accept, skip).filter((f) => path.dirname(f) === root || p.name === '@types/node') : walk(path.join(root, d), accept, skip)));
    const { kept, bytes } = take(files, p.capKB * KB, seen);
    write(p.name, root, kept);
    rows.push({ source: `${p.name} ${pkg.version}`, license, files: kept.length, bytes, url: `https://www.npmjs.com/package/${p.name}` });
  }

  const python = pythonRoot();
  if (python) {
    const files = walk(python.dir, (n) => n.endsWith('.py'), PYTHON_SKIP);
    const { kept, bytes } = take(files, PYTHON_CAP_KB * KB, seen);
    write(`python${python.version}`, python.dir, kept);
    rows.push({ source: `Python ${python.version} standard library (Debian)`, license: 'PSF-2.0', files: kept.length, bytes, url: 'https://docs.python.org/3/license.html' });
  }

  const total = rows.reduce((s, r) => s + r.bytes, 0);
  console.log(JSON.stringify({ outDir, files: rows.reduce((s, r) => s + r.files, 0), bytes: total, sources: rows }, null, 2));
  if (sourcesMd) {
    const lines = [
      '# Sources of the base model',
      '',
      'The base model (`base-lstm-small-ascii.seqlab`) was trained on the files below, assembled by',
      '`node scripts/base-corpus.mjs` (licences checked against each package; generated and minified files,',
      'duplicates and tests of the Python library left out). Each library keeps its copyright and licence;',
      'the model contains no copy of the text, only weights learned from it.',
      '',
      '| source | licence | files | characters |',
      '|---|---|---:|---:|',
      ...rows.map((r) => `| [${r.source}](${r.url}) | ${r.license} | ${r.files} | ${r.bytes.toLocaleString('en-US')} |`),
      `| **total** | | ${rows.reduce((s, r) => s + r.files, 0)} | ${total.toLocaleString('en-US')} |`,
      '',
      'Left out on purpose: mocha and onnxruntime-web, whose code the project measures completions on as',
      'code the model never saw, and the libraries of `sample-workspace/` (Underscore, Express, Commander,',
      'Acorn), whose held-out files the benchmarks measure on.',
      '',
    ];
    fs.writeFileSync(sourcesMd, lines.join('\n'));
  }
}

main();
