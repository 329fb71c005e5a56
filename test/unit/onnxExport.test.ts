// ONNX export: onnxruntime-web (wasm, in Node) runs the exported graphs and must give the tfjs
// model's logits within 1e-4, for every architecture, input encoding, positional encoding,
// tied head and preset; the full graph against forward(), the step graph token by token
// against step() and forward(), and the step graph fed a chunk then single tokens.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-web';
import { main } from '../../src/cli/seqlab';
import { presetConfig } from '../../src/core/models/presets';
import { createModel } from '../../src/core/models';
import {
  disposeState,
  type ModelConfig,
  type ModelState,
  type RecurrentConfig,
  type SequenceModel,
  type TransformerConfig,
} from '../../src/core/models/sequenceModel';
import { readModelFile, saveModelFile, saveNgramFile, type NeuralFile } from '../../src/core/modelFile';
import { NgramModel } from '../../src/core/ngram/ngram';
import { exportOnnx, stepGraphPath } from '../../src/core/onnx/export';
import { OnnxGraph } from '../../src/core/onnx/onnxGraph';
import { CharTokenizer } from '../../src/core/tokenizers/charTokenizer';
import { loadOnnxRuntime } from '../../src/node/onnxRuntime';
import { useTestBackend } from './tfSetup';
import { maxAbsDiff } from './support/numeric';

const TOLERANCE = 1e-4;

function recurrent(arch: RecurrentConfig['arch'], overrides: Partial<RecurrentConfig> = {}): RecurrentConfig {
  return {
    arch,
    vocabSize: 23,
    input: 'embedding',
    embeddingSize: 6,
    seed: 11,
    hiddenSize: 9,
    layers: 1,
    dropout: 0,
    activation: 'tanh',
    identityInit: false,
    forgetBias: 1,
    ...overrides,
  };
}

function transformer(overrides: Partial<TransformerConfig> = {}): TransformerConfig {
  return {
    arch: 'transformer',
    vocabSize: 19,
    input: 'embedding',
    embeddingSize: 16,
    seed: 5,
    modelSize: 16,
    heads: 4,
    layers: 2,
    ffnSize: 24,
    contextSize: 12,
    positional: 'sinusoidal',
    tieWeights: false,
    dropout: 0,
    ...overrides,
  };
}

interface Case {
  readonly name: string;
  readonly config: ModelConfig;
  /** Tokens per sequence. */
  readonly length: number;
  /** A name the graphs must hold (an op type or initializer): which variant was exported. */
  readonly holds?: string;
}

const CASES: Case[] = [
  { name: 'rnn tanh', config: recurrent('rnn'), length: 10 },
  { name: 'rnn relu, identity init', config: recurrent('rnn', { activation: 'relu', identityInit: true }), length: 10 },
  { name: 'rnn relu, 3 layers', config: recurrent('rnn', { activation: 'relu', layers: 3 }), length: 8 },
  { name: 'gru', config: recurrent('gru'), length: 10 },
  { name: 'gru, 2 layers', config: recurrent('gru', { layers: 2 }), length: 8 },
  { name: 'lstm', config: recurrent('lstm'), length: 10 },
  { name: 'lstm, 2 layers', config: recurrent('lstm', { layers: 2, forgetBias: 0.5 }), length: 8 },
  // One-hot, vocabulary ≤ gates·hidden: OneHot vectors into the op's W.
  { name: 'lstm one-hot (OneHot)', config: recurrent('lstm', { input: 'onehot', layers: 2 }), length: 8, holds: 'OneHot' },
  { name: 'gru one-hot (OneHot)', config: recurrent('gru', { input: 'onehot' }), length: 8, holds: 'OneHot' },
  // One-hot, vocabulary > gates·hidden: rows of W gathered, identity W.
  { name: 'rnn one-hot (rows of W)', config: recurrent('rnn', { input: 'onehot', layers: 2 }), length: 8, holds: 'layer0/W_rows' },
  { name: 'gru one-hot (rows of W)', config: recurrent('gru', { input: 'onehot', hiddenSize: 5 }), length: 8, holds: 'layer0/W_rows' },
  { name: 'transformer sinusoidal', config: transformer(), length: 9 },
  { name: 'transformer learned positions', config: transformer({ positional: 'learned' }), length: 9 },
  { name: 'transformer tied', config: transformer({ tieWeights: true }), length: 9 },
  { name: 'transformer tied, embedding 8 ≠ model 16', config: transformer({ tieWeights: true, embeddingSize: 8 }), length: 9 },
  { name: 'transformer untied, embedding 24 ≠ model 16', config: transformer({ embeddingSize: 24, layers: 1 }), length: 9 },
  { name: 'transformer one-hot, learned, tied', config: transformer({ input: 'onehot', positional: 'learned', tieWeights: true }), length: 9 },
  { name: 'transformer without positions or 1/√d (lecture experiments)', config: transformer({ positional: 'none', scaleScores: false, causalMaskInTraining: false }), length: 9 },
  { name: 'transformer to the end of its context', config: transformer({ contextSize: 7, layers: 1 }), length: 7 },
];

