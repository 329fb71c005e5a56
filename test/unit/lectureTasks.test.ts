import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createBidirectionalRnn, BIDIRECTIONAL_CANNOT_COMPLETE } from '../../src/core/models/bidirectionalRnn';
import { createModel } from '../../src/core/models';
import { CharTokenizer } from '../../src/core/tokenizers';
import { bracketsTask, openDepth } from '../../src/core/tasks/brackets';
import { copyTask, COPY_ALPHABET } from '../../src/core/tasks/copy';
import { createExplodingRnn } from '../../src/core/tasks/exploding';
import { BLANK, BLANK_ALPHABET, CAUSAL_BLANK_CEILING, fillBlankExamples } from '../../src/core/tasks/fillBlank';
import { longRangeRecallTask, RECALL_KEYS, RECALL_NOISE } from '../../src/core/tasks/longRangeRecall';
import { blankAccuracy, trainOnBlanks } from '../../src/core/tasks/maskedTraining';
import { answerAccuracy, ngramPredictor } from '../../src/core/tasks/scoring';
import { answerOf, sequenceTask } from '../../src/core/tasks';
import { NgramModel } from '../../src/core/ngram/ngram';
import { splitCorpus } from '../../src/core/training/tokenStream';
import { Trainer } from '../../src/core/training/trainer';
import { assertNoLeak, useTestBackend } from './tfSetup';

