// The host side of Inside the Model (src/extension/visualizer/inspection.ts, no vscode): a model
// file opened for inspection gives exactly the model's inspect() over the window at the cursor,
// gradient-flow curves for the model and its comparisons, a PCA map, and leaks no tensors.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadModelFile, saveModelFile, saveNgramFile } from '../../src/core/modelFile';
import { createModel, presetConfig, type ModelConfig } from '../../src/core/models';
import { NgramModel } from '../../src/core/ngram/ngram';
import { buildTokenizer } from '../../src/core/tokenizers';
import { matrixFromRows } from '../../src/core/visualization/heatmap';
import { windowTokens } from '../../src/core/visualization/window';
import { openInspection } from '../../src/extension/visualizer/inspection';
import { useTestBackend } from './tfSetup';

const text = 'function add(a, b) {\n  return a + b;\n}\n';
const tokenizer = buildTokenizer('char', [text]);
const V = tokenizer.vocabSize;

function tiny(arch: 'lstm' | 'gru' | 'rnn' | 'transformer'): ModelConfig {
  const config = presetConfig(arch, 'nano', V, { seed: 7 });
  return config.arch === 'transformer'
    ? { ...config, modelSize: 8, embeddingSize: 8, heads: 2, ffnSize: 16, contextSize: 16 }
    : { ...config, hiddenSize: 6, embeddingSize: 4 };
}

function fileOf(config: ModelConfig, metadata = {}): Uint8Array {
  const model = createModel(config);
  try {
    return saveModelFile({ model, tokenizer, metadata });
  } finally {
    model.dispose();
  }
}