const PRESET_LENGTH = { nano: 10, small: 6, medium: 4 } as const;
for (const preset of ['nano', 'small', 'medium'] as const) {
  for (const arch of ['rnn', 'gru', 'lstm', 'transformer'] as const) {
    CASES.push({ name: `${arch} ${preset} preset`, config: presetConfig(arch, preset, 96, { seed: 3 }), length: PRESET_LENGTH[preset] });
  }
}

/** Deterministic ids in [0, vocab): a linear congruential generator. */
function randomIds(count: number, vocab: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % vocab;
  });
}

/** Moves every weight by seeded uniform noise of ±`amount`: nonzero biases, gains ≠ 1, no identity. */
function perturb(model: SequenceModel, amount: number, seed: number): void {
  let i = 0;
  for (const v of model.weights.values()) {
    tf.tidy(() => v.assign(v.add(tf.randomUniform(v.shape, -amount, amount, 'float32', seed + i++))));
  }
}

/** Logits of the tfjs model for `rows` (batch × length), as [b][t] Float32Arrays. */
function tfjsLogits(model: SequenceModel, rows: number[][]): Float32Array[][] {
  const V = model.config.vocabSize;
  const flat = tf.tidy(() => model.forward(tf.tensor2d(rows, undefined, 'int32')).dataSync() as Float32Array);
  return rows.map((row, b) => row.map((_, t) => flat.slice((b * row.length + t) * V, (b * row.length + t + 1) * V)));
}

/** from, from + 1, .., to − 1 */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}


function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  const diff = maxAbsDiff(actual, expected);
  assert.ok(diff <= TOLERANCE, `${what}: max |difference| ${diff} > ${TOLERANCE}`);
}

function idsTensor(ort: typeof Ort, rows: number[][]): Ort.Tensor {
  const length = rows[0].length;
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [rows.length, length]);
}

/** The state before any token, batch `batch`, as the step graph's feeds (docs/onnx.md). */
function emptyState(ort: typeof Ort, config: ModelConfig, batch: number): Record<string, Ort.Tensor> {
  if (config.arch === 'transformer') {
    const d = config.modelSize / config.heads;
    const feeds: Record<string, Ort.Tensor> = {};
    for (let i = 0; i < config.layers; i++) {
      feeds[`past_key_${i}`] = new ort.Tensor('float32', new Float32Array(0), [batch, config.heads, 0, d]);
      feeds[`past_value_${i}`] = new ort.Tensor('float32', new Float32Array(0), [batch, config.heads, 0, d]);
    }
    return feeds;
  }
  const zeros = () => new ort.Tensor('float32', new Float32Array(config.layers * batch * config.hiddenSize), [config.layers, batch, config.hiddenSize]);
  return config.arch === 'lstm' ? { h_in: zeros(), c_in: zeros() } : { h_in: zeros() };
}