describe('lecture tasks', () => {
  before(useTestBackend);

  describe('generated with a seed', () => {
    it('recall at lag L: the answer is the key L positions back, the rest noise', () => {
      const task = longRangeRecallTask({ lag: 7, count: 200, seed: 3 });
      for (const e of task.examples) {
        assert.equal(e.text.length, 8);
        assert.equal(e.answerStart, 7);
        assert.equal(answerOf(e), e.text[0], 'the answer is the key');
        assert.ok(RECALL_KEYS.includes(e.text[0]));
        assert.ok([...e.text.slice(1, 6)].every((c) => RECALL_NOISE.includes(c)));
        assert.equal(e.text[6], ':');
      }
      assert.equal(task.chanceAccuracy, 1 / 8);
      // every key shows up: not one fixed answer
      assert.equal(new Set(task.examples.map(answerOf)).size, RECALL_KEYS.length);
    });

    it('copy: the answer is the string before the bar', () => {
      for (const e of copyTask({ length: 5, count: 100, seed: 1 }).examples) {
        const [source, copy] = e.text.split('|');
        assert.equal(source.length, 5);
        assert.equal(copy, source);
        assert.equal(answerOf(e), source);
        assert.ok([...source].every((c) => COPY_ALPHABET.includes(c)));
      }
    });

    it('brackets: a valid prefix, closed by exactly its open count, then a full stop', () => {
      const depths = new Set<number>();
      for (const e of bracketsTask({ length: 10, count: 300, seed: 9 }).examples) {
        const [prefix, closing] = e.text.split('|');
        assert.equal(prefix.length, 10);
        const depth = openDepth(prefix);
        assert.ok(depth >= 0, `prefix ${prefix} never closes more than it opened`);
        depths.add(depth);
        assert.equal(closing, `${')'.repeat(depth)}.`);
        assert.equal(openDepth(prefix + closing.slice(0, -1)), 0, 'the answer balances the prefix');
      }
      assert.ok(depths.size >= 4, 'the depth varies');
    });

    it('fill in the blank: one "_" per line of letter pairs, the answer is the letter it hides', () => {
      const examples = fillBlankExamples({ pairs: 4, count: 300, seed: 5 });
      let firstOfPair = 0;
      for (const e of examples) {
        assert.equal(e.text.length, 8);
        assert.equal([...e.text].filter((c) => c === BLANK).length, 1);
        assert.equal(e.text[e.blankIndex], BLANK);
        const partner = e.blankIndex % 2 === 0 ? e.blankIndex + 1 : e.blankIndex - 1;
        assert.equal(e.text[partner], e.answer, 'the pair partner is the hidden letter');
        assert.ok(BLANK_ALPHABET.includes(e.answer));
        if (e.blankIndex % 2 === 0) firstOfPair++;
      }
      assert.ok(firstOfPair > 100 && firstOfPair < 200, 'blanks fall on both halves of pairs');
    });

    it('the same seed gives the same examples, another seed others', () => {
      const a = sequenceTask({ id: 'recall', size: 12, count: 50, seed: 4 }).examples;
      assert.deepEqual(sequenceTask({ id: 'recall', size: 12, count: 50, seed: 4 }).examples, a);
      assert.notDeepEqual(sequenceTask({ id: 'recall', size: 12, count: 50, seed: 5 }).examples, a);
      // pinned, so a change of generator shows up in review
      assert.deepEqual(copyTask({ length: 4, count: 3, seed: 0 }).examples.map((e) => e.text), ['aehd|aehd', 'cheg|cheg', 'hbaf|hbaf']);
      assert.deepEqual(longRangeRecallTask({ lag: 5, count: 3, seed: 0 }).examples.map((e) => e.text), ['a413:a', 'c526:c', 'h583:h']);
    });

    it('an n-gram with a context shorter than the lag recalls at chance; one that spans it recalls', () => {
      const task = longRangeRecallTask({ lag: 6, count: 2000, seed: 1 });
      const heldOut = longRangeRecallTask({ lag: 6, count: 300, seed: 2 }).examples;
      const texts = task.examples.map((e) => e.text);
      const short = answerAccuracy(heldOut, ngramPredictor(NgramModel.train(texts, { order: 3 })));
      assert.ok(short.perCharacter < task.chanceAccuracy + 0.1, `order 3: ${short.perCharacter}`);
      const spanning = answerAccuracy(heldOut, ngramPredictor(NgramModel.train(texts, { order: 8 })));
      assert.ok(spanning.perCharacter > short.perCharacter, `order 8 ${spanning.perCharacter} vs order 3 ${short.perCharacter}`);
    });
  });

  describe('bidirectional RNN', () => {
    it('beats a causal RNN of the same size on fill in the blank', async function () {
      this.timeout(180_000);
      const train = fillBlankExamples({ pairs: 4, count: 2000, seed: 1 });
      const test = fillBlankExamples({ pairs: 4, count: 400, seed: 2 });
      const tokenizer = CharTokenizer.build([...BLANK_ALPHABET, BLANK]);
      const V = tokenizer.vocabSize;
      const size = { vocabSize: V, embeddingSize: 16, hiddenSize: 32, seed: 7 };
      await assertNoLeak(() => {
        const bi = createBidirectionalRnn({ cell: 'gru', ...size });
        const causal = createModel({ arch: 'gru', input: 'embedding', layers: 1, dropout: 0, activation: 'tanh', identityInit: false, forgetBias: 1, ...size });
        try {
          const options = { steps: 150, seed: 3 };
          trainOnBlanks(bi, tokenizer, train, options);
          trainOnBlanks(causal, tokenizer, train, options);
          const biAccuracy = blankAccuracy(bi, tokenizer, test);
          const causalAccuracy = blankAccuracy(causal, tokenizer, test);
          assert.ok(biAccuracy > 0.9, `bidirectional ${biAccuracy}`);
          assert.ok(causalAccuracy < CAUSAL_BLANK_CEILING + 0.08, `causal ${causalAccuracy} over its ceiling ${CAUSAL_BLANK_CEILING}`);
          assert.ok(causalAccuracy > 0.4, `causal ${causalAccuracy}: it learns the second-of-pair blanks`);
        } finally {
          bi.dispose();
          causal.dispose();
        }
      });
      assert.match(BIDIRECTIONAL_CANNOT_COMPLETE, /after/);
    });

    it('its output at t depends on the input after t (a causal model’s does not)', async () => {
      await assertNoLeak(() => {
        const bi = createBidirectionalRnn({ cell: 'rnn', vocabSize: 5, embeddingSize: 4, hiddenSize: 6, seed: 1 });
        try {
          tf.tidy(() => {
            const a = bi.forward(tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32')).arraySync()[0];
            const b = bi.forward(tf.tensor2d([[1, 2, 3, 0]], [1, 4], 'int32')).arraySync()[0];
            assert.ok(Math.abs(a[0][0] - b[0][0]) > 1e-6, 'position 0 sees position 3');
          });
        } finally {
          bi.dispose();
        }
      });
    });
  });

  describe('exploding gradients', () => {
    it('clipping off explodes on a ReLU RNN with U = 1.5·I; clipped by norm it trains', async function () {
      this.timeout(120_000);
      const task = longRangeRecallTask({ lag: 24, count: 200, seed: 1 });
      const texts = task.examples.map((e) => e.text);
      const tokenizer = CharTokenizer.build(texts);
      const docs = texts.map((t, i) => ({ name: String(i), tokens: tokenizer.encode(t) }));
      const run = async (clipNorm: number) => {
        const model = createExplodingRnn({ vocabSize: tokenizer.vocabSize, gain: 1.5, seed: 2 });
        const norms: number[] = [];
        const losses: number[] = [];
        const trainer = new Trainer(model, splitCorpus(docs), {
          seqLen: 25, batchSize: 8, maxSteps: 20, clipNorm, learningRate: 0.05, optimizer: { kind: 'sgd' },
          progressEvery: 1, evalEvery: 1000, finalEval: false, gradientFlowRows: 0,
          onProgress: (p) => { norms.push(p.gradNorm); losses.push(p.loss); },
        });
        try {
          await trainer.run();
        } finally {
          trainer.dispose();
          model.dispose();
        }
        return { norms, losses };
      };
      const off = await run(Infinity);
      const on = await run(1);
      assert.ok(off.norms[0] > 1e3, `the first gradient is already huge: ${off.norms[0]}`);
      assert.ok(off.losses.some((l) => !Number.isFinite(l)), `unclipped, the loss blows up: ${off.losses}`);
      assert.ok(on.losses.every(Number.isFinite), `clipped, every loss is finite: ${on.losses}`);
      assert.ok(on.losses[on.losses.length - 1] < on.losses[0] / 2, `clipped, it trains: ${on.losses[0]} → ${on.losses.at(-1)}`);
    });
  });
});
