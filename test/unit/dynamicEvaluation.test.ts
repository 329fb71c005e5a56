import * as assert from 'node:assert/strict';
import { OutputAdaptation } from '../../src/core/completion/dynamicEvaluation';
import { DEFAULT_DECODING, neuralEngine, type Suggestion } from '../../src/core/completion/engine';
import { tfjsStepper } from '../../src/core/completion/stepper';
import { createModel, presetConfig, type SequenceModel } from '../../src/core/models';
import { CharTokenizer } from '../../src/core/tokenizers';
import { assertNoLeak, useTestBackend } from './tfSetup';

describe('dynamic evaluation of the output layer', () => {
  it('takes the hand-computed SGD step on the cross-entropy of the character read', () => {
    const a = new OutputAdaptation(2, 0.5);
    const logits = Float32Array.of(0, 0);
    const hidden = Float32Array.of(2);
    assert.equal(a.adjust(logits, hidden), logits, 'nothing learned: the logits as they are');
    // p = [0.5, 0.5]; grad of the logits [−0.5, 0.5]; b = −η·grad = [0.25, −0.25], A = −η·grad·h = [0.5, −0.5].
    a.learn(logits, hidden, 0);
    assert.deepEqual(Array.from(a.adjust(logits, hidden)), [1.25, -1.25]);
    assert.equal(a.steps, 1);
  });

  it('makes a character read again and again likelier after the same state, and leaves other states less moved', () => {
    const a = new OutputAdaptation(3, 0.1);
    const logits = Float32Array.of(1, 0, 0);
    const seen = Float32Array.of(1, 0);
    const other = Float32Array.of(0, 1);
    const p = (l: Float32Array) => Math.exp(l[2]) / (Math.exp(l[0]) + Math.exp(l[1]) + Math.exp(l[2]));
    let last = p(logits);
    for (let i = 0; i < 5; i++) {
      a.learn(logits, seen, 2);
      const now = p(a.adjust(logits, seen));
      assert.ok(now > last, `step ${i + 1}`);
      last = now;
    }
    assert.ok(p(a.adjust(logits, other)) < last);
  });

  it('refuses a rate that is not a positive number', () => {
    for (const rate of [0, -1, NaN, Infinity]) assert.throws(() => new OutputAdaptation(2, rate), RangeError);
  });
});

describe('dynamic evaluation in the completion engine', () => {
  before(useTestBackend);
  const text = 'const total = count + offset;\nconst total = count + offset;\nconst total = count + offset;\n';

  /** Suggestions of a nano LSTM's engine at each prefix end in `ends`, asked in that order. */
  async function suggestionsAt(model: SequenceModel, tokenizer: CharTokenizer, adaptationRate: number, ends: readonly number[]): Promise<Map<number, Suggestion>> {
    const engine = neuralEngine(tfjsStepper(model), tokenizer, { ...DEFAULT_DECODING, maxTokens: 8, minProbability: 0, minSuggestionProbability: 0, adaptationRate });
    const out = new Map<number, Suggestion>();
    for (const end of ends) out.set(end, await engine.suggest(text.slice(0, end)));
    engine.dispose();
    return out;
  }

  /** Runs `body` on a nano LSTM of `text`'s characters, leaking no tensor. */
  async function withNanoLstm(body: (model: SequenceModel, tokenizer: CharTokenizer) => Promise<void>): Promise<void> {
    const tokenizer = CharTokenizer.build([text]);
    const model = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 5 }));
    try {
      await assertNoLeak(() => body(model, tokenizer));
    } finally {
      model.dispose();
    }
  }

  it('learns the document as it is typed: the repeated line gets easier to guess', () =>
    withNanoLstm(async (model, tokenizer) => {
      const ends = Array.from({ length: text.length - 1 }, (_, i) => i + 1);
      const rightFirstCharacters = (s: Map<number, Suggestion>) => ends.filter((end) => end > text.length / 3 && s.get(end)!.text[0] === text[end]).length;
      const statically = rightFirstCharacters(await suggestionsAt(model, tokenizer, 0, ends));
      const adapted = rightFirstCharacters(await suggestionsAt(model, tokenizer, 0.3, ends));
      assert.ok(adapted > statically + 10, `next character right ${adapted} times adapted, ${statically} times not`);
    }));

  it('learns the same whether it is asked at every keystroke or at every third', () =>
    withNanoLstm(async (model, tokenizer) => {
      const every = Array.from({ length: text.length - 1 }, (_, i) => i + 1);
      const third = every.filter((end) => end % 3 === 0);
      const often = await suggestionsAt(model, tokenizer, 0.3, every);
      const seldom = await suggestionsAt(model, tokenizer, 0.3, third);
      for (const end of third) assert.deepEqual(seldom.get(end), often.get(end), `at ${end}`);
    }));
});