/** The step graph's state outputs renamed as the next call's inputs. */
function carriedState(config: ModelConfig, out: Ort.InferenceSession.OnnxValueMapType): Record<string, Ort.Tensor> {
  const feeds: Record<string, Ort.Tensor> = {};
  for (const [name, value] of Object.entries(out)) {
    if (name === 'logits') continue;
    const input = name.replace(/^present_/, 'past_').replace(/_out$/, '_in');
    feeds[input] = value as Ort.Tensor;
  }
  assert.equal(Object.keys(feeds).length, config.arch === 'transformer' ? 2 * config.layers : config.arch === 'lstm' ? 2 : 1);
  return feeds;
}

/** Row t of batch entry b of a logits tensor [batch, seq, V]. */
function logitsRow(tensor: Ort.Tensor, b: number, t: number): Float32Array {
  const [, T, V] = tensor.dims;
  return (tensor.data as Float32Array).slice((b * T + t) * V, (b * T + t + 1) * V);
}

describe('ONNX export', function () {
  this.timeout(120_000);
  let ort: typeof Ort;
  const create = (bytes: Uint8Array) => ort.InferenceSession.create(bytes.slice(), { executionProviders: ['wasm'] });

  before(async () => {
    await useTestBackend();
    ort = await loadOnnxRuntime();
  });

  CASES.forEach(({ name, config, length, holds }, index) => {
    it(`matches tfjs: ${name}`, async () => {
      const model = createModel(config);
      let state: ModelState | null = null;
      try {
        perturb(model, 0.08, 1000 * index);
        const exported = exportOnnx(model);
        if (holds) for (const bytes of [exported.full, exported.step]) assert.ok(Buffer.from(bytes).includes(holds), `no ${holds}`);
        const V = config.vocabSize;
        const rows = [randomIds(length, V, 17 + index), randomIds(length, V, 91 + index)];
        const expected = tfjsLogits(model, rows);

        // Full graph, batch 2.
        const full = await create(exported.full);
        const fullOut = (await full.run({ input_ids: idsTensor(ort, rows) })).logits as Ort.Tensor;
        assert.deepEqual(fullOut.dims, [2, length, V]);
        for (let b = 0; b < 2; b++) for (let t = 0; t < length; t++) assertClose(logitsRow(fullOut, b, t), expected[b][t], `full graph, row ${b}, token ${t}`);
        await full.release();

        // Step graph, one token at a time, next to model.step.
        const step = await create(exported.step);
        let feeds = emptyState(ort, config, 1);
        state = model.initialState();
        for (let t = 0; t < length; t++) {
          const out = await step.run({ input_ids: idsTensor(ort, [[rows[0][t]]]), ...feeds });
          const logits = logitsRow(out.logits as Ort.Tensor, 0, 0);
          const tfStep = model.step(state, rows[0][t]);
          disposeState(state);
          state = tfStep.state;
          assertClose(logits, tfStep.logits, `step graph vs step(), token ${t}`);
          assertClose(logits, expected[0][t], `step graph vs forward(), token ${t}`);
          feeds = carriedState(config, out);
        }

        // Step graph, batch 2: a chunk from the empty state, a chunk after it (the mask with a
        // past), then one token at a time.
        const cuts = [0, Math.ceil(length / 3), Math.ceil((2 * length) / 3), ...range(Math.ceil((2 * length) / 3) + 1, length + 1)];
        feeds = emptyState(ort, config, 2);
        for (let c = 0; c + 1 < cuts.length; c++) {
          const [from, to] = [cuts[c], cuts[c + 1]];
          const out = await step.run({ input_ids: idsTensor(ort, rows.map((r) => r.slice(from, to))), ...feeds });
          for (let b = 0; b < 2; b++) {
            for (let t = from; t < to; t++) assertClose(logitsRow(out.logits as Ort.Tensor, b, t - from), expected[b][t], `tokens ${from}..${to - 1}, row ${b}, token ${t}`);
          }
          feeds = carriedState(config, out);
        }
        await step.release();
      } finally {
        if (state) disposeState(state);
        model.dispose();
      }
    });
  });

  it('declares the documented inputs and outputs', async () => {
    const expectations: [ModelConfig, string[], string[]][] = [
      [recurrent('rnn', { layers: 2 }), ['input_ids', 'h_in'], ['logits', 'h_out']],
      [recurrent('gru'), ['input_ids', 'h_in'], ['logits', 'h_out']],
      [recurrent('lstm', { layers: 3 }), ['input_ids', 'h_in', 'c_in'], ['logits', 'h_out', 'c_out']],
      [
        transformer({ layers: 2 }),
        ['input_ids', 'past_key_0', 'past_value_0', 'past_key_1', 'past_value_1'],
        ['logits', 'present_key_0', 'present_value_0', 'present_key_1', 'present_value_1'],
      ],
    ];
    for (const [config, stepInputs, stepOutputs] of expectations) {
      const model = createModel(config);
      try {
        const exported = exportOnnx(model);
        const full = await create(exported.full);
        assert.deepEqual([full.inputNames, full.outputNames], [['input_ids'], ['logits']], config.arch);
        const step = await create(exported.step);
        assert.deepEqual([step.inputNames, step.outputNames], [stepInputs, stepOutputs], config.arch);
        await Promise.all([full.release(), step.release()]);
      } finally {
        model.dispose();
      }
    }
  });

  it('returns the state layout docs/onnx.md gives', async () => {
    const lstm = createModel(recurrent('lstm', { layers: 2 }));
    const tr = createModel(transformer({ layers: 1 }));
    try {
      const lstmStep = await create(exportOnnx(lstm).step);
      const lstmOut = await lstmStep.run({ input_ids: idsTensor(ort, [[1, 2, 3], [4, 5, 6]]), ...emptyState(ort, lstm.config, 2) });
      assert.deepEqual((lstmOut.logits as Ort.Tensor).dims, [2, 3, 23]);
      assert.deepEqual((lstmOut.h_out as Ort.Tensor).dims, [2, 2, 9]);
      assert.deepEqual((lstmOut.c_out as Ort.Tensor).dims, [2, 2, 9]);
      // h_out[layer 1] equals the last layer's hidden state the tfjs model keeps: state.tensors = [h0, c0, h1, c1].
      let state = lstm.initialState();
      for (const id of [1, 2, 3]) {
        const next = lstm.step(state, id);
        disposeState(state);
        state = next.state;
      }
      const h = lstmOut.h_out.data as Float32Array;
      assertClose(h.slice(2 * 9, 3 * 9), state.tensors[2].dataSync(), 'h_out[1][0] vs layer 1 h');
      assertClose((lstmOut.c_out.data as Float32Array).slice(0, 9), state.tensors[1].dataSync(), 'c_out[0][0] vs layer 0 c');
      disposeState(state);
      await lstmStep.release();

      const trStep = await create(exportOnnx(tr).step);
      const trOut = await trStep.run({ input_ids: idsTensor(ort, [[1, 2, 3]]), ...emptyState(ort, tr.config, 1) });
      assert.deepEqual((trOut.present_key_0 as Ort.Tensor).dims, [1, 4, 3, 4]);
      assert.deepEqual((trOut.present_value_0 as Ort.Tensor).dims, [1, 4, 3, 4]);
      await trStep.release();
    } finally {
      lstm.dispose();
      tr.dispose();
    }
  });

  it('refuses positions past the context instead of returning wrong logits', async () => {
    const config = transformer({ contextSize: 4, layers: 1 });
    const model = createModel(config);
    const quietRun = { logSeverityLevel: 4 } as const; // ONNX Runtime would log the errors provoked here
    try {
      const exported = exportOnnx(model);
      const full = await create(exported.full);
      await full.run({ input_ids: idsTensor(ort, [[1, 2, 3, 4]]) });
      await assert.rejects(full.run({ input_ids: idsTensor(ort, [[1, 2, 3, 4, 5]]) }, quietRun));
      const step = await create(exported.step);
      const out = await step.run({ input_ids: idsTensor(ort, [[1, 2, 3, 4]]), ...emptyState(ort, config, 1) });
      await assert.rejects(step.run({ input_ids: idsTensor(ort, [[5]]), ...carriedState(config, out) }, quietRun));
      await Promise.all([full.release(), step.release()]);
    } finally {
      model.dispose();
    }
  });

  it('exports the same bytes from a model file\'s arrays (no tfjs) as from the tfjs model', () => {
    const tokenizer = CharTokenizer.build(['abcdefghijklmnopqrstuvw']);
    for (const config of [recurrent('lstm', { layers: 2, vocabSize: tokenizer.vocabSize }), transformer({ vocabSize: tokenizer.vocabSize, positional: 'none' })] as ModelConfig[]) {
      const model = createModel(config);
      try {
        const file = readModelFile(saveModelFile({ model, tokenizer }));
        assert.equal(file.kind, 'neural');
        const [fromModel, fromFile] = [exportOnnx(model, { tokenizer }), exportOnnx(file as NeuralFile, { tokenizer })];
        assert.deepEqual(fromFile.full, fromModel.full, `${config.arch}: full graph`);
        assert.deepEqual(fromFile.step, fromModel.step, `${config.arch}: step graph`);
      } finally {
        model.dispose();
      }
    }
  });

  it('is deterministic and records the config and tokenizer', () => {
    const config = recurrent('gru', { layers: 2 });
    const [a, b] = [createModel(config), createModel(config)];
    const other = createModel({ ...config, seed: 12 });
    try {
      const tokenizer = CharTokenizer.build(['abc']);
      const [ea, eb, eo] = [exportOnnx(a, { tokenizer }), exportOnnx(b, { tokenizer }), exportOnnx(other, { tokenizer })];
      assert.deepEqual(ea.full, eb.full);
      assert.deepEqual(ea.step, eb.step);
      assert.notDeepEqual(ea.full, eo.full);
      for (const [bytes, kind] of [[ea.full, 'full'], [ea.step, 'step']] as const) {
        const text = Buffer.from(bytes);
        assert.ok(text.includes(JSON.stringify(config)), `${kind}: config`);
        assert.ok(text.includes(JSON.stringify(tokenizer.toJSON())), `${kind}: tokenizer`);
        assert.ok(text.includes(`seqlab.graph\x12\x04${kind}`), `${kind}: graph kind`); // metadata value: field 2, 4 bytes
      }
    } finally {
      a.dispose();
      b.dispose();
      other.dispose();
    }
  });

  it('stepGraphPath puts the step graph beside the full one', () => {
    assert.equal(stepGraphPath('out/model.onnx'), 'out/model.step.onnx');
    assert.equal(stepGraphPath('model.ONNX'), 'model.step.onnx');
    assert.equal(stepGraphPath('model'), 'model.step.onnx');
  });

  describe('seqlab export-onnx', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'seqlab-onnx-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const runMain = async (...argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
      return { code, stdout, stderr };
    };

    it('writes the bytes exportOnnx gives', async () => {
      const tokenizer = CharTokenizer.build(['hello, world']);
      const model = createModel(transformer({ vocabSize: tokenizer.vocabSize, layers: 1 }));
      try {
        perturb(model, 0.05, 7);
        const file = path.join(dir, 'm.seqlab');
        writeFileSync(file, saveModelFile({ model, tokenizer, metadata: { createdAt: '2026-01-01T00:00:00Z' } }));
        const out = path.join(dir, 'sub', 'm.onnx');
        const r = await runMain('export-onnx', file, out, '--json');
        assert.equal(r.code, 0, r.stderr);
        const expected = exportOnnx(model, { tokenizer });
        assert.deepEqual(new Uint8Array(readFileSync(out)), expected.full);
        assert.deepEqual(new Uint8Array(readFileSync(path.join(dir, 'sub', 'm.step.onnx'))), expected.step);
        const json = JSON.parse(r.stdout.trim().split('\n').pop()!);
        assert.deepEqual(json, { full: out, step: path.join(dir, 'sub', 'm.step.onnx'), fullBytes: expected.full.length, stepBytes: expected.step.length });
      } finally {
        model.dispose();
      }
    });

    it('rejects n-gram models and wrong calls', async () => {
      const ngramFile = path.join(dir, 'n.seqlab');
      writeFileSync(ngramFile, saveNgramFile({ ngram: NgramModel.train(['abcabc'], { order: 3 }) }));
      const ngram = await runMain('export-onnx', ngramFile, path.join(dir, 'n.onnx'));
      assert.deepEqual(ngram, {
        code: 1,
        stdout: '',
        stderr: `seqlab export-onnx: "${ngramFile}" is an n-gram model; only neural models have an ONNX form\n`,
      });
      assert.equal((await runMain('export-onnx', ngramFile)).code, 2);
      assert.equal((await runMain('export-onnx', path.join(dir, 'missing.seqlab'), 'x.onnx')).code, 2);
    });
  });

  describe('graph builder', () => {
    it('refuses graphs that cannot be valid', () => {
      const g = new OnnxGraph('g');
      const x = g.addInput('x', 'float32', ['n']);
      assert.throws(() => g.addInput('x', 'float32', [1]), /used twice/);
      assert.throws(() => g.addFloats('w', new Float32Array(5), [2, 3]), /5 values for shape \[2,3\]/);
      assert.throws(() => g.op1('Relu', ['nothing']), /reads 'nothing'/);
      assert.throws(() => g.addOutput('y', 'float32', ['n']), /produced by no node/);
      g.op1('Relu', [x], {}, 'y');
      assert.throws(() => g.op1('Relu', [x], {}, 'y'), /used twice/);
      assert.equal(g.int64([1, 2]), g.int64([1, 2]), 'equal constants are shared');
      assert.notEqual(g.int64(1), g.int64([1]), 'a scalar is not a list');
    });

    it('writes a model ONNX Runtime runs: int, float and ints attributes, float32 and int64 weights', async () => {
      const g = new OnnxGraph('probe');
      const x = g.addInput('x', 'float32', ['n', 3]);
      const ids = g.addInput('ids', 'int64', ['n']);
      const normed = g.op1('LayerNormalization', [x, g.addFloats('gamma', Float32Array.of(1, 2, 3), [3]), g.addFloats('beta', new Float32Array(3), [3])], {
        axis: { int: -1 },
        epsilon: { float: 0.5 },
      });
      g.op1('Transpose', [normed], { perm: { ints: [1, 0] } }, 'y');
      g.op1('Gather', [g.addInt64s('table', [10, -20, 30], [3]), ids], {}, 'picked');
      g.addOutput('y', 'float32', [3, 'n']);
      g.addOutput('picked', 'int64', ['n']);
      const session = await create(g.encodeModel({ opsetVersion: 17, producerName: 'test', metadata: { k: 'v' } }));
      const out = await session.run({
        x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 0, 0, 3), [2, 3]),
        ids: new ort.Tensor('int64', BigInt64Array.of(2n, 1n), [2]),
      });
      // Row (1, 2, 3): mean 2, variance 2/3; row (0, 0, 3): mean 1, variance 2. ε = 0.5.
      const [s1, s2] = [1 / Math.sqrt(2 / 3 + 0.5), 1 / Math.sqrt(2 + 0.5)];
      const expected = [-1 * s1, -1 * s2, 0, -1 * s2 * 2, 1 * s1 * 3, 2 * s2 * 3]; // transposed, times gamma
      assert.deepEqual(out.y.dims, [3, 2]);
      assert.ok(maxAbsDiff(out.y.data as Float32Array, expected) < 1e-6, `${Array.from(out.y.data as Float32Array)}`);
      assert.deepEqual(Array.from(out.picked.data as BigInt64Array), [30n, -20n]);
      await session.release();
    });
  });
});