describe('Inside the Model: inspection in the host', () => {
  before(useTestBackend);

  for (const arch of ['lstm', 'gru', 'rnn', 'transformer'] as const) {
    it(`${arch}: the internals at the cursor are the model's inspect() of the window`, async () => {
      const bytes = fileOf(tiny(arch), { training: { clipNorm: 0.5, steps: 3, lastEval: { step: 3, trainLoss: 3.2 } } });
      const tensorsBefore = tf.memory().numTensors;
      const inspection = await openInspection(bytes);
      const reference = loadModelFile(bytes);
      assert.equal(reference.kind, 'neural');
      if (reference.kind !== 'neural') return;
      try {
        const maxTokens = 20;
        const got = inspection.inspectAt(text, maxTokens, true);
        // A Transformer's window is capped at its context of 16.
        const expectedWindow = windowTokens(tokenizer, text, arch === 'transformer' ? 16 : maxTokens, true);
        assert.deepEqual(got.window, expectedWindow);
        const expected = reference.model.inspect(expectedWindow.ids);
        assert.equal(got.layers.length, expected.layers.length);
        const layer = got.layers[0];
        const ref = expected.layers[0];
        assert.equal(layer.kind, ref.kind);
        if (layer.kind === 'attention' && ref.kind === 'attention') {
          assert.equal(layer.heads.length, 2);
          assert.deepEqual(layer.heads[1], matrixFromRows(ref.attention[1]));
          assert.ok(got.positional);
          assert.deepEqual([got.positional.rows, got.positional.cols], [16, 8]);
          assert.equal(got.positional.data[1], 1, 'PE(0, 1) = cos 0');
        } else if (layer.kind === 'lstm' && ref.kind === 'lstm') {
          assert.deepEqual(layer.forget, matrixFromRows(ref.forget));
          assert.deepEqual(layer.cell, matrixFromRows(ref.cell));
          assert.equal(got.positional, null);
        } else if (layer.kind === 'gru' && ref.kind === 'gru') {
          assert.deepEqual(layer.update, matrixFromRows(ref.update));
        } else if (layer.kind === 'rnn' && ref.kind === 'rnn') {
          assert.deepEqual(layer.hidden, matrixFromRows(ref.hidden));
        } else {
          assert.fail(`layer kinds differ: ${layer.kind} vs ${ref.kind}`);
        }
        assert.deepEqual(got.nextLogits, Float32Array.from(expected.logits[expected.logits.length - 1]));

        assert.equal(inspection.info.arch, arch);
        assert.equal(inspection.info.clipNorm, 0.5);
        assert.equal(inspection.info.curves.source, 'lastEval');
        assert.equal(inspection.info.vocabulary.length, V);
        assert.equal(inspection.info.vocabulary[tokenizer.encode('\n')[0]], '↵');

        const flow = await inspection.gradientFlow(text, maxTokens, true, () => false);
        assert.ok(flow);
        const T = expectedWindow.ids.length;
        assert.equal(flow.labels.length, T - 1);
        assert.equal(flow.series[0].active, true);
        assert.ok(flow.series.length >= 3, 'the model and at least two comparisons');
        for (const s of flow.series) {
          assert.equal(s.norms?.length, T - 1, s.label);
          assert.ok(s.norms!.every((v) => Number.isFinite(v) && v >= 0), s.label);
        }
        // An RNN (tanh) is its own "before training", so its list skips the tanh RNN comparison.
        assert.deepEqual(
          flow.series.map((s) => s.label),
          {
            lstm: ['this model', 'lstm before training', 'RNN, tanh', 'RNN, ReLU', 'RNN, ReLU, U = I'],
            gru: ['this model', 'gru before training', 'RNN, tanh', 'RNN, ReLU', 'RNN, ReLU, U = I', 'LSTM'],
            rnn: ['this model', 'rnn before training', 'RNN, ReLU', 'RNN, ReLU, U = I', 'LSTM'],
            transformer: ['this model', 'transformer before training', 'LSTM', 'RNN, tanh'],
          }[arch],
        );
        // Untrained, the model is its own "before training": identical curves.
        assert.deepEqual(flow.series[1].norms, flow.series[0].norms);

        const map = inspection.embeddings();
        assert.equal(map.points.length, 2 * V);
        assert.ok(map.explained[0] >= map.explained[1] && map.explained[0] > 0);
        reference.model.dispose();
      } finally {
        inspection.dispose();
      }
      assert.equal(tf.memory().numTensors, tensorsBefore, 'disposing the inspection frees the model and its comparisons');
    });
  }

  it('stops a gradient-flow computation that a newer request overtook', async () => {
    const inspection = await openInspection(fileOf(tiny('lstm')));
    try {
      assert.equal(await inspection.gradientFlow(text, 10, true, () => true), null);
      const short = await inspection.gradientFlow('f', 10, true, () => false);
      assert.deepEqual(short?.series, []);
      assert.match(short?.message ?? '', /at least two tokens/);
    } finally {
      inspection.dispose();
    }
  });

  it('loads a Transformer whose variable names another copy of tfjs in the process already holds', async () => {
    // tfjs has one engine per process; a Transformer names its variables from a per-bundle counter.
    const model = createModel(tiny('transformer'));
    const bytes = saveModelFile({ model, tokenizer });
    const next = Number(/^transformer(\d+)\//.exec(model.weights.get('embedding')!.name)![1]) + 1;
    model.dispose();
    const squatter = tf.variable(tf.zeros([1]), false, `transformer${next}/embedding`);
    const inspection = await openInspection(bytes);
    try {
      assert.equal(inspection.info.arch, 'transformer');
      assert.equal(inspection.inspectAt(text, 8, true).window.ids.length, 8);
    } finally {
      inspection.dispose();
      squatter.dispose();
    }
  });

  it('n-gram: the next-character distribution only, as log probabilities', async () => {
    const ngram = NgramModel.train([text], { order: 3 });
    const inspection = await openInspection(saveNgramFile({ ngram }));
    const got = inspection.inspectAt('retur', 64, true);
    assert.deepEqual(got.layers, []);
    assert.deepEqual(got.window.labels, ['u', 'r'], 'the order − 1 characters the counts look at');
    const dist = ngram.distribution('retur');
    assert.equal(got.nextLogits.length, dist.chars.length + 1);
    const n = dist.chars.indexOf('n');
    assert.ok(Math.abs(Math.exp(got.nextLogits[n]) - dist.probs[n]) < 1e-6);
    assert.equal(inspection.info.vocabulary.at(-1), 'unseen');
    assert.match((await inspection.gradientFlow('retur', 8, true, () => false))!.message ?? '', /no gradient/);
    assert.match(inspection.embeddings().message ?? '', /no token vectors/);
    inspection.dispose();
  });
});
