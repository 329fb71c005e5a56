import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_DECODING,
  expectedGainEnd,
  firstLine,
  neuralEngine as coreNeuralEngine,
  ngramEngine as coreNgramEngine,
  stableTokenLength,
  type DecodingOptions,
} from '../../src/core/completion/engine';
import { tfjsStepper } from '../../src/core/completion/stepper';
import { generate } from '../../src/core/generation/generate';
import { createModel, presetConfig, type ModelState, type SequenceModel, type StepResult } from '../../src/core/models';
import { DEFAULT_DOCUMENT_CACHE } from '../../src/core/ngram/documentCache';
import { NgramModel } from '../../src/core/ngram/ngram';
import { CharTokenizer, WordTokenizer, type Tokenizer } from '../../src/core/tokenizers';
import { leakyBagConfig } from './leakyBagModel';
import { assertNoLeak, useTestBackend } from './tfSetup';

/**
 * A bigram table as a SequenceModel: after token a, token next[a] gets logit HIGH and every
 * other token 0. It holds no tensors and logs every token it is stepped with.
 */
class TableModel implements SequenceModel {
  readonly config;
  readonly probeSize = 0;
  readonly weights = new Map<string, tf.Variable>();
  readonly fed: number[] = [];
  constructor(
    private readonly vocabSize: number,
    private readonly next: ReadonlyMap<number, number>,
    private readonly high = 5,
  ) {
    this.config = leakyBagConfig(vocabSize);
  }
  forward(): tf.Tensor3D {
    throw new Error('not used');
  }
  inspect(): never {
    throw new Error('not used');
  }
  initialState(): ModelState {
    return { position: 0, tensors: [] };
  }
  step(state: ModelState, tokenId: number): StepResult {
    this.fed.push(tokenId);
    const logits = new Float32Array(this.vocabSize);
    const n = this.next.get(tokenId);
    if (n !== undefined) logits[n] = this.high;
    return { logits, state: { position: state.position + 1, tensors: [] } };
  }
  dispose(): void {}
}

/** Decoding with no cut-off but the line end and 64 tokens, changed by `o`. */
function decoding(o: Partial<DecodingOptions> = {}): DecodingOptions {
  return { ...DEFAULT_DECODING, maxTokens: 64, minProbability: 0, minSuggestionProbability: 0, ...o };
}

function ngramEngine(ngram: NgramModel, o: Partial<DecodingOptions> = {}) {
  return coreNgramEngine(ngram, decoding(o));
}

function neuralEngine(model: SequenceModel, tokenizer: Tokenizer, o: Partial<DecodingOptions> & { contextChars?: number } = {}) {
  return coreNeuralEngine(tfjsStepper(model), tokenizer, decoding(o), o.contextChars);
}

/** P(the favoured token) of a TableModel: e^high / (e^high + V − 1). */
function favoured(vocabSize: number, high = 5): number {
  return Math.exp(high) / (Math.exp(high) + vocabSize - 1);
}

/** Table model over the characters "abc\n" cycling a → b → c → \n → a. */
function cycleModel(): { tokenizer: Tokenizer; model: TableModel; id: (ch: string) => number } {
  const tokenizer = CharTokenizer.build(['abc\n']);
  const id = (ch: string) => tokenizer.encode(ch)[0];
  const cycle = 'abc\n';
  const next = new Map([...cycle].map((ch, i) => [id(ch), id(cycle[(i + 1) % cycle.length])]));
  return { tokenizer, model: new TableModel(tokenizer.vocabSize, next), id };
}

