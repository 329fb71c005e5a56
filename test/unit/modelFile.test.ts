import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  crc32,
  describeModelFile,
  loadModelFile,
  ModelFileError,
  saveModelFile,
  saveNgramFile,
  type LoadedNeuralModel,
  type ModelFileErrorCode,
} from '../../src/core/modelFile';
import { createModel, presetConfig, type ModelConfig, type SequenceModel } from '../../src/core/models';
import { NgramModel } from '../../src/core/ngram/ngram';
import { buildTokenizer } from '../../src/core/tokenizers';
import { Trainer, type TrainerOptions } from '../../src/core/training/trainer';
import { LeakyBagModel, leakyBagConfig } from './leakyBagModel';
import { useTestBackend } from './tfSetup';

const texts = ['the cat sat on the mat\n', 'a dog ran to the sea\n'];
const tokenizer = buildTokenizer('char', texts);
const V = tokenizer.vocabSize;
const leaky = (config: ModelConfig): SequenceModel => new LeakyBagModel(config, 0.5);

/** Header fields and manifest of a file, and a writer that re-seals a changed one with a valid checksum. */
function unpack(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const manifestLength = view.getUint32(12, true);
  const blobLength = view.getUint32(16, true);
  const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + manifestLength)));
  const blob = bytes.slice(bytes.length - blobLength);
  return { manifest, blob };
}

function pack(manifestText: string, blob: Uint8Array, version = 1): Uint8Array {
  const json = new TextEncoder().encode(manifestText);
  const padding = (4 - ((24 + json.length) % 4)) % 4;
  const out = new Uint8Array(24 + json.length + padding + blob.length);
  out.set(new TextEncoder().encode('SQLBMODL'));
  const view = new DataView(out.buffer);
  view.setUint32(8, version, true);
  view.setUint32(12, json.length, true);
  view.setUint32(16, blob.length, true);
  out.set(json, 24);
  out.set(blob, 24 + json.length + padding);
  view.setUint32(20, crc32(out, 24), true);
  return out;
}

function withManifest(bytes: Uint8Array, change: (m: Record<string, any>) => void): Uint8Array {
  const { manifest, blob } = unpack(bytes);
  change(manifest);
  return pack(JSON.stringify(manifest), blob);
}

