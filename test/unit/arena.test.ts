import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { disposeArena, runArena } from '../../src/core/arena/arena';
import { contenderConfig, contenderLabel } from '../../src/core/arena/contenders';
import { taskDataset, textsDataset } from '../../src/core/arena/datasets';
import { arenaCsv, arenaRecord } from '../../src/core/arena/report';
import { useTestBackend } from './tfSetup';

describe('arena', () => {
  before(useTestBackend);

  it('contenders become the configs the lecture names', () => {
    const relu = contenderConfig({ kind: 'rnn-relu-identity', preset: 'nano' }, 20, 1);
    assert.equal(relu.arch, 'rnn');
    assert.ok(relu.arch === 'rnn' && relu.activation === 'relu' && relu.identityInit);
    const tanh = contenderConfig({ kind: 'rnn-tanh' }, 20, 1);
    assert.ok(tanh.arch === 'rnn' && tanh.activation === 'tanh' && !tanh.identityInit);
    const lstm = contenderConfig({ kind: 'lstm', knobs: { forgetBias: 0, layers: 2, input: 'onehot' } }, 20, 1);
    assert.ok(lstm.arch === 'lstm' && lstm.forgetBias === 0 && lstm.layers === 2 && lstm.input === 'onehot');
    const tr = contenderConfig({ kind: 'transformer', knobs: { heads: 2 } }, 20, 1);
    assert.ok(tr.arch === 'transformer' && tr.heads === 2 && tr.scaleScores === undefined && tr.causalMaskInTraining === undefined);
    const lecture = contenderConfig({ kind: 'transformer', knobs: { positional: 'none', scaleScores: false, causalMask: false } }, 20, 1);
    assert.ok(lecture.arch === 'transformer' && lecture.positional === 'none' && lecture.scaleScores === false && lecture.causalMaskInTraining === false);
    assert.equal(contenderLabel({ kind: 'transformer', knobs: { positional: 'none', scaleScores: false } }), 'Transformer nano, positional none, scaleScores off');
    assert.throws(() => contenderConfig({ kind: 'transformer', knobs: { heads: 3 } }, 20, 1), /divide/);
    assert.equal(contenderLabel({ kind: 'gru', preset: 'small', knobs: { clipNorm: 0 } }), 'GRU small, clipNorm off');
    assert.equal(contenderLabel({ kind: 'ngram' }), 'n-gram (Kneser-Ney), order 6');
    assert.equal(contenderLabel({ kind: 'ngram', preset: 'medium' }), 'n-gram (Kneser-Ney), order 8', "the n-gram's size is its order");
    assert.equal(contenderLabel({ kind: 'ngram', preset: 'nano', knobs: { order: 3 } }), 'n-gram (Kneser-Ney), order 3');
  });

  it('a lecture task dataset holds out examples of another seed', () => {
    const d = taskDataset({ id: 'copy', size: 4, count: 64, seed: 3 });
    assert.equal(d.train.length, 64);
    assert.equal(d.validation.length, d.taskExamples!.length);
    const train = new Set(d.train);
    assert.ok(d.validation.filter((t) => train.has(t)).length < d.validation.length / 2, 'mostly unseen examples');
  });

  it('two contenders on the same token budget give a row each, curves, and a CSV of both', async function () {
    this.timeout(180_000);
    const dataset = taskDataset({ id: 'recall', size: 6, count: 400, seed: 1 });
    const before = tf.memory().numTensors;
    const points: number[] = [0, 0];
    const result = await runArena(
      [{ kind: 'lstm', preset: 'nano' }, { kind: 'ngram', knobs: { order: 3 } }],
      dataset,
      { kind: 'tokens', tokens: 6000 },
      { seqLen: 8, batchSize: 16, points: 4, replayedChars: 300 },
      { onPoint: (i) => points[i]++ },
    );
    try {
      assert.equal(result.entries.length, 2);
      const [lstm, ngram] = result.entries.map((e) => e.row);
      assert.ok(lstm.tokensSeen >= 6000 && lstm.tokensSeen < 6000 + 16 * 8, `the budget is met, not overrun by more than a batch: ${lstm.tokensSeen}`);
      assert.ok(ngram.tokensSeen <= 6000);
      assert.ok(points[0] >= 3 && points[1] === 4, `curve points ${points}`);
      for (const row of [lstm, ngram]) {
        assert.ok(row.heldOutBitsPerChar > 0 && row.heldOutBitsPerChar < 8, `${row.label}: ${row.heldOutBitsPerChar}`);
        assert.ok(row.taskAccuracy !== null && row.taskAccuracy >= 0 && row.taskAccuracy <= 1);
        assert.ok(row.keystrokeSavings >= 0 && row.keystrokeSavings < 1);
      }
      // nano LSTM: embedding 32·V + W 32·256 + U 64·256 + b 256 + output 64·V + V
      const V = result.tokenizer.vocabSize;
      assert.equal(lstm.parameters, 32 * V + 32 * 256 + 64 * 256 + 256 + 64 * V + V);
      assert.equal(lstm.gradientFlow?.length, 8, 'one gradient norm per position of the window');
      assert.ok(lstm.gradientFlow!.every((g) => Number.isFinite(g) && g > 0), `gradient flow ${lstm.gradientFlow}`);
      assert.ok(lstm.gradientFlow![7] > lstm.gradientFlow![0], 'the last position, where the loss is, gets the most gradient');
      assert.equal(ngram.gradientFlow, null);
      // order 3 sees 2 characters back: the key, 6 back, is out of its reach
      assert.ok(ngram.taskAccuracy! < 0.25, `n-gram recall ${ngram.taskAccuracy}`);
      const record = arenaRecord(result, 'run1', 'wasm', '2026-01-01T00:00:00.000Z');
      const csv = arenaCsv(record).trimEnd().split('\r\n');
      assert.equal(csv.length, 3);
      assert.match(csv[1], /^LSTM nano,/);
      assert.match(csv[2], /^"n-gram \(Kneser-Ney\), order 3",0,/);
      assert.deepEqual(JSON.parse(JSON.stringify(record)).rows.length, 2);
    } finally {
      disposeArena(result);
    }
    assert.equal(tf.memory().numTensors, before, 'nothing left after disposing the run');
  });

  it('the causal mask off in training is the leak: training loss collapses while held-out text gets worse', async function () {
    this.timeout(180_000);
    // Random letters: nothing to learn causally (log2 10 ≈ 3.32 bits/char), but a position that
    // may read the next one can copy it.
    let s = 7;
    const letter = () => 'abcdefghij'[((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % 10];
    const files = Array.from({ length: 8 }, (_, i) => ({ path: `f${i}.txt`, text: Array.from({ length: 2000 }, letter).join('') }));
    const result = await runArena(
      [{ kind: 'transformer', knobs: { causalMask: false } }, { kind: 'transformer' }],
      textsDataset('random letters', files),
      { kind: 'tokens', tokens: 100_000 },
      { seqLen: 32, batchSize: 16, points: 4, replayedChars: 200 },
    );
    try {
      const [leaky, causal] = result.entries.map((e) => e.row);
      assert.equal(leaky.label, 'Transformer nano, causalMask off');
      assert.ok(leaky.trainingBitsPerChar! < 1.5, `leaky training ${leaky.trainingBitsPerChar} bits/char`);
      assert.ok(causal.trainingBitsPerChar! > 3, `causal training ${causal.trainingBitsPerChar} bits/char`);
      assert.ok(leaky.heldOutBitsPerChar > causal.heldOutBitsPerChar + 0.5, `held out: leaky ${leaky.heldOutBitsPerChar}, causal ${causal.heldOutBitsPerChar}`);
      const config = contenderConfig(leaky.spec, 11, 0);
      assert.ok(config.arch === 'transformer' && config.causalMaskInTraining === false);
    } finally {
      disposeArena(result);
    }
  });

  it('texts are split by file; one file by position', () => {
    const one = textsDataset('a.js', [{ path: 'a.js', text: 'x'.repeat(100) }]);
    assert.equal(one.train[0].length + one.validation[0].length, 100);
    assert.ok(one.validation[0].length > 0 && one.validation[0].length < 20);
  });
});
