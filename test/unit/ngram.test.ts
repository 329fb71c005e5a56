import * as assert from 'node:assert/strict';
import { kneserNeyDiscounts, NgramModel, type NgramJson, type NgramSmoothing } from '../../src/core/ngram/ngram';
import { bytesToBase64 } from '../../src/core/ngram/storage';
import { seededRandom } from './support/numeric';

/** Seeded PRNG (mulberry32), so that a failing case can be reproduced. */

function randomText(random: () => number, alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

function sumOfDistribution(model: NgramModel, context: string): number {
  const { probs, unknown } = model.distribution(context);
  return probs.reduce((sum, p) => sum + p, unknown);
}

/**
 * Interpolated Kneser-Ney written the slow, obvious way from the definition (string keys,
 * every sum recomputed), to check the trie with its cascaded continuation counts against.
 */
function referenceProbability(
  texts: string[],
  order: number,
  smoothing: NgramSmoothing,
  context: string,
  next: string,
  stats = { modifiedOrders: 0 },
): number {
  const BOS = '^';
  const vocabulary = new Set(texts.flatMap((t) => Array.from(t)));
  const padded = texts.map((t) => [...Array<string>(order - 1).fill(BOS), ...Array.from(t)]);
  // values[k]: n-gram of order k (joined with \u0001) -> raw count (k = order) or continuation count.
  const values: Map<string, number>[] = [];
  values[order] = new Map();
  for (const symbols of padded) {
    for (let i = order - 1; i < symbols.length; i++) {
      const key = symbols.slice(i - order + 1, i + 1).join('\u0001');
      values[order].set(key, (values[order].get(key) ?? 0) + 1);
    }
  }
  for (let k = order - 1; k >= 1; k--) {
    values[k] = new Map();
    for (const key of values[k + 1].keys()) {
      const suffix = key.split('\u0001').slice(1).join('\u0001');
      values[k].set(suffix, (values[k].get(suffix) ?? 0) + 1);
    }
  }
  const history = [...Array<string>(order - 1).fill(BOS), ...Array.from(context)].slice(-(order - 1) || Infinity);
  const contextSymbols = order === 1 ? [] : history;
  let probability = 1 / (vocabulary.size + 1);
  for (let k = 1; k <= order; k++) {
    const h = contextSymbols.slice(contextSymbols.length - (k - 1));
    const countOfCounts = [0, 0, 0, 0];
    for (const v of values[k].values()) if (v <= 4) countOfCounts[v - 1]++;
    const d = kneserNeyDiscounts(countOfCounts, smoothing);
    if (d[0] !== d[2]) stats.modifiedOrders++;
    const discount = (a: number) => d[Math.min(a, 3) - 1];
    let total = 0;
    let discounted = 0;
    let count = 0;
    for (const [key, v] of values[k]) {
      const symbols = key.split('\u0001');
      if (symbols.slice(0, k - 1).join('\u0001') !== h.join('\u0001')) continue;
      total += v;
      discounted += discount(v);
      if (symbols[k - 1] === next) count = v;
    }
    if (total === 0) continue;
    probability = (count > 0 ? Math.max(count - discount(count), 0) / total : 0) + (discounted / total) * probability;
  }
  return probability;
}

describe('n-gram model (interpolated Kneser-Ney)', () => {
  describe('hand-computed order-2 Kneser-Ney on ["abab", "bc"]', () => {
    // Padded with one begin-of-text symbol ^: bigrams ^a ab ba ab | ^b bc. Vocabulary a b c
    // plus the unknown outcome: the uniform base is 1/4.
    //
    // Order 2 (raw counts): ^ -> {a:1, b:1}, a -> {b:2}, b -> {a:1, c:1}.
    //   Count-of-counts n1 = 4, n2 = 1, so D2 = 4 / (4 + 2) = 2/3.
    // Order 1 (continuation counts, distinct left neighbours of each bigram type ^a ab ba ^b bc):
    //   a {^, b} = 2, b {a, ^} = 2, c {b} = 1, total 5. n1 = 1, n2 = 2, so D1 = 1 / (1 + 4) = 1/5.
    //   gamma = 3 · 1/5 / 5 = 0.12, so with the uniform 0.25:
    //   P1(a) = (2 - 0.2)/5 + 0.03 = 0.39, P1(b) = 0.39, P1(c) = (1 - 0.2)/5 + 0.03 = 0.19, P1(unk) = 0.03.
    // Context a: total 2, gamma = (2/3)/2 = 1/3.
    //   P(b|a) = (2 - 2/3)/2 + 0.39/3 = 0.79666…, P(a|a) = 0.13, P(c|a) = 0.19/3, P(unk|a) = 0.01.
    // Context b: total 2, gamma = 2·(2/3)/2 = 2/3.
    //   P(a|b) = (1 - 2/3)/2 + (2/3)·0.39 = 1/6 + 0.26, P(c|b) = 1/6 + (2/3)·0.19, P(b|b) = 0.26, P(unk|b) = 0.02.
    // Context ^ (the start of a text): same counts as b's but {a:1, b:1}:
    //   P(a|^) = P(b|^) = 1/6 + 0.26, P(c|^) = (2/3)·0.19, P(unk|^) = 0.02.
    // Context c (never seen as a context) and unknown characters fall back to P1.
    const model = NgramModel.train(['abab', 'bc'], { order: 2, smoothing: 'kn' });
    const cases: [context: string, next: string, expected: number][] = [
      ['a', 'a', 0.13],
      ['a', 'b', 2 / 3 + 0.13],
      ['a', 'c', 0.19 / 3],
      ['a', 'z', 0.01],
      ['b', 'a', 1 / 6 + 0.26],
      ['b', 'b', 0.26],
      ['b', 'c', 1 / 6 + (2 / 3) * 0.19],
      ['b', '😀', 0.02],
      ['', 'a', 1 / 6 + 0.26],
      ['', 'b', 1 / 6 + 0.26],
      ['', 'c', (2 / 3) * 0.19],
      ['c', 'a', 0.39],
      ['c', 'c', 0.19],
      ['z', 'b', 0.39],
      ['z', 'q', 0.03],
      ['zzza', 'b', 2 / 3 + 0.13], // only the last character counts at order 2
    ];
    for (const [context, next, expected] of cases) {
      it(`P(${JSON.stringify(next)} | ${JSON.stringify(context)}) = ${expected.toFixed(6)}`, () => {
        assert.ok(Math.abs(model.probability(context, next) - expected) < 1e-12, `${model.probability(context, next)}`);
      });
    }

    it('gives the dense distribution of the same numbers', () => {
      const { chars, probs, unknown } = model.distribution('b');
      assert.deepEqual(chars, ['a', 'b', 'c']);
      const expected = [1 / 6 + 0.26, 0.26, 1 / 6 + (2 / 3) * 0.19];
      probs.forEach((p, i) => assert.ok(Math.abs(p - expected[i]) < 1e-12));
      assert.ok(Math.abs(unknown - 0.02) < 1e-12);
    });

    it('scores held-out text from its start', () => {
      // P(a|^) P(b|a) P(unk|b), then a second text whose first character is unknown: P(unk|^).
      const expected = -(Math.log2(1 / 6 + 0.26) + Math.log2(2 / 3 + 0.13) + Math.log2(0.02)) / 3;
      assert.ok(Math.abs(model.bitsPerChar('abz') - expected) < 1e-12);
      assert.ok(Math.abs(model.bitsPerChar(['ab', 'z']) - -(Math.log2(1 / 6 + 0.26) + Math.log2(2 / 3 + 0.13) + Math.log2(0.02)) / 3) < 1e-12);
      assert.ok(Number.isNaN(model.bitsPerChar('')));
    });
  });

  describe('discounts', () => {
    it('computes one Kneser-Ney discount per order', () => {
      assert.deepEqual(kneserNeyDiscounts([4, 1, 0, 0], 'kn'), [2 / 3, 2 / 3, 2 / 3]);
      assert.deepEqual(kneserNeyDiscounts([0, 1, 1, 0], 'kn'), [0.5, 0.5, 0.5]);
    });

    it('computes modified Kneser-Ney discounts for counts 1, 2 and 3+', () => {
      // Y = 10 / (10 + 2·5) = 0.5; D1 = 1 - 2·0.5·5/10 = 0.5; D2 = 2 - 3·0.5·3/5 = 1.1; D3+ = 3 - 4·0.5·2/3 = 5/3.
      const [d1, d2, d3] = kneserNeyDiscounts([10, 5, 3, 2], 'mkn');
      assert.ok(Math.abs(d1 - 0.5) < 1e-12 && Math.abs(d2 - 1.1) < 1e-12 && Math.abs(d3 - 5 / 3) < 1e-12);
    });

    it('falls back to the single discount where modified discounts are undefined', () => {
      assert.deepEqual(kneserNeyDiscounts([4, 1, 0, 0], 'mkn'), [2 / 3, 2 / 3, 2 / 3]);
    });
  });

  it('matches a direct implementation of the definition on random corpora', () => {
    const random = seededRandom(99);
    const stats = { modifiedOrders: 0 };
    for (const smoothing of ['kn', 'mkn'] as const) {
      for (const order of [1, 2, 3, 4]) {
        // Short texts exercise sparse counts; long ones give modified KN distinct discounts.
        for (const length of [40, 400]) {
          const texts = Array.from({ length: 4 }, () => randomText(random, 'ab \n', Math.floor(random() * length)));
          const model = NgramModel.train(texts, { order, smoothing });
          for (let trial = 0; trial < 8; trial++) {
            const context = randomText(random, 'ab \nz', Math.floor(random() * 6));
            for (const next of ['a', 'b', ' ', '\n', 'z']) {
              const expected = referenceProbability(texts, order, smoothing, context, next, stats);
              const actual = model.probability(context, next);
              assert.ok(Math.abs(actual - expected) < 1e-12, `${smoothing} order ${order} ${JSON.stringify([texts, context, next])}: ${actual} vs ${expected}`);
            }
          }
        }
      }
    }
    assert.ok(stats.modifiedOrders > 100, `${stats.modifiedOrders} orders used modified discounts`);
  });

  it('gives distributions that sum to 1 with the unknown mass', () => {
    const random = seededRandom(5);
    const texts = [randomText(random, 'abcdef \n(){};', 3000), 'function foo() {\n  return 1;\n}\n', '😀𝔘\uD800 变量'];
    for (const smoothing of ['kn', 'mkn'] as const) {
      for (const order of [1, 3, 6]) {
        const model = NgramModel.train(texts, { order, smoothing });
        for (const context of ['', 'a', 'function f', 'ab(){', 'zzzz', '😀𝔘\uD800', 'xyz\n', randomText(random, 'abcdef', 20)]) {
          assert.ok(Math.abs(sumOfDistribution(model, context) - 1) < 1e-9, `${smoothing} ${order} ${JSON.stringify(context)}`);
          const viaProbability = model.chars.reduce((sum, ch) => sum + model.probability(context, ch), model.probability(context, 'Ω'));
          assert.ok(Math.abs(viaProbability - 1) < 1e-9);
          assert.ok(model.distribution(context).unknown > 0);
        }
      }
    }
  });

  it('finds repetitive held-out text far more predictable than random text', () => {
    const random = seededRandom(11);
    const sentence = 'the cat sat on the mat. ';
    const alphabet = [...new Set(sentence)].join('');
    const model = NgramModel.train([sentence.repeat(200), randomText(random, alphabet, 2000)]);
    const repetitive = model.bitsPerChar(sentence.repeat(5));
    const noise = model.bitsPerChar(randomText(random, alphabet, 500));
    assert.ok(repetitive < 0.5, `repetitive ${repetitive}`);
    assert.ok(noise > 3, `random ${noise}`);
  });

  describe('completion', () => {
    const model = NgramModel.train(['function foo() {\n'.repeat(50), 'let x = 1;\n'.repeat(5)]);

    it('completes an obvious repeated pattern up to the end of the line', () => {
      const completion = model.complete('func');
      assert.equal(completion.text, 'tion foo() {');
      assert.equal(completion.probabilities.length, 12);
      assert.ok(completion.probabilities.every((p) => p > 0.5 && p < 1));
    });

    it('continues past the line break when asked, and stops at maxChars', () => {
      assert.equal(model.complete('func', { stopAtNewline: false, maxChars: 20 }).text, 'tion foo() {\nfunctio');
      assert.equal(model.complete('func', { maxChars: 3 }).text, 'tio');
      assert.equal(model.complete('func', { maxChars: 0 }).text, '');
    });

    it('stops when the best next character is not likely enough', () => {
      assert.equal(model.complete('func', { minProbability: 1 }).text, '');
    });

    it('returns nothing from an empty model', () => {
      const empty = NgramModel.train([]);
      assert.deepEqual(empty.complete('abc'), { text: '', probabilities: [] });
      assert.equal(empty.distribution('abc').unknown, 1);
      assert.equal(empty.probability('', 'a'), 1);
    });
  });

  describe('JSON', () => {
    const random = seededRandom(21);
    const texts = ['function foo() {\n  return 1;\n}\n'.repeat(20), randomText(random, 'abcdef \n', 2000), '😀𝔘\uD800 变量'];

    for (const smoothing of ['kn', 'mkn'] as const) {
      it(`round-trips to identical probabilities (${smoothing})`, () => {
        const model = NgramModel.train(texts, { order: 5, smoothing });
        const json = JSON.stringify(model.toJSON());
        const restored = NgramModel.fromJSON(JSON.parse(json));
        assert.equal(restored.order, 5);
        assert.equal(restored.smoothing, smoothing);
        assert.deepEqual(restored.chars, model.chars);
        for (const context of ['', 'fun', 'function foo() {\n', 'abc', '😀𝔘', '\uD800 变', 'qqq']) {
          assert.deepEqual(restored.distribution(context), model.distribution(context));
        }
        assert.equal(restored.bitsPerChar(texts), model.bitsPerChar(texts));
        assert.equal(JSON.stringify(restored.toJSON()), json);
      });
    }

    it('is much smaller than the code it was trained on', () => {
      const code = ['function foo() {\n  return 1;\n}\n', 'const x = [1, 2, 3].map((v) => v * 2);\n', 'if (a === b) {\n  foo();\n}\n'];
      const corpus = Array.from({ length: 300 }, () => code[Math.floor(random() * code.length)]).join('');
      const size = JSON.stringify(NgramModel.train([corpus]).toJSON()).length;
      assert.ok(size < corpus.length / 4, `${size} vs ${corpus.length}`);
    });

    const good = (): NgramJson => NgramModel.train(['abab', 'bc'], { order: 2 }).toJSON();
    // Hand-made counts for order 2 over chars a b, as varints: the root has 1 child, "^" (delta 0),
    // which has 2 entries: a (delta 0) count 1 and b (delta 0) count 2.
    const counts = (bytes: number[]) => bytesToBase64(Uint8Array.from(bytes));
    const handMade = [1, 0, 2, 0, 1, 0, 2];
    const malformed: [name: string, json: unknown, message: RegExp][] = [
      ['not an object', 42, /expected an object, got number/],
      ['another kind', { ...good(), kind: 'char' }, /"kind" must be "ngram", got "char"/],
      ['another version', { ...good(), version: 3 }, /unsupported version 3/],
      ['an order out of range', { ...good(), order: 0 }, /"order" must be an integer in 1\.\.12, got 0/],
      ['a fractional order', { ...good(), order: 2.5 }, /"order" must be an integer/],
      ['an unknown smoothing', { ...good(), smoothing: 'witten-bell' }, /"smoothing" must be "kn" or "mkn"/],
      ['unsorted chars', { ...good(), chars: ['b', 'a', 'c'] }, /"chars" must be in code point order/],
      ['a multi-character char', { ...good(), chars: ['a', 'bc'] }, /"chars\[1\]" must be a single character/],
      ['counts that are no string', { ...good(), counts: [1, 2] }, /"counts" must be a base64 string/],
      ['counts that are no base64', { ...good(), counts: 'ab!d' }, /invalid base64 character at offset 2/],
      ['truncated counts', { ...good(), chars: ['a', 'b'], counts: counts(handMade.slice(0, 6)) }, /counts data ends inside count/],
      ['a symbol out of range', { ...good(), chars: ['a', 'b'], counts: counts([1, 0, 2, 0, 1, 1, 2]) }, /symbol 3 outside 1\.\.2/],
      ['a zero count', { ...good(), chars: ['a', 'b'], counts: counts([1, 0, 2, 0, 1, 0, 0]) }, /an n-gram count of 0/],
      ['trailing bytes', { ...good(), chars: ['a', 'b'], counts: counts([...handMade, 7]) }, /trailing bytes/],
      ['an over-long number', { ...good(), counts: counts([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) }, /over-long number/],
    ];
    for (const [name, json, message] of malformed) {
      it(`rejects ${name}`, () => {
        assert.throws(() => NgramModel.fromJSON(json), message);
      });
    }

    it('accepts the hand-made counts those cases break', () => {
      // Order 2, "^" -> {a:1, b:2}: n1 = 1, n2 = 1, so D = 1/3 (n3 = 0: modified KN falls back).
      // Order 1: continuation counts a:1, b:1, n1 = 2, n2 = 0, so D = 1: all mass to the uniform 1/3.
      // P(a|^) = (1 - 1/3)/3 + gamma/3 with gamma = (1/3 + 1/3)/3 = 2/9: 8/27. P(b|^) = 17/27, unknown 2/27.
      const model = NgramModel.fromJSON({ ...good(), chars: ['a', 'b'], counts: counts(handMade) });
      assert.ok(Math.abs(model.probability('', 'a') - 8 / 27) < 1e-12);
      assert.ok(Math.abs(model.probability('', 'b') - 17 / 27) < 1e-12);
      assert.ok(Math.abs(model.distribution('').unknown - 2 / 27) < 1e-12);
      assert.equal(model.toJSON().counts, counts(handMade));
    });
  });

  it('names the index of a character by its code unit, as in its distributions', () => {
    const m = NgramModel.train(['héllo wörld 😀'], { order: 3 });
    for (const ch of ['h', 'é', ' ', 'ö']) assert.equal(m.indexOfUnit(ch.charCodeAt(0)), m.chars.indexOf(ch), ch);
    assert.equal(m.indexOfUnit('z'.charCodeAt(0)), -1);
    // Half of a surrogate pair is no character of its own.
    assert.equal(m.indexOfUnit('😀'.charCodeAt(0)), -1);
  });

  it('rejects bad options and bad characters', () => {
    assert.throws(() => NgramModel.train(['a'], { order: 0 }), /order must be an integer in 1\.\.12/);
    assert.throws(() => NgramModel.train(['a'], { order: 13 }), RangeError);
    assert.throws(() => NgramModel.train(['a'], { smoothing: 'add-one' as 'kn' }), /smoothing must be "kn" or "mkn"/);
    const model = NgramModel.train(['ab']);
    assert.throws(() => model.probability('a', 'ab'), /nextChar must be a single character, got "ab"/);
    assert.throws(() => model.probability('a', ''), RangeError);
    assert.ok(model.probability('a', '😀') > 0);
  });
});