/** Asserts `load` throws a ModelFileError with `code`, creating no tensor and no variable. */
function assertRejected(load: () => unknown, code: ModelFileErrorCode, message?: RegExp): void {
  const tensors = tf.memory().numTensors;
  const variables = Object.keys(tf.engine().registeredVariables).length;
  assert.throws(load, (e: unknown) => {
    assert.ok(e instanceof ModelFileError, `expected a ModelFileError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
  assert.equal(tf.memory().numTensors, tensors, 'tensors leaked');
  assert.equal(Object.keys(tf.engine().registeredVariables).length, variables, 'variables leaked');
}

function logitsOf(model: SequenceModel, ids: number[]): number[] {
  return tf.tidy(() => Array.from(model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).dataSync()));
}

describe('model file', () => {
  let model: SequenceModel;
  let bytes: Uint8Array;
  const metadata = {
    createdAt: '2026-01-02T03:04:05.000Z',
    corpus: { trainDocuments: 2, validationDocuments: 1, trainTokens: 40, validationTokens: 10, description: 'two lines' },
    note: 'extra fields survive',
  };

  before(async () => {
    await useTestBackend();
    model = new LeakyBagModel(leakyBagConfig(V, 8, 4), 0.5);
    bytes = saveModelFile({ model, tokenizer, metadata });
  });
  after(() => model.dispose());

  it('round-trips weights bit for bit, logits exactly, tokenizer and metadata', () => {
    const loaded = loadModelFile(bytes, { createModel: leaky }) as LoadedNeuralModel;
    assert.equal(loaded.kind, 'neural');
    assert.deepEqual(loaded.model.config, model.config);
    assert.deepEqual([...loaded.model.weights.keys()], [...model.weights.keys()]);
    for (const [name, v] of model.weights) {
      const a = new Uint32Array(Float32Array.from(v.dataSync()).buffer);
      const b = new Uint32Array(Float32Array.from(loaded.model.weights.get(name)!.dataSync()).buffer);
      assert.deepEqual(b, a, name);
    }
    const ids = tokenizer.encode('the sea');
    assert.deepEqual(logitsOf(loaded.model, ids), logitsOf(model, ids));
    assert.deepEqual(loaded.tokenizer.toJSON(), tokenizer.toJSON());
    assert.equal(loaded.metadata.createdAt, metadata.createdAt);
    assert.deepEqual(loaded.metadata.corpus, metadata.corpus);
    assert.equal(loaded.metadata.note, 'extra fields survive');
    assert.equal(loaded.metadata.backend, tf.getBackend());
    assert.equal(loaded.checkpoint, undefined);
    loaded.model.dispose();
  });

  it('is compact and deterministic: float32 data plus a small manifest', () => {
    const parameters = [...model.weights.values()].reduce((s, v) => s + v.size, 0);
    assert.ok(bytes.length >= 24 + 4 * parameters && bytes.length < 24 + 4 * parameters + 4096, `${bytes.length} bytes`);
    assert.deepEqual(saveModelFile({ model, tokenizer, metadata }), bytes);
    const summary = describeModelFile(bytes);
    assert.deepEqual(
      [summary.kind, summary.formatVersion, summary.parameters, summary.hasCheckpoint, summary.bytes],
      ['neural', 1, parameters, false, bytes.length],
    );
    assert.deepEqual(summary.config, model.config);
  });

  it('holds an n-gram model in the same container', () => {
    const ngram = NgramModel.train(texts, { order: 3 });
    const file = saveNgramFile({ ngram, metadata: { createdAt: metadata.createdAt } });
    const tensors = tf.memory().numTensors;
    const loaded = loadModelFile(file);
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(loaded.kind, 'ngram');
    if (loaded.kind !== 'ngram') return;
    assert.deepEqual(loaded.ngram.toJSON(), ngram.toJSON());
    assert.equal(describeModelFile(file).kind, 'ngram');
    assertRejected(() => loadModelFile(withManifest(file, (m) => (m.ngram.order = 99))), 'malformed', /n-gram/);
  });

  describe('rejects bad files with a ModelFileError and no leaked tensors', () => {
    it('not a model file', () => {
      assertRejected(() => loadModelFile(new TextEncoder().encode('{"hello": "world"} and more text')), 'not-a-model-file');
      assertRejected(() => loadModelFile(new Uint8Array(100)), 'not-a-model-file');
    });

    it('truncated anywhere', () => {
      for (const n of [0, 5, 8, 20, 23, 24, 100, bytes.length >> 1, bytes.length - 1]) {
        assertRejected(() => loadModelFile(bytes.subarray(0, n), { createModel: leaky }), 'truncated');
      }
    });

    it('trailing bytes or a flipped bit', () => {
      const longer = new Uint8Array(bytes.length + 4);
      longer.set(bytes);
      assertRejected(() => loadModelFile(longer, { createModel: leaky }), 'corrupt');
      for (const at of [30, bytes.length - 3]) {
        const flipped = bytes.slice();
        flipped[at] ^= 0x10;
        assertRejected(() => loadModelFile(flipped, { createModel: leaky }), 'corrupt', /checksum/);
      }
    });

    it('over the size cap', () => {
      assertRejected(() => loadModelFile(bytes, { maxBytes: bytes.length - 1, createModel: leaky }), 'too-large');
      const loaded = loadModelFile(bytes, { maxBytes: bytes.length, createModel: leaky }) as LoadedNeuralModel;
      loaded.model.dispose();
    });

    it('another format version', () => {
      const { manifest, blob } = unpack(bytes);
      assertRejected(() => loadModelFile(pack(JSON.stringify(manifest), blob, 2)), 'unsupported-version', /newer/);
      assertRejected(() => loadModelFile(pack(JSON.stringify(manifest), blob, 0)), 'unsupported-version');
    });

    it('a malformed manifest', () => {
      const { blob } = unpack(bytes);
      assertRejected(() => loadModelFile(pack('{"kind": "neural", ', blob)), 'malformed', /JSON/);
      assertRejected(() => loadModelFile(pack('[1, 2]', blob)), 'malformed');
      assertRejected(() => loadModelFile(withManifest(bytes, (m) => (m.kind = 'onnx'))), 'malformed', /kind/);
      assertRejected(() => loadModelFile(withManifest(bytes, (m) => delete m.metadata)), 'malformed', /metadata/);
      assertRejected(() => loadModelFile(withManifest(bytes, (m) => (m.config.arch = 'mamba'))), 'malformed', /architecture/);
      assertRejected(
        () => loadModelFile(withManifest(bytes, (m) => (m.config.embeddingSize = 1e9)), { createModel: leaky }),
        'malformed',
        /embeddingSize/,
      );
      assertRejected(() => loadModelFile(withManifest(bytes, (m) => (m.tokenizer.kind = 'bpe'))), 'malformed', /tokenizer/);
      assertRejected(() => loadModelFile(withManifest(bytes, (m) => (m.weights[0].dtype = 'float16'))), 'malformed', /float32/);
      assertRejected(() => loadModelFile(withManifest(bytes, (m) => (m.weights[1].name = m.weights[0].name))), 'malformed');
    });

    it('weights that do not fit the data or the model', () => {
      assertRejected(() => loadModelFile(withManifest(bytes, (m) => (m.weights[2].offset += 8))), 'corrupt', /past the end/);
      assertRejected(() => loadModelFile(withManifest(bytes, (m) => (m.weights[1].offset = 0))), 'corrupt', /overlap/);
      assertRejected(
        () => loadModelFile(withManifest(bytes, (m) => (m.tokenizer.chars = m.tokenizer.chars.slice(1))), { createModel: leaky }),
        'mismatch',
        /tokens/,
      );
      // Same byte size, transposed shape: the model is built, found wrong, and disposed.
      assertRejected(
        () => loadModelFile(withManifest(bytes, (m) => m.weights[0].shape.reverse()), { createModel: leaky }),
        'mismatch',
        /shape/,
      );
      assertRejected(
        () => loadModelFile(withManifest(bytes, (m) => (m.weights[2].name = 'output/other')), { createModel: leaky }),
        'mismatch',
        /lacks weight/,
      );
      // Far fewer weights than the config implies: refused before any model is built.
      assertRejected(
        () => loadModelFile(withManifest(bytes, (m) => (m.config.hiddenSize = 4096)), { createModel: () => assert.fail('built') }),
        'mismatch',
        /too few/,
      );
    });

    it('a model factory that fails half-way', () => {
      const failing = (config: ModelConfig): SequenceModel => {
        tf.tidy(() => tf.variable(tf.zeros([config.vocabSize, 3])));
        throw new Error('out of memory');
      };
      assertRejected(() => loadModelFile(bytes, { createModel: failing }), 'malformed', /out of memory/);
    });
  });

  describe('checkpoints', () => {
    const codedTexts = ['the cat sat on the mat\n'.repeat(4), 'a dog ran to the sea\n'.repeat(4), 'the sea sat\n'.repeat(3)];
    const data = () => ({
      train: codedTexts.slice(0, 2).map((t, i) => ({ name: `t${i}`, tokens: tokenizer.encode(t) })),
      validation: [{ name: 'v', tokens: tokenizer.encode(codedTexts[2]) }],
    });
    const options: TrainerOptions = { batchSize: 4, seqLen: 10, seed: 2, evalEvery: 4, learningRate: { peak: 0.03, warmupSteps: 2 } };

    async function losses(m: SequenceModel, opts: TrainerOptions): Promise<{ trainer: Trainer; losses: number[] }> {
      const out: number[] = [];
      const trainer = new Trainer(m, data(), { ...opts, progressEvery: 1, onProgress: (p) => out.push(p.loss) });
      await trainer.run();
      return { trainer, losses: out };
    }

    it('resuming from a saved file continues exactly as if training never stopped', async () => {
      const straightModel = new LeakyBagModel(leakyBagConfig(V, 8, 4), 0.5);
      const straight = await losses(straightModel, { ...options, maxSteps: 10 });

      const firstModel = new LeakyBagModel(leakyBagConfig(V, 8, 4), 0.5);
      const first = await losses(firstModel, { ...options, maxSteps: 6 });
      const file = saveModelFile({ model: firstModel, tokenizer, checkpoint: first.trainer.checkpoint(), metadata: first.trainer.summary() });
      first.trainer.dispose();
      firstModel.dispose();

      const loaded = loadModelFile(file, { createModel: leaky }) as LoadedNeuralModel;
      assert.ok(loaded.checkpoint && loaded.optimizerState);
      assert.equal(loaded.optimizerState.step, 6);
      assert.equal(loaded.metadata.training?.steps, 6);
      assert.equal(describeModelFile(file).hasCheckpoint, true);
      const second = await losses(loaded.model, { ...options, maxSteps: 10, resume: loaded.checkpoint });
      assert.deepEqual([...first.losses, ...second.losses], straight.losses);
      for (const t of [straight.trainer, second.trainer]) t.dispose();
      straightModel.dispose();
      loaded.model.dispose();
    });

    it('rejects optimizer slots that fit no weight', async () => {
      const m = new LeakyBagModel(leakyBagConfig(V, 8, 4), 0.5);
      const trainer = new Trainer(m, data(), { ...options, maxSteps: 1 });
      trainer.trainStep();
      const file = saveModelFile({ model: m, tokenizer, checkpoint: trainer.checkpoint() });
      assertRejected(
        () => loadModelFile(withManifest(file, (x) => (x.checkpoint.optimizer.slots[0].name = 'm/nothing')), { createModel: leaky }),
        'mismatch',
        /slot/,
      );
      assertRejected(
        () => loadModelFile(withManifest(file, (x) => delete x.checkpoint.progress.rngState), { createModel: leaky }),
        'malformed',
        /rngState/,
      );
      trainer.dispose();
      m.dispose();
    });
  });

  describe('with the real architectures', () => {
    for (const arch of ['lstm', 'gru', 'rnn', 'transformer'] as const) {
      it(`${arch} (nano) round-trips with identical logits and step outputs`, () => {
        const real = createModel(presetConfig(arch, 'nano', V, { seed: 9 }));
        const file = saveModelFile({ model: real, tokenizer });
        const loaded = loadModelFile(file) as LoadedNeuralModel;
        const ids = tokenizer.encode('the cat');
        assert.deepEqual(logitsOf(loaded.model, ids), logitsOf(real, ids));
        const a = real.initialState();
        const b = loaded.model.initialState();
        const sa = real.step(a, ids[0]);
        const sb = loaded.model.step(b, ids[0]);
        assert.deepEqual(Array.from(sb.logits), Array.from(sa.logits));
        for (const s of [a, b, sa.state, sb.state]) s.tensors.forEach((t) => t.dispose());
        real.dispose();
        loaded.model.dispose();
      });
    }
  });
});