describe('completion engine', () => {
  describe('n-gram adapter', () => {
    const ngram = NgramModel.train(['hello world\n'.repeat(5)], { order: 4 });

    it('completes the line greedily and stops before the line break', async () => {
      const engine = ngramEngine(ngram);
      const s = (await engine.suggest('hello w'));
      assert.equal(s.text, 'orld');
      assert.ok(s.meanProbability > 0.5 && s.meanProbability <= 1);
    });

    it('honours maxChars, maxTokens, the expected-text bound and multi-line', async () => {
      assert.equal((await ngramEngine(ngram).suggest('hello w', 2)).text, 'or');
      assert.equal((await ngramEngine(ngram, { maxTokens: 3 }).suggest('hello w')).text, 'orl');
      // With expected text, no more than one character past it is needed to reject.
      assert.equal((await ngramEngine(ngram).suggest('hello w', 80, 'o')).text, 'or');
      assert.equal((await ngramEngine(ngram, { multiline: true, maxTokens: 8 }).suggest('hello w')).text, 'orld\nhel');
    });

    it('cuts where the product of the character probabilities falls below minSuggestionProbability', async () => {
      const full = await ngramEngine(ngram).suggest('hello w');
      // Contexts of order 4 are the last three characters.
      const ps = [...'orld'].map((ch, i) => ngram.probability(('hello w' + 'orld'.slice(0, i)).slice(-3), ch));
      assert.ok(Math.abs(full.probability - ps.reduce((a, b) => a * b, 1)) < 1e-12);
      const threshold = (ps[0] * ps[1] + ps[0] * ps[1] * ps[2]) / 2; // between the 2- and 3-character products
      assert.equal((await ngramEngine(ngram, { minSuggestionProbability: threshold }).suggest('hello w')).text, 'or');
    });

    it('the expected-gain cut ends where P · (characters − 1) is greatest and is not moved by the expected text', async () => {
      const full = await ngramEngine(ngram).suggest('hello w');
      const ps = [...'orld'].map((ch, i) => ngram.probability(('hello w' + 'orld'.slice(0, i)).slice(-3), ch));
      let best = 0;
      let bestGain = 0;
      for (let n = 1, product = 1; n <= ps.length; n++) {
        product *= ps[n - 1];
        if (product * (n - 1) > bestGain) [best, bestGain] = [n, product * (n - 1)];
      }
      const gain = ngramEngine(ngram, { expectedGainCut: { minShown: 0 } });
      assert.equal((await gain.suggest('hello w')).text, full.text.slice(0, best));
      // It looks past where the text departs: an expected text that departs early changes nothing.
      assert.equal((await gain.suggest('hello w', 80, 'ox')).text, full.text.slice(0, best));
      assert.equal((await ngramEngine(ngram, { expectedGainCut: { minShown: 1.01 } }).suggest('hello w')).text, '');
    });

    it('offers nothing below minProbability', async () => {
      assert.equal((await ngramEngine(ngram, { minProbability: 1.01 }).suggest('hello w')).text, '');
    });

    describe('with the document cache', () => {
      const workspace = NgramModel.train(['const answer = computeTheAnswer();\n'.repeat(20), 'function computeTheAnswer() { return 42; }\n'.repeat(20)], { order: 8 });
      const cached = () => coreNgramEngine(workspace, decoding(), DEFAULT_DOCUMENT_CACHE);
      const document = 'let nomTrap = 42;\n'.repeat(3) + 'let nomT';

      it('completes what the document before the cursor repeats, which the workspace never had', async () => {
        assert.ok(!(await ngramEngine(workspace).suggest(document)).text.startsWith('rap'));
        assert.equal((await cached().suggest(document)).text, 'rap = 42;');
      });

      it('has nothing to suggest when nothing was counted (an empty workspace)', async () => {
        const empty = NgramModel.train([''], { order: 8 });
        assert.equal((await coreNgramEngine(empty, decoding(), DEFAULT_DOCUMENT_CACHE).suggest(document)).text, '');
      });

      it('suggests exactly what the plain n-gram does before the document has a context to count', async () => {
        // Contexts are at least DEFAULT_DOCUMENT_CACHE.minContext (5) characters before a counted one.
        for (const prefix of ['', 'x', 'let x', 'fun']) {
          assert.deepEqual(await cached().suggest(prefix), await ngramEngine(workspace).suggest(prefix), prefix);
        }
        // Longer documents that agree with the workspace keep its suggestion.
        for (const prefix of ['const answer = comp', 'function compute']) {
          const [withCache, without] = [await cached().suggest(prefix), await ngramEngine(workspace).suggest(prefix)];
          assert.equal(withCache.text, without.text, prefix);
        }
      });

      it('counts only the text before the cursor: a jump back forgets what came after, as a fresh engine would', async () => {
        const engine = cached();
        await engine.suggest(document);
        const earlier = 'let nomTrap = 42;\nlet nomT';
        assert.deepEqual(await engine.suggest(earlier), await cached().suggest(earlier));
        assert.deepEqual(await engine.suggest(document), await cached().suggest(document));
      });
    });

    it('samples reproducibly with a seed', async () => {
      const a = (await ngramEngine(ngram, { temperature: 1, seed: 3, maxTokens: 20, multiline: true }).suggest('hel'));
      const b = (await ngramEngine(ngram, { temperature: 1, seed: 3, maxTokens: 20, multiline: true }).suggest('hel'));
      assert.deepEqual(a, b);
      assert.equal(a.text.length, 20);
    });
  });

  describe('neural adapter', () => {
    it('suggests the greedy line with the model probability of its tokens', async () => {
      const { tokenizer, model, id } = cycleModel();
      const engine = neuralEngine(model, tokenizer);
      const s = (await engine.suggest('a'));
      assert.equal(s.text, 'bc');
      assert.ok(Math.abs(s.meanProbability - favoured(tokenizer.vocabSize)) < 1e-12);
      // 'a' is consumed, then 'b' and 'c' to see what follows each; '\n' ends the line unfed.
      assert.deepEqual(model.fed, [id('a'), id('b'), id('c')]);
    });

    it('typing along the suggestion costs no model step', async () => {
      const { tokenizer, model } = cycleModel();
      const engine = neuralEngine(model, tokenizer);
      (await engine.suggest('a'));
      const steps = model.fed.length;
      const along = await engine.suggest('ab');
      assert.equal(along.text, 'c');
      assert.ok(Math.abs(along.probability - favoured(tokenizer.vocabSize)) < 1e-12);
      assert.deepEqual((await engine.suggest('abc')), { text: '', meanProbability: 0, probability: 0 });
      assert.equal(model.fed.length, steps);
      // Going on past the suggestion steps once per new character.
      assert.equal((await engine.suggest('abc\na')).text, 'bc');
      assert.equal(model.fed.length, steps + 4);
    });

    it('stops as soon as the suggestion leaves the expected text', async () => {
      const { tokenizer, model, id } = cycleModel();
      const s = (await neuralEngine(model, tokenizer).suggest('a', undefined, 'bx'));
      assert.equal(s.text, 'bc');
      assert.deepEqual(model.fed, [id('a'), id('b')]);
    });

    it('primes a prefix that does not extend the previous one from its last contextChars characters', async () => {
      const { tokenizer, model, id } = cycleModel();
      const engine = neuralEngine(model, tokenizer, { contextChars: 2 });
      assert.equal((await engine.suggest('c\nab')).text, 'c');
      assert.deepEqual(model.fed, [id('a'), id('b'), id('c')]);
      model.fed.length = 0;
      assert.equal((await engine.suggest('bca')).text, 'bc');
      assert.deepEqual(model.fed, [id('c'), id('a'), id('b'), id('c')]);
    });

    it('honours maxChars, maxTokens, multi-line and minProbability, and has nothing for an empty prefix', async () => {
      const { tokenizer, model } = cycleModel();
      assert.equal((await neuralEngine(model, tokenizer).suggest('a', 1)).text, 'b');
      assert.equal((await neuralEngine(model, tokenizer, { maxTokens: 1 }).suggest('a')).text, 'b');
      assert.equal((await neuralEngine(model, tokenizer, { maxTokens: 6, multiline: true }).suggest('a')).text, 'bc\nabc');
      assert.equal((await neuralEngine(model, tokenizer, { minProbability: 0.99 }).suggest('a')).text, '');
      assert.deepEqual((await neuralEngine(model, tokenizer).suggest('')), { text: '', meanProbability: 0, probability: 0 });
    });

    it('ends before the token that would bring the chance of being exactly right under minSuggestionProbability', async () => {
      const { tokenizer, model } = cycleModel();
      const p = favoured(tokenizer.vocabSize);
      const full = await neuralEngine(model, tokenizer).suggest('a');
      assert.equal(full.text, 'bc');
      assert.ok(Math.abs(full.probability - p * p) < 1e-12);
      // p ≈ 0.974 clears 0.96, p² ≈ 0.948 does not: "b" alone.
      const cut = await neuralEngine(model, tokenizer, { minSuggestionProbability: 0.96 }).suggest('a');
      assert.equal(cut.text, 'b');
      assert.ok(Math.abs(cut.probability - p) < 1e-12);
      assert.equal((await neuralEngine(model, tokenizer, { minSuggestionProbability: 0.99 }).suggest('a')).text, '');
    });

    it('never suggests <unk>', async () => {
      const { tokenizer, id } = cycleModel();
      // After 'a' the table favours <unk> (id 0); the best suggestible token is then the
      // lowest id of the equal rest: '\n', which ends the line at once.
      const model = new TableModel(tokenizer.vocabSize, new Map([[id('a'), 0]]));
      assert.equal((await neuralEngine(model, tokenizer).suggest('a')).text, '');
    });

    it('heals the word being typed: generation starts before it and must agree with it', async () => {
      const tokenizer = WordTokenizer.build(['function f\n'.repeat(4)]);
      const tok = (piece: string) => {
        const ids = tokenizer.encode(piece);
        assert.equal(ids.length, 1, `"${piece}" is one token`);
        return ids[0];
      };
      const next = new Map([
        [tok('\n'), tok('function')],
        [tok('function'), tok(' ')],
        [tok(' '), tok('f')],
        [tok('f'), tok('\n')],
      ]);
      const model = new TableModel(tokenizer.vocabSize, next);
      const s = (await neuralEngine(model, tokenizer).suggest('f\nfun'));
      assert.equal(s.text, 'ction f');
      // "f" is committed, "\n" fed, "fun" never fed as tokens; then "function", " ", "f".
      assert.deepEqual(model.fed, [tok('f'), tok('\n'), tok('function'), tok(' '), tok('f')]);
      // "function" is chosen among the tokens that agree with "fun" ("function", and pieces that
      // "fun" starts with, such as "f"), so its probability is conditional on them:
      // e^5 / (e^5 + others); " " and "f" are the model's own.
      let others = 0;
      for (let id = 0; id < tokenizer.vocabSize; id++) {
        const t = tokenizer.decode([id]);
        if (id !== tok('function') && t !== '' && !t.includes('\uFFFD') && (t.startsWith('fun') || 'fun'.startsWith(t))) others++;
      }
      assert.ok(others >= 1);
      const healed = Math.exp(5) / (Math.exp(5) + others);
      const p = favoured(tokenizer.vocabSize);
      assert.ok(Math.abs(s.meanProbability - (healed + 2 * p) / 3) < 1e-12);
      assert.ok(Math.abs(s.probability - healed * p * p) < 1e-12);
    });

    it('word boundaries are committed only once nothing typed later can move them', async () => {
      assert.equal(stableTokenLength('char', 'ab\u{1F600}'), 4);
      assert.equal(stableTokenLength('char', 'ab\uD83D'), 2);
      // "x = 1" → pieces x, " ", "=", " ", "1": only "x" has four characters after it.
      assert.equal(stableTokenLength('word', 'x = 1'), 1);
      // "1e+" may still become the number "1e+5".
      assert.equal(stableTokenLength('word', 'a 1e+'), 1);
      assert.equal(stableTokenLength('word', 'identifier'), 0);
    });
  });

  describe('neural adapter on a real model', () => {
    before(useTestBackend);

    it('agrees with generate() and leaks no tensor, asked incrementally or afresh', async () => {
      const text = 'function add(a, b) {\n  return a + b;\n}\n';
      const tokenizer = CharTokenizer.build([text]);
      const model: SequenceModel = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 3 }));
      // Sharpen the output and rule out <unk>, which the engine never suggests but generate() may.
      tf.tidy(() => {
        const kernel = model.weights.get('output/kernel')!;
        kernel.assign(kernel.mul(20));
        const bias = model.weights.get('output/bias')!;
        bias.assign(bias.add(tf.oneHot([0], tokenizer.vocabSize).reshape([-1]).mul(-100)));
      });
      try {
        await assertNoLeak(async () => {
          // generate() does not adapt to the text it reads: compare with dynamic evaluation off.
          const engine = neuralEngine(model, tokenizer, { maxTokens: 20, adaptationRate: 0 });
          for (let i = 1; i <= text.length; i += 3) {
            const prefix = text.slice(0, i);
            const expected = generate(model, tokenizer, prefix, { temperature: 0, maxTokens: 20, stop: ['\n', '\r'] });
            const s = (await engine.suggest(prefix));
            // generate() keeps a line break that is also its last allowed token: compare the line.
            assert.equal(s.text, firstLine(expected.text), `after ${JSON.stringify(prefix)}`);
            if (s.text && s.text === expected.text) assert.ok(Math.abs(s.meanProbability - expected.meanProbability) < 1e-5);
          }
          engine.dispose();
        });
      } finally {
        model.dispose();
      }
    });
  });

  describe('expectedGainEnd', () => {
    it('picks the end with the greatest chance times keystrokes saved, by hand', () => {
      // Ends after 1, 2, 3 characters; products 0.9, 0.72, 0.36: gains 0, 0.72, 0.72 -> the first of the best (2).
      assert.deepEqual(expectedGainEnd('abc', [1, 2, 3], [0.9, 0.8, 0.5]), { end: 2, count: 2, probability: 0.9 * 0.8 });
      // A long sure tail beats a short start: products 0.5, 0.5, 0.5, 0.5: gains 0, 0.5, 1, 1.5.
      assert.deepEqual(expectedGainEnd('abcd', [1, 2, 3, 4], [0.5, 1, 1, 1]), { end: 4, count: 4, probability: 0.5 });
      // Word pieces: code points, not pieces, count ("ab" then "cde").
      assert.deepEqual(expectedGainEnd('abcde', [2, 5], [0.9, 0.5]), { end: 5, count: 2, probability: 0.45 });
      assert.deepEqual(expectedGainEnd('a', [1], [1]), { end: 0, count: 0, probability: 0 });
    });
  });
});
