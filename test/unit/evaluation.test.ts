import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { CompletionEngine } from '../../src/core/completionEngine';
import {
  codePointCount,
  isAcceptable,
  keystrokeSavings,
  limitCharacters,
  lineEnd,
  percentile,
  scoreNeural,
  scoreNgram,
} from '../../src/core/evaluation';
import { createModel, presetConfig } from '../../src/core/models';
import { NgramModel } from '../../src/core/ngram';
import { CharTokenizer, WordTokenizer, type Tokenizer } from '../../src/core/tokenizers';
import { assertNoLeak, useTestBackend } from './tfSetup';

/** An engine that knows `text` and always suggests how the current line really goes on. */
function oracle(text: string): CompletionEngine & { calls: Array<{ prefix: string; maxChars?: number; expected?: string }> } {
  const calls: Array<{ prefix: string; maxChars?: number; expected?: string }> = [];
  return {
    calls,
    suggest(prefix, maxChars = Infinity, expected) {
      calls.push({ prefix, maxChars, expected });
      const rest = text.slice(prefix.length, lineEnd(text, prefix.length));
      return { text: rest.slice(0, maxChars), meanProbability: 1 };
    },
    dispose() {},
  };
}

function constant(suggestion: string): CompletionEngine {
  return { suggest: () => ({ text: suggestion, meanProbability: 1 }), dispose() {} };
}

