import * as assert from 'node:assert/strict';
import { decideAutoServing, replayBudget, validationCompletionOf, type ValidationCompletion } from '../../src/core/completion/autoServing';
import { measureValidationCompletion } from '../../src/core/completion/validationCompletion';
import { keystrokeSavings } from '../../src/core/evaluation';
import { ngramServing } from '../../src/core/completion/servingEngine';
import { DEFAULT_DECODING } from '../../src/core/completion/engine';
import { NgramModel } from '../../src/core/ngram/ngram';
import { createModel, presetConfig } from '../../src/core/models';
import { buildTokenizer } from '../../src/core/tokenizers';
import { assertNoLeak, useTestBackend } from './tfSetup';

const measured = (model: number, ngram: number): ValidationCompletion => ({
  characters: 3000,
  keystrokeSavings: model,
  ngramKeystrokeSavings: ngram,
  precision: 0.5,
  ngramPrecision: 0.6,
});

describe('validation completion (auto never makes completions worse)', () => {
  it('the model serves when it saves at least as much as the n-gram, or when nothing was measured', () => {
    assert.deepEqual(decideAutoServing(undefined), { serve: 'model', reason: 'no-measurement' });
    assert.equal(decideAutoServing(measured(0.3, 0.3)).serve, 'model');
    assert.equal(decideAutoServing(measured(0.31, 0.3)).serve, 'model');
  });

  it('the n-gram keeps serving when it saved more, and the reason gives both numbers', () => {
    const decision = decideAutoServing(measured(0.22, 0.31));
    assert.equal(decision.serve, 'ngram');
    assert.equal(
      decision.reason,
      "the n-gram saved 31% of keystrokes on validation, the model 22%: the n-gram keeps serving; choose 'activeModel' to use the model anyway",
    );
  });

  it('the hybrid serves when it saves the most; else the better of the model and the n-gram', () => {
    const gate = { weights: [1, 0, 0, 0, 0, 0, 0], fittedOn: 100 };
    const withHybrid = (hybrid: number, model: number, ngram: number): ValidationCompletion => ({
      ...measured(model, ngram),
      hybrid: { keystrokeSavings: hybrid, precision: 0.7, gate, fittedOnReplay: false },
    });
    assert.deepEqual(decideAutoServing(withHybrid(0.32, 0.22, 0.31)), { serve: 'hybrid', reason: 'hybrid-saves-most', gate });
    assert.equal(decideAutoServing(withHybrid(0.31, 0.22, 0.31)).serve, 'hybrid');
    assert.equal(decideAutoServing(withHybrid(0.3, 0.22, 0.31)).serve, 'ngram');
    assert.equal(decideAutoServing(withHybrid(0.3, 0.35, 0.31)).serve, 'model');
    const stored = JSON.parse(JSON.stringify({ validationCompletion: withHybrid(0.32, 0.22, 0.31) }));
    assert.deepEqual(validationCompletionOf(stored), withHybrid(0.32, 0.22, 0.31));
    const malformed = JSON.parse(JSON.stringify({ validationCompletion: { ...measured(0.2, 0.3), hybrid: { keystrokeSavings: 0.4, gate: { weights: [1] } } } }));
    assert.deepEqual(validationCompletionOf(malformed), measured(0.2, 0.3));
  });

  it('replays up to 12,000 characters, leaving 4,000 for the gate where validation is smaller, never under 3,000', () => {
    assert.equal(replayBudget(100_000), 12_000);
    assert.equal(replayBudget(16_000), 12_000);
    assert.equal(replayBudget(10_000), 6_000);
    assert.equal(replayBudget(6_000), 3_000);
    assert.equal(replayBudget(1_000), 3_000);
  });

  it('reads the field from metadata through a JSON round trip; absent or malformed is undefined', () => {
    const stored = JSON.parse(JSON.stringify({ validationCompletion: { ...measured(0.2, 0.3), precision: NaN } }));
    assert.deepEqual(validationCompletionOf(stored), { ...measured(0.2, 0.3), precision: null });
    assert.equal(validationCompletionOf({}), undefined);
    assert.equal(validationCompletionOf({ validationCompletion: { characters: 1 } }), undefined);
  });

  it('an n-gram counted without the validation file saves fewer keystrokes on it than one counted with it', async () => {
    const train = ['function add(a, b) {\n  return a + b;\n}\n'.repeat(5)];
    const validation = ['const greeting = "hello, world";\nconsole.log(greeting);\n'];
    const savings = async (texts: string[]) => {
      const served = ngramServing('n-gram', NgramModel.train(texts, { order: 8 }), DEFAULT_DECODING);
      return (await keystrokeSavings(served, validation).finally(() => served.dispose())).savings;
    };
    assert.ok((await savings(train)) < (await savings([...train, ...validation])));
  });

  describe('measured with a model', () => {
    before(useTestBackend);
    const train = ['function add(a, b) {\n  return a + b;\n}\n'.repeat(4)];
    const validation = ['function sub(a, b) {\n  return a - b;\n}\n'];
    const tokenizer = buildTokenizer('char', [...train, ...validation]);

    it('replays validation through the model and a training-only n-gram, the same replay as keystrokeSavings, leaking nothing', async () => {
      const model = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 1 }));
      try {
        const measured = await assertNoLeak(() => measureValidationCompletion(model, tokenizer, train, validation));
        const served = ngramServing('n-gram', NgramModel.train(train, { order: 8 }), DEFAULT_DECODING);
        const independent = await keystrokeSavings(served, validation).finally(() => served.dispose());
        assert.equal(measured.characters, validation[0].length);
        assert.equal(measured.ngramKeystrokeSavings, independent.savings);
        assert.ok(measured.keystrokeSavings >= 0 && measured.keystrokeSavings <= 1);
        // A character model is also measured mixed with the n-gram; validation this short fits the gate on the replay.
        assert.ok(measured.hybrid, 'a hybrid measurement');
        assert.equal(measured.hybrid.gate.weights.length, 7);
        assert.equal(measured.hybrid.gate.fittedOn, validation[0].length - 1);
        assert.equal(measured.hybrid.fittedOnReplay, true);
      } finally {
        model.dispose();
      }
    });

    it('stops with "cancelled" once its signal is aborted', async () => {
      const model = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 1 }));
      try {
        await assert.rejects(measureValidationCompletion(model, tokenizer, train, validation, { signal: { aborted: true } }), /cancelled/);
      } finally {
        model.dispose();
      }
    });
  });
});
