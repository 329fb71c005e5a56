import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { CompletionEngine } from '../../src/core/completion/engine';
import { PerDocumentEngines, type ServingEngine } from '../../src/core/completion/servingEngine';
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
import { NgramModel } from '../../src/core/ngram/ngram';
import { CharTokenizer, WordTokenizer, type Tokenizer } from '../../src/core/tokenizers';
import { assertNoLeak, useTestBackend } from './tfSetup';

/** A serving engine over `suggest`, which sees the window before the cursor and the expected rest. */
function serving(
  suggest: (prefix: string, expected?: string) => string,
): ServingEngine & { calls: Array<{ prefix: string; expected?: string }> } {
  const calls: Array<{ prefix: string; expected?: string }> = [];
  const engine: CompletionEngine = {
    suggest(prefix, _maxChars, expected) {
      calls.push({ prefix, expected });
      const text = suggest(prefix, expected);
      return Promise.resolve({ text, meanProbability: 1, probability: 1 });
    },
    dispose() {},
  };
  return Object.assign(new PerDocumentEngines('test', 'ngram', 1 << 20, () => engine, 1), { calls });
}

/** Always suggests how the current line of `text` really goes on. */
const oracle = (text: string) => serving((prefix) => text.slice(prefix.length, lineEnd(text, prefix.length)));
const constant = (suggestion: string) => serving(() => suggestion);

describe('evaluation', () => {
  describe('keystroke savings (through the completion controller)', () => {
    it('an engine that always knows the rest of the line: one keystroke per line, one per line break', async () => {
      // "abcdef" accepted (1), \n (1), "xy" accepted (1), \n (1), \n (1), "z" too short to accept (1):
      // 6 keystrokes for 12 characters.
      const text = 'abcdef\nxy\n\nz';
      const r = await keystrokeSavings(oracle(text), [text]);
      assert.equal(r.characters, 12);
      assert.equal(r.keystrokes, 6);
      assert.equal(r.savings, 0.5);
      assert.equal(r.acceptedSuggestions, 2);
      assert.equal(r.acceptedCharacters, 8);
      // Shown: "abcdef", "xy" and "z" (right but too short to be worth a keystroke).
      assert.equal(r.shownSuggestions, 3);
      assert.equal(r.rightSuggestions, 3);
      assert.equal(r.precision, 1);
      assert.equal(r.acceptedCharsPerShown, 8 / 3);
    });

    it('counts characters as code points, and sums over files', async () => {
      const a = '\u{1F600}\u{1F600}ab';
      const b = 'q';
      const ra = await keystrokeSavings(oracle(a), [a]);
      assert.equal(ra.characters, 4);
      assert.equal(ra.keystrokes, 1);
      assert.equal(ra.savings, 0.75);
      const r = await keystrokeSavings(constant(''), [a, b]);
      assert.equal(r.characters, 5);
      assert.equal(r.keystrokes, 5);
      assert.equal(r.savings, 0);
      assert.equal(r.shownSuggestions, 0);
      assert.ok(Number.isNaN(r.precision));
    });

    it('rejects wrong, too short and too long suggestions; a second line is cut as the editor cuts it', async () => {
      const text = 'abc\n';
      assert.equal((await keystrokeSavings(constant('xy'), [text])).keystrokes, 4);
      assert.equal((await keystrokeSavings(constant('a'), [text])).keystrokes, 4);
      assert.equal((await keystrokeSavings(constant('abcd'), [text])).keystrokes, 4);
      assert.equal((await keystrokeSavings(constant('ab'), [text])).keystrokes, 3);
      // seqlab.completions.maxLines 1: "abc\n" is shown as "abc", which is exactly right.
      assert.equal((await keystrokeSavings(constant('abc\n'), [text])).keystrokes, 2);
    });

    it('counts a shown suggestion once while the user types along it, and each wrong one as shown', async () => {
      // "abX" is shown at the start; typing "a" and "b" keeps it on screen (the controller's
      // memory, no model call); at "c" it is gone and the engine has nothing more.
      const text = 'abcd\n';
      const engine = serving((prefix) => (prefix === '' ? 'abX' : ''));
      const r = await keystrokeSavings(engine, [text]);
      assert.equal(r.shownSuggestions, 1);
      assert.equal(r.rightSuggestions, 0);
      assert.equal(r.precision, 0);
      assert.equal(r.keystrokes, 5);
      assert.deepEqual(
        engine.calls.map((c) => c.prefix),
        ['', 'abc', 'abcd'],
      );
      // A constant wrong suggestion is shown anew wherever the typed text leaves it.
      const wrong = await keystrokeSavings(constant('xy'), [text]);
      assert.equal(wrong.shownSuggestions, 5);
      assert.equal(wrong.precision, 0);
    });

    it('passes the rest of the line as the expected text and times the requests that ask the model', async () => {
      let clock = 0;
      const engine = serving(() => {
        clock += 3;
        return 'zz';
      });
      const r = await keystrokeSavings(engine, ['abc\nd'], { now: () => clock });
      assert.deepEqual(
        engine.calls.map((c) => [c.prefix, c.expected]),
        [
          ['', 'abc'],
          ['a', 'bc'],
          ['ab', 'c'],
          ['abc', ''],
          ['abc\n', 'd'],
        ],
      );
      assert.deepEqual(r.latenciesMs, [3, 3, 3, 3, 3]);
    });

    it('applies the controller settings it is given (the mean-probability gate)', async () => {
      const text = 'abcdef\n';
      const r = await keystrokeSavings(oracle(text), [text], { settings: { minConfidence: 1.01 } });
      assert.equal(r.shownSuggestions, 0);
      assert.equal(r.keystrokes, 7);
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