describe('evaluation', () => {
  describe('keystroke savings', () => {
    it('an engine that always knows the rest of the line: one keystroke per line, one per line break', () => {
      // "abcdef" accepted (1), \n (1), "xy" accepted (1), \n (1), \n (1), "z" too short to accept (1):
      // 6 keystrokes for 12 characters.
      const text = 'abcdef\nxy\n\nz';
      const r = keystrokeSavings(oracle(text), [text], { latencySamples: 0 });
      assert.equal(r.characters, 12);
      assert.equal(r.keystrokes, 6);
      assert.equal(r.savings, 0.5);
      assert.equal(r.acceptedSuggestions, 2);
      assert.equal(r.acceptedCharacters, 8);
    });

    it('suggestions are capped at maxSuggestionChars', () => {
      // "abcd", "efgh", "ij" accepted, then \n: 4 keystrokes for 11 characters.
      const text = 'abcdefghij\n';
      const r = keystrokeSavings(oracle(text), [text], { maxSuggestionChars: 4, latencySamples: 0 });
      assert.equal(r.keystrokes, 4);
      assert.equal(r.savings, 1 - 4 / 11);
    });

    it('counts characters as code points, and sums over files', () => {
      const a = '\u{1F600}\u{1F600}ab';
      const b = 'q';
      const ra = keystrokeSavings(oracle(a), [a], { latencySamples: 0 });
      assert.equal(ra.characters, 4);
      assert.equal(ra.keystrokes, 1);
      assert.equal(ra.savings, 0.75);
      const r = keystrokeSavings(constant(''), [a, b], { latencySamples: 0 });
      assert.equal(r.characters, 5);
      assert.equal(r.keystrokes, 5);
      assert.equal(r.savings, 0);
    });

    it('rejects wrong, too short and too long suggestions', () => {
      const text = 'abc\n';
      assert.equal(keystrokeSavings(constant('xy'), [text], { latencySamples: 0 }).keystrokes, 4);
      assert.equal(keystrokeSavings(constant('a'), [text], { latencySamples: 0 }).keystrokes, 4);
      // Exactly the line, then more: not a prefix of the rest of the line.
      assert.equal(keystrokeSavings(constant('abc\n'), [text], { latencySamples: 0 }).keystrokes, 4);
      assert.equal(keystrokeSavings(constant('abcd'), [text], { latencySamples: 0 }).keystrokes, 4);
      assert.equal(keystrokeSavings(constant('ab'), [text], { latencySamples: 0 }).keystrokes, 3);
    });

    it('times evenly spaced full suggestions and passes the rest of the line to the others', () => {
      let clock = 0;
      const calls: Array<{ prefix: string; expected?: string }> = [];
      const engine: CompletionEngine = {
        suggest(prefix, _maxChars, expected) {
          calls.push({ prefix, expected });
          clock += 3;
          return { text: '', meanProbability: 0 };
        },
        dispose() {},
      };
      // 8 characters, 4 samples: every second character; the last position has one character
      // left and is not asked.
      const r = keystrokeSavings(engine, ['abcdefgh'], { latencySamples: 4, now: () => clock });
      assert.deepEqual(r.latenciesMs, [3, 3, 3, 3]);
      assert.deepEqual(
        calls.map((c) => [c.prefix, c.expected]),
        [
          ['', undefined],
          ['a', 'bcdefgh'],
          ['ab', undefined],
          ['abc', 'defgh'],
          ['abcd', undefined],
          ['abcde', 'fgh'],
          ['abcdef', undefined],
        ],
      );
    });

    it('passes maxSuggestionChars to the engine', () => {
      const engine = oracle('abcd');
      keystrokeSavings(engine, ['abcd'], { maxSuggestionChars: 7, latencySamples: 0 });
      assert.deepEqual(engine.calls, [{ prefix: '', maxChars: 7, expected: 'abcd' }]);
    });
  });

  it('helpers: percentile (nearest rank), limitCharacters, lineEnd, isAcceptable, codePointCount', () => {
    assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
    assert.equal(percentile([5, 1, 4, 2, 3], 99), 5);
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(hundred, 50), 50);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));

    assert.deepEqual(limitCharacters(['abc', 'de', 'f'], 4), ['abc', 'd']);
    assert.deepEqual(limitCharacters(['\u{1F600}x'], 1), ['\u{1F600}']);
    assert.deepEqual(limitCharacters(['ab'], 10), ['ab']);

    assert.equal(lineEnd('ab\ncd', 0), 2);
    assert.equal(lineEnd('ab\r\ncd', 1), 2);
    assert.equal(lineEnd('ab\ncd', 3), 5);

    assert.equal(isAcceptable('ab', 'abc'), true);
    assert.equal(isAcceptable('a', 'abc'), false);
    assert.equal(isAcceptable('\u{1F600}', '\u{1F600}x'), false);
    assert.equal(isAcceptable('abd', 'abc'), false);
    assert.equal(codePointCount('a\u{1F600}b'), 3);
  });

  describe('n-gram scores', () => {
    const ngram = NgramModel.train(['abababababab'], { order: 3 });

    it('bits per character equal the model’s own, top-1 counts exact next-character hits', () => {
      const texts = ['abab', 'abba'];
      const s = scoreNgram(ngram, texts);
      assert.ok(Math.abs(s.bitsPerChar - ngram.bitsPerChar(texts)) < 1e-12);
      // abab: a b a b all predicted; abba: a ✓, b ✓, b ✗ (after "ab" comes a), a ✓ (after "bb": a).
      assert.equal(s.top1Accuracy, 7 / 8);
      assert.equal(s.scoredCharacters, 8);
      assert.equal(s.top1Positions, 8);
    });

    it('an unseen character is scored with the unknown mass and never counts as a hit', () => {
      const s = scoreNgram(ngram, ['az']);
      assert.equal(s.top1Accuracy, 1 / 2);
      assert.ok(Math.abs(s.bitsPerChar - ngram.bitsPerChar(['az'])) < 1e-12);
    });
  });

  describe('neural scores', () => {
    before(useTestBackend);

    /** Reference: one forward pass over each whole text. */
    function reference(model: ReturnType<typeof createModel>, tokenizer: Tokenizer, texts: string[]) {
      let nats = 0;
      let chars = 0;
      let hits = 0;
      let positions = 0;
      for (const text of texts) {
        const ids = tokenizer.encode(text);
        const rows = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).arraySync()[0]);
        let offset = [...tokenizer.decode(ids.slice(0, 1))].length;
        for (let t = 0; t + 1 < ids.length; t++) {
          const row = rows[t];
          const max = Math.max(...row);
          const lse = max + Math.log(row.reduce((s, z) => s + Math.exp(z - max), 0));
          nats += lse - row[ids[t + 1]];
          const targetChars = [...tokenizer.decode([ids[t + 1]])].length;
          chars += targetChars;
          const best = row.indexOf(max);
          positions++;
          if ([...tokenizer.decode([best])][0] === [...text][offset]) hits++;
          offset += targetChars;
        }
      }
      return { bitsPerChar: nats / chars / Math.LN2, top1: hits / positions, chars, positions };
    }

    for (const kind of ['char', 'word'] as const) {
      it(`${kind} model: stepping through each file equals a full forward pass`, async () => {
        const corpus = ['const a = b + c;\nreturn a;\n', 'let x = a;\n'];
        const tokenizer = kind === 'char' ? CharTokenizer.build(corpus) : WordTokenizer.build(corpus);
        const model = createModel(presetConfig('gru', 'nano', tokenizer.vocabSize, { seed: 9 }));
        try {
          const texts = ['const x = a + b;\n', 'return c;'];
          const s = await assertNoLeak(() => scoreNeural(model, tokenizer, texts));
          const r = reference(model, tokenizer, texts);
          assert.ok(Math.abs(s.bitsPerChar - r.bitsPerChar) < 1e-4, `${s.bitsPerChar} vs ${r.bitsPerChar}`);
          assert.equal(s.top1Accuracy, r.top1);
          assert.equal(s.scoredCharacters, r.chars);
          assert.equal(s.top1Positions, r.positions);
          // Every character but each file's first token is scored.
          const firstTokenChars = texts.reduce((n, t) => n + [...tokenizer.decode(tokenizer.encode(t).slice(0, 1))].length, 0);
          assert.equal(s.scoredCharacters, texts.join('').length - firstTokenChars);
        } finally {
          model.dispose();
        }
      });
    }
  });
});
