// Crafted model files: a huge context, vocabulary or layer stack, non-finite weights, unknown
// enum values, devices, FIFOs, folders and oversized files. Each must be a coded error, decided
// before anything large is allocated: a child process loads them all and reports its peak
// resident memory (process.resourceUsage().maxRSS, a high-water mark), which must stay under
// 500 MB. The allocation estimate itself is checked against what tfjs really allocates.
import * as assert from 'node:assert/strict';
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { crc32, DEFAULT_MAX_LOAD_BYTES, loadAllocationBytes, loadModelFile, ModelFileError, saveModelFile } from '../../src/core/modelFile';
import { createModel, presetConfig, type ModelConfig } from '../../src/core/models';
import { buildTokenizer } from '../../src/core/tokenizers';
import { readModelFileBytes } from '../../src/node/modelFileReader';
import { useTestBackend } from './tfSetup';

const CLI = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const PEAK_LIMIT_BYTES = 500 * 1024 * 1024;

/** Loads each file in `SEQLAB_BUDGET_FILES` and reports the error codes and peak memory. */
if (process.env.SEQLAB_BUDGET_FILES) {
  const files = JSON.parse(process.env.SEQLAB_BUDGET_FILES) as string[];
  const codes = files.map((file) => {
    try {
      loadModelFile(readModelFileBytes(file));
      return 'loaded';
    } catch (e) {
      return e instanceof ModelFileError ? e.code : `not coded: ${(e as Error).message}`;
    }
  });
  process.send?.({ codes, maxRssBytes: process.resourceUsage().maxRSS * 1024 });
} else {
  describe('model files: load budget and crafted files', function () {
    this.timeout(120_000);
    let root: string;
    const texts = ['function add(a, b) { return a + b; }\n'];
    const tokenizer = buildTokenizer('char', texts);

    before(async () => {
      await useTestBackend();
      root = mkdtempSync(path.join(tmpdir(), 'seqlab-budget-'));
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    /** A valid file of `config`, then its manifest changed by `edit` and the container rebuilt (lengths, padding, CRC). */
    function crafted(config: ModelConfig, edit: (manifest: any, blob: Float32Array) => void): Uint8Array {
      const model = createModel(config);
      const bytes = saveModelFile({ model, tokenizer });
      model.dispose();
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      const m = view.getUint32(12, true);
      const l = view.getUint32(16, true);
      const blobStart = 24 + m + ((4 - ((24 + m) % 4)) % 4);
      const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + m)));
      const blob = new Float32Array(bytes.slice(blobStart, blobStart + l).buffer);
      edit(manifest, blob);
      const json = new TextEncoder().encode(JSON.stringify(manifest));
      const start = 24 + json.length + ((4 - ((24 + json.length) % 4)) % 4);
      const out = new Uint8Array(start + l);
      out.set(bytes.subarray(0, 24));
      const v = new DataView(out.buffer);
      v.setUint32(12, json.length, true);
      out.set(json, 24);
      out.set(new Uint8Array(blob.buffer), start);
      v.setUint32(20, crc32(out, 24, out.length), true);
      return out;
    }

    const transformer = presetConfig('transformer', 'nano', tokenizer.vocabSize);
    const lstm = presetConfig('lstm', 'nano', tokenizer.vocabSize);

    it('estimates at least what building a model allocates, and at most three times it', () => {
      const configs: ModelConfig[] = [
        lstm,
        presetConfig('gru', 'small', 300),
        presetConfig('rnn', 'nano', 50, { input: 'onehot' }),
        { ...presetConfig('lstm', 'nano', 80), layers: 3 } as ModelConfig,
        transformer,
        { ...presetConfig('transformer', 'small', 200), positional: 'learned' } as ModelConfig,
        { ...presetConfig('transformer', 'nano', 90), contextSize: 1024 } as ModelConfig,
      ];
      for (const config of configs) {
        const before = tf.memory().numBytes;
        const model = createModel(config);
        const actual = tf.memory().numBytes - before;
        model.dispose();
        const estimate = loadAllocationBytes(config);
        assert.ok(estimate >= actual && estimate <= 3 * actual, `${config.arch}: estimate ${estimate}, tfjs ${actual}`);
      }
    });

    it('each crafted file is a coded error, with peak memory under 500 MB', async () => {
      const cases: Array<[string, string, Uint8Array | (() => void)]> = [
        ['context 65,536 (a 16 GiB causal mask)', 'over-budget', crafted(transformer, (m) => (m.config.contextSize = 65_536))],
        ['context 16,384 (1 GiB)', 'over-budget', crafted(transformer, (m) => (m.config.contextSize = 16_384))],
        ['vocabulary of 2^20 with d_model 16,384', 'over-budget', crafted(transformer, (m) => Object.assign(m.config, { vocabSize: 1 << 20, modelSize: 16_384, heads: 4 }))],
        ['64 LSTM layers of 16,384 units', 'over-budget', crafted(lstm, (m) => Object.assign(m.config, { layers: 64, hiddenSize: 16_384 }))],
        ['a NaN weight', 'non-finite', crafted(lstm, (_m, blob) => (blob[3] = NaN))],
        ['an infinite weight', 'non-finite', crafted(lstm, (_m, blob) => (blob[blob.length - 1] = -Infinity))],
        ['positional "rotary"', 'unsupported-value', crafted(transformer, (m) => (m.config.positional = 'rotary'))],
        ['activation "gelu"', 'unsupported-value', crafted(presetConfig('rnn', 'nano', tokenizer.vocabSize), (m) => (m.config.activation = 'gelu'))],
        ['input "bytes"', 'unsupported-value', crafted(lstm, (m) => (m.config.input = 'bytes'))],
      ];
      const files: string[] = [];
      const expected: string[] = [];
      for (const [name, code, bytes] of cases) {
        const file = path.join(root, `${files.length}.seqlab`);
        writeFileSync(file, bytes as Uint8Array);
        files.push(file);
        expected.push(`${name}: ${code}`);
      }
      // A FIFO with no writer (a plain read would block forever), a device that never ends, a folder, a 300 MB file.
      const fifo = path.join(root, 'fifo.seqlab');
      execFileSync('mkfifo', [fifo]);
      const folder = path.join(root, 'folder.seqlab');
      mkdirSync(folder);
      const huge = path.join(root, 'huge.seqlab');
      const fd = openSync(huge, 'w');
      ftruncateSync(fd, 300 * 1024 * 1024); // sparse: costs no disk
      closeSync(fd);
      for (const [name, file, code] of [['a FIFO', fifo, 'not-a-file'], ['/dev/zero', '/dev/zero', 'not-a-file'], ['a folder', folder, 'not-a-file'], ['a 300 MB file', huge, 'too-large']]) {
        files.push(file);
        expected.push(`${name}: ${code}`);
      }
      const child = fork(__filename, [], { env: { ...process.env, SEQLAB_BUDGET_FILES: JSON.stringify(files) }, stdio: 'ignore' });
      const report = await new Promise<{ codes: string[]; maxRssBytes: number }>((resolve, reject) => {
        child.on('message', (m) => resolve(m as { codes: string[]; maxRssBytes: number }));
        child.on('exit', (code) => reject(new Error(`child exited with ${code} before reporting`)));
      });
      assert.deepEqual(report.codes.map((c, i) => `${expected[i].split(':')[0]}: ${c}`), expected);
      assert.ok(report.maxRssBytes < PEAK_LIMIT_BYTES, `peak ${(report.maxRssBytes / 2 ** 20).toFixed(0)} MB`);
      console.log(`      peak resident memory over ${files.length} crafted files: ${(report.maxRssBytes / 2 ** 20).toFixed(0)} MB`);
    });

    it('the budget is a stated limit that real presets stay far below', () => {
      for (const arch of ['rnn', 'gru', 'lstm', 'transformer'] as const) {
        assert.ok(loadAllocationBytes(presetConfig(arch, 'medium', 5000)) < DEFAULT_MAX_LOAD_BYTES / 4, arch);
      }
    });

    it('the CLI says so with the code, and bounds its numeric options', () => {
      const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
      const zero = cli('complete', '/dev/zero', '--prefix', 'x');
      assert.equal(zero.status, 1);
      assert.match(zero.stderr, /\[not-a-file\]/);
      const model = path.join(root, 'ok.seqlab');
      writeFileSync(model, crafted(lstm, () => undefined));
      assert.equal(cli('complete', model, '--prefix', 'x', '--min-probability', '1.5').status, 2);
      assert.equal(cli('complete', model, '--prefix', 'x', '--max-tokens', '100000000').status, 2);
      assert.equal(cli('eval', model, 'x.js', '--min-probability', '2').status, 2);
      // One 17 MB line: refused with the limit named, before it is read.
      const big = path.join(root, 'one-line.js');
      const fd = openSync(big, 'w');
      ftruncateSync(fd, 17 * 1024 * 1024);
      closeSync(fd);
      const huge = cli('eval', model, big);
      assert.equal(huge.status, 1);
      assert.match(huge.stderr, /over eval's 16,777,216 byte limit/);
    });
  });
}
