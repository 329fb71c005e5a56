import * as assert from 'node:assert/strict';
import { CharTokenizer, UNK_ID, UNK_REPLACEMENT } from '../../src/core/tokenizers/charTokenizer';
import { countCodePoints, splitCodePoints } from '../../src/core/tokenizers/codePoints';
import { showWhitespace } from '../../src/core/tokenizers/showWhitespace';
import { buildTokenizer, tokenizerFromJson, tokenLabel, type Tokenizer } from '../../src/core/tokenizers';
import { seededRandom } from './support/numeric';

/** Seeded PRNG (mulberry32), so that a failing case can be reproduced. */

function tokensOf(tokenizer: Tokenizer, text: string): string[] {
  return tokenizer.encode(text).map((id) => tokenizer.tokenText(id));
}

describe('char tokenizer', () => {
  // Counts: a 3, b 3, c 1, \n 1. Frequency first, ties by code point: \n < a < b.
  // Ids: 0 <unk>, 1 a, 2 b, 3 \n, 4 c.
  const corpus = ['abab', 'ab\nc'];

  it('orders the vocabulary by frequency, ties by code point, <unk> at 0', () => {
    const tokenizer = buildTokenizer('char', corpus);
    assert.equal(tokenizer.kind, 'char');
    assert.equal(tokenizer.vocabSize, 5);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((id) => tokenizer.tokenText(id)),
      ['<unk>', 'a', 'b', '\n', 'c'],
    );
  });

  const table: { text: string; tokens: string[]; ids: number[]; decoded: string }[] = [
    { text: '', tokens: [], ids: [], decoded: '' },
    { text: 'cab', tokens: ['c', 'a', 'b'], ids: [4, 1, 2], decoded: 'cab' },
    { text: 'a\nb', tokens: ['a', '\n', 'b'], ids: [1, 3, 2], decoded: 'a\nb' },
    // Unseen characters become <unk> and cannot come back: decode gives U+FFFD.
    { text: 'a z', tokens: ['a', '<unk>', '<unk>'], ids: [1, 0, 0], decoded: 'a\uFFFD\uFFFD' },
    { text: 'b😀', tokens: ['b', '<unk>'], ids: [2, 0], decoded: 'b\uFFFD' },
  ];
  for (const { text, tokens, ids, decoded } of table) {
    it(`encodes ${JSON.stringify(text)} as ${JSON.stringify(tokens)}`, () => {
      const tokenizer = buildTokenizer('char', corpus);
      assert.deepEqual(tokensOf(tokenizer, text), tokens);
      assert.deepEqual(tokenizer.encode(text), ids);
      assert.equal(tokenizer.decode(ids), decoded);
    });
  }

  it('ascii(): tab, newline and printable ASCII whatever the text; anything else is <unk>', () => {
    const t = CharTokenizer.ascii();
    assert.equal(t.vocabSize, 98);
    const code = 'if (a[i] !== "~") {\n\treturn `${b}`;\n}';
    assert.equal(t.decode(t.encode(code)), code);
    assert.deepEqual(t.encode('é\r→'), [UNK_ID, UNK_ID, UNK_ID]);
    assert.deepEqual(t.encode('\t\n ~'), [1, 2, 3, 97]);
    assert.deepEqual(tokenizerFromJson(JSON.parse(JSON.stringify(t.toJSON()))).encode(code), t.encode(code));
  });

  it('treats an astral character as one token, not two surrogates', () => {
    // 😀 twice: id 1; then x (U+78) before 𝔘 (U+1D518).
    const tokenizer = buildTokenizer('char', ['𝔘😀😀x']);
    assert.equal(tokenizer.vocabSize, 4);
    assert.deepEqual(tokensOf(tokenizer, '😀𝔘x'), ['😀', '𝔘', 'x']);
    assert.deepEqual(tokenizer.encode('😀𝔘x'), [1, 3, 2]);
    assert.equal(tokenizer.decode([1, 3, 2]), '😀𝔘x');
  });

  it('breaks ties by code point, not by UTF-16 unit', () => {
    // U+FFFF < U+1D518 (𝔘) as code points, though 𝔘's first unit 0xD835 is below 0xFFFF.
    const tokenizer = buildTokenizer('char', ['𝔘\uFFFF']);
    assert.deepEqual([1, 2].map((id) => tokenizer.tokenText(id)), ['\uFFFF', '𝔘']);
  });

  it('gives a lone surrogate a token of its own', () => {
    const tokenizer = buildTokenizer('char', ['a\uD800b']);
    assert.deepEqual(tokenizer.encode('\uD800ab'), [3, 1, 2]);
    assert.equal(tokenizer.decode([3, 1, 2]), '\uD800ab');
  });

  it('keeps only the most frequent characters under maxVocab, <unk> included', () => {
    const tokenizer = buildTokenizer('char', ['aaabbc'], { maxVocab: 3 });
    assert.equal(tokenizer.vocabSize, 3);
    assert.deepEqual(tokenizer.encode('abc'), [1, 2, UNK_ID]);
    assert.equal(buildTokenizer('char', ['aaabbc'], { maxVocab: 1 }).vocabSize, 1);
  });

  it('rejects a maxVocab that is not a whole number >= 1', () => {
    assert.throws(() => buildTokenizer('char', ['a'], { maxVocab: 0 }), RangeError);
    assert.throws(() => buildTokenizer('char', ['a'], { maxVocab: 2.5 }), RangeError);
  });

  it('round-trips any string made of vocabulary characters', () => {
    const alphabet = splitCodePoints('ab \n\t{}();=>😀𝔘变量\r\uDC00');
    const tokenizer = buildTokenizer('char', [alphabet.join('')]);
    const random = seededRandom(7);
    for (let n = 0; n < 300; n++) {
      let text = '';
      const length = Math.floor(random() * 30);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      // The alphabet's only lone surrogate is a low one and no character ends in a lone
      // high one, so concatenation never fuses two entries into a pair.
      const ids = tokenizer.encode(text);
      assert.equal(ids.length, countCodePoints(text), JSON.stringify(text));
      assert.ok(!ids.includes(UNK_ID), JSON.stringify(text));
      assert.equal(tokenizer.decode(ids), text);
    }
  });

  it('restores an equal tokenizer from its JSON', () => {
    const tokenizer = buildTokenizer('char', ['hello wörld 😀', '\uD800']);
    const json = JSON.parse(JSON.stringify(tokenizer.toJSON()));
    assert.deepEqual(json, { kind: 'char', version: 1, chars: ['l', ' ', 'd', 'e', 'h', 'o', 'r', 'w', 'ö', '\uD800', '😀'] });
    const restored = tokenizerFromJson(json);
    assert.ok(restored instanceof CharTokenizer);
    const text = 'hello 😀 \uD800 xyz';
    assert.deepEqual(restored.encode(text), tokenizer.encode(text));
    assert.equal(restored.vocabSize, tokenizer.vocabSize);
  });

  const malformed: { json: unknown; message: RegExp }[] = [
    { json: null, message: /expected an object, got null/ },
    { json: [], message: /expected an object, got an array/ },
    { json: { kind: 'bpe', version: 1 }, message: /"kind" must be "char" or "word", got "bpe"/ },
    { json: { kind: 'char', version: 2, chars: [] }, message: /unsupported version 2/ },
    { json: { kind: 'char', version: 1 }, message: /"chars" must be an array of strings/ },
    { json: { kind: 'char', version: 1, chars: ['a', 3] }, message: /"chars\[1\]" must be a string, got number/ },
    { json: { kind: 'char', version: 1, chars: ['a', 'bc'] }, message: /"chars\[1\]" must be a single character, got "bc"/ },
    { json: { kind: 'char', version: 1, chars: ['a', ''] }, message: /"chars\[1\]" must be a single character/ },
    { json: { kind: 'char', version: 1, chars: ['a', 'b', 'a'] }, message: /"chars\[2\]" repeats "a"/ },
  ];
  for (const { json, message } of malformed) {
    it(`rejects malformed JSON ${JSON.stringify(json)}`, () => {
      assert.throws(() => tokenizerFromJson(json), message);
    });
  }

  it('throws a RangeError for an id outside the vocabulary', () => {
    const tokenizer = buildTokenizer('char', corpus);
    assert.throws(() => tokenizer.decode([5]), /token id 5 is outside the vocabulary \(0\.\.4\)/);
    assert.throws(() => tokenizer.tokenText(-1), RangeError);
    assert.throws(() => tokenizer.decode([1.5]), RangeError);
  });

  it('decodes <unk> to the replacement character', () => {
    assert.equal(UNK_REPLACEMENT, '\uFFFD');
    assert.equal(buildTokenizer('char', []).decode([UNK_ID, UNK_ID]), '\uFFFD\uFFFD');
  });

  it('rejects an unknown kind', () => {
    assert.throws(() => buildTokenizer('bpe' as 'char', []), /Unknown tokenizer kind "bpe"/);
  });

  it('labels whitespace visibly for display', () => {
    const tokenizer = buildTokenizer('char', [' \n\ta']);
    assert.deepEqual(
      tokenizer.encode(' \n\ta').map((id) => tokenLabel(tokenizer, id)),
      ['·', '↵', '→', 'a'],
    );
    assert.equal(showWhitespace('a b\t\r\n\u0001\u007f\uD800😀'), 'a·b→␍↵\\u{1}\\u{7F}\\u{D800}😀');
  });

  it('counts characters as code points (for bits per character)', () => {
    assert.equal(countCodePoints(''), 0);
    assert.equal(countCodePoints('a😀\r\n𝔘'), 5);
    assert.equal(countCodePoints('\uD800\uD800\uDC00'), 2);
    assert.equal(countCodePoints('\uDC00\uD800'), 2);
  });
});
