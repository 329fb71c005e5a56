import * as assert from 'node:assert/strict';
import { decodeBytes } from '../../src/core/tokenizers/byteFallback';
import { preTokenize } from '../../src/core/tokenizers/preTokenize';
import { buildTokenizer, tokenizerFromJson, tokenLabel, type Tokenizer } from '../../src/core/tokenizers';
import { WordTokenizer } from '../../src/core/tokenizers/wordTokenizer';
import { seededRandom } from './support/numeric';

/** Seeded PRNG (mulberry32), so that a failing case can be reproduced. */

function tokensOf(tokenizer: Tokenizer, text: string): string[] {
  return tokenizer.encode(text).map((id) => tokenizer.tokenText(id));
}

describe('code-aware pre-tokenization', () => {
  const table: [string, string[]][] = [
    ['const x = a === b;', ['const', ' ', 'x', ' ', '=', ' ', 'a', ' ', '===', ' ', 'b', ';']],
    ['(a) => a && b::c->d += 1', ['(', 'a', ')', ' ', '=>', ' ', 'a', ' ', '&&', ' ', 'b', '::', 'c', '->', 'd', ' ', '+=', ' ', '1']],
    ['x!==y??z?.w', ['x', '!==', 'y', '??', 'z', '?.', 'w']],
    ['a>>>=b...c**d', ['a', '>>>=', 'b', '...', 'c', '**', 'd']],
    ['line1\r\nline2\n\n  x\r', ['line1', '\r\n', 'line2', '\n', '\n', '  ', 'x', '\r']],
    ['\t\t// note', ['\t\t', '//', ' ', 'note']],
    ['café naïve_x $el 变量 _private1', ['café', ' ', 'naïve_x', ' ', '$el', ' ', '变量', ' ', '_private1']],
    ['0x1F 3.14e-2 1_000n 0b101 42px', ['0x1F', ' ', '3.14e-2', ' ', '1_000n', ' ', '0b101', ' ', '42', 'px']],
    // An emoji is a symbol on its own; 𝔘 is an (astral) letter, so part of an identifier.
    ['a😀𝔘b', ['a', '😀', '𝔘b']],
    ['"s"+\'t\'', ['"', 's', '"', '+', "'", 't', "'"]],
    ['x\uD800y', ['x', '\uD800', 'y']],
    ['', []],
  ];
  for (const [text, pieces] of table) {
    it(`splits ${JSON.stringify(text)}`, () => {
      assert.deepEqual(preTokenize(text), pieces);
    });
  }
});

describe('word tokenizer', () => {
  // Character counts: ' ' 6; '\n' ';' '=' c n o s t x 2 each; '1' 'y' 1 each. Frequency first,
  // ties by code point: ids 256 ' ', 257 '\n', 258 ';', 259 '=', 260 c, 261 n, 262 o, 263 s,
  // 264 t, 265 x, 266 '1', 267 y. The only multi-character piece is "const": id 268.
  const corpus = ['const x = 1;\n', 'const y = x;\n'];

  it('lays out bytes, then characters, then words', () => {
    const tokenizer = buildTokenizer('word', corpus);
    assert.equal(tokenizer.kind, 'word');
    assert.equal(tokenizer.vocabSize, 269);
    assert.deepEqual(
      [0, 97, 255, 256, 257, 258, 259, 260, 265, 266, 267, 268].map((id) => tokenizer.tokenText(id)),
      ['<0x00>', '<0x61>', '<0xFF>', ' ', '\n', ';', '=', 'c', 'x', '1', 'y', 'const'],
    );
  });

  const table: { text: string; tokens: string[]; ids: number[] }[] = [
    { text: '', tokens: [], ids: [] },
    {
      text: 'const z = x;\n',
      tokens: ['const', ' ', '<0x7A>', ' ', '=', ' ', 'x', ';', '\n'],
      ids: [268, 256, 0x7a, 256, 259, 256, 265, 258, 257],
    },
    // An unknown word is spelled with character tokens; 'a' was never seen: a byte.
    { text: 'constant', tokens: ['c', 'o', 'n', 's', 't', '<0x61>', 'n', 't'], ids: [260, 262, 261, 263, 264, 0x61, 261, 264] },
    { text: 'é', tokens: ['<0xC3>', '<0xA9>'], ids: [0xc3, 0xa9] },
    { text: '😀', tokens: ['<0xF0>', '<0x9F>', '<0x98>', '<0x80>'], ids: [0xf0, 0x9f, 0x98, 0x80] },
    { text: 'x\r\n', tokens: ['x', '<0x0D>', '\n'], ids: [265, 0x0d, 257] },
    // A lone surrogate: its generalised UTF-8 bytes ED A0 80.
    { text: '\uD800;', tokens: ['<0xED>', '<0xA0>', '<0x80>', ';'], ids: [0xed, 0xa0, 0x80, 258] },
  ];
  for (const { text, tokens, ids } of table) {
    it(`encodes ${JSON.stringify(text)} as ${JSON.stringify(tokens)}`, () => {
      const tokenizer = buildTokenizer('word', corpus);
      assert.deepEqual(tokensOf(tokenizer, text), tokens);
      assert.deepEqual(tokenizer.encode(text), ids);
      assert.equal(tokenizer.decode(ids), text);
    });
  }

  it('makes CRLF, indentation and operators single tokens when frequent', () => {
    const tokenizer = buildTokenizer('word', ['if (a === b) {\r\n    f();\r\n}\r\n', 'x === y\r\n    ']);
    assert.deepEqual(tokensOf(tokenizer, '\r\n    a === b'), ['\r\n', '    ', 'a', ' ', '===', ' ', 'b']);
    assert.equal(tokenizer.decode(tokenizer.encode('\r\n    a === b')), '\r\n    a === b');
  });

  it('orders words by frequency, ties by code unit', () => {
    const tokenizer = buildTokenizer('word', ['foo bar foo baz foo bar qux']) as WordTokenizer;
    assert.deepEqual(tokenizer.toJSON().words, ['foo', 'bar', 'baz', 'qux']);
  });

  it('caps the vocabulary: bytes always, then characters, then words', () => {
    const text = 'foo bar foo baz foo bar';
    // Characters: ' ' 5, o 6, a 3, b 3, f 3, r 2, z 1 (7 of them).
    assert.deepEqual(buildTokenizer('word', [text], { maxVocab: 259 }).toJSON(), {
      kind: 'word', version: 1, chars: ['o', ' ', 'a'], words: [],
    });
    assert.deepEqual(buildTokenizer('word', [text], { maxVocab: 256 + 7 + 2 }).toJSON(), {
      kind: 'word', version: 1, chars: ['o', ' ', 'a', 'b', 'f', 'r', 'z'], words: ['foo', 'bar'],
    });
    const capped = buildTokenizer('word', [text], { maxVocab: 259 });
    assert.equal(capped.vocabSize, 259);
    assert.equal(capped.decode(capped.encode('fizz buzz')), 'fizz buzz');
    assert.throws(() => buildTokenizer('word', [text], { maxVocab: 255 }), /maxVocab must be an integer >= 256/);
  });

  it('round-trips every string exactly (seeded property test)', () => {
    const pools = [
      'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
      ' \t\n\r',
      '{}()[];,.:=+-*/%<>!&|?^~"\'`#@\\$_',
    ];
    const fragments = ['\r\n', '    ', '===', '=>', '&&', '::', '->', '+=', 'function', 'const', '😀', '𝔘', '变量', 'naïve', '\u0000', '\uFEFF'];
    const tokenizers = [
      buildTokenizer('word', []),
      buildTokenizer('word', ['function f(a, b) {\r\n    return a === b && c;\r\n}\n', 'const 变量 = "😀";\n'], { maxVocab: 300 }),
      buildTokenizer('word', ['x => x + 1; 𝔘 naïve\t\t\n'.repeat(3)]),
    ];
    const random = seededRandom(20240601);
    const pick = <T>(items: ArrayLike<T>): T => items[Math.floor(random() * items.length)];
    let cases = 0;
    for (let n = 0; n < 600; n++) {
      let text = '';
      const parts = Math.floor(random() * 25);
      for (let p = 0; p < parts; p++) {
        const kind = random();
        if (kind < 0.45) text += pick(pick(pools));
        else if (kind < 0.7) text += pick(fragments);
        else if (kind < 0.85) text += String.fromCharCode(Math.floor(random() * 0x10000)); // any code unit, surrogates too
        else text += String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff)); // any astral code point
      }
      for (const tokenizer of tokenizers) {
        const ids = tokenizer.encode(text);
        assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id < tokenizer.vocabSize));
        assert.equal(tokenizer.decode(ids), text, `case ${n}: ${JSON.stringify(text)}`);
        cases++;
      }
    }
    assert.equal(cases, 1800);
  });

  it('decodes a byte sequence that is not UTF-8 to replacement characters', () => {
    const tokenizer = buildTokenizer('word', []);
    assert.equal(tokenizer.decode([0xc3]), '\uFFFD');
    assert.equal(tokenizer.decode([0xff, 0x41]), '\uFFFDA');
    assert.equal(tokenizer.decode([0xe0, 0x80, 0x80]), '\uFFFD\uFFFD\uFFFD'); // overlong
    assert.equal(decodeBytes([0xf0, 0x9f, 0x98]), '\uFFFD\uFFFD\uFFFD'); // truncated
    assert.equal(decodeBytes([0xed, 0xb0, 0x80, 0xed, 0xa0, 0x80]), '\uDC00\uD800');
  });

  it('keeps bytes split around another token as separate characters', () => {
    const tokenizer = buildTokenizer('word', ['x']);
    const x = tokenizer.encode('x')[0];
    assert.equal(tokenizer.decode([0xc3, 0xa9, x, 0xc3, 0xa9]), 'éxé');
    assert.equal(tokenizer.decode([0xc3, x, 0xa9]), '\uFFFDx\uFFFD');
  });

  it('restores an equal tokenizer from its JSON', () => {
    const tokenizer = buildTokenizer('word', ['let x = 1;\r\nlet y = x => x;\n😀\uD800']);
    const json = JSON.parse(JSON.stringify(tokenizer.toJSON()));
    const restored = tokenizerFromJson(json);
    assert.ok(restored instanceof WordTokenizer);
    assert.deepEqual(restored.toJSON(), tokenizer.toJSON());
    const text = 'let z = y => 😀\uD800;\r\n';
    assert.deepEqual(restored.encode(text), tokenizer.encode(text));
    assert.equal(restored.decode(restored.encode(text)), text);
  });

  const malformed: { json: unknown; message: RegExp }[] = [
    { json: 'word', message: /expected an object, got string/ },
    { json: { kind: 'word', version: 1, chars: [] }, message: /"words" must be an array of strings/ },
    { json: { kind: 'word', version: 0, chars: [], words: [] }, message: /unsupported version 0/ },
    { json: { kind: 'word', version: 1, chars: ['ab'], words: [] }, message: /"chars\[0\]" must be a single character, got "ab"/ },
    { json: { kind: 'word', version: 1, chars: [], words: ['ok', 'x'] }, message: /"words\[1\]" must be at least two characters, got "x"/ },
    { json: { kind: 'word', version: 1, chars: [], words: ['😀'] }, message: /"words\[0\]" must be at least two characters/ },
    { json: { kind: 'word', version: 1, chars: [], words: ['if', 'if'] }, message: /"words\[1\]" repeats "if"/ },
  ];
  for (const { json, message } of malformed) {
    it(`rejects malformed JSON ${JSON.stringify(json)}`, () => {
      assert.throws(() => tokenizerFromJson(json), message);
    });
  }

  it('throws a RangeError for an id outside the vocabulary', () => {
    const tokenizer = buildTokenizer('word', corpus);
    assert.throws(() => tokenizer.decode([269]), /token id 269 is outside the vocabulary \(0\.\.268\)/);
    assert.throws(() => tokenizer.tokenText(-1), RangeError);
  });

  it('labels tokens with whitespace made visible', () => {
    const tokenizer = buildTokenizer('word', ['\r\n    x\r\n    ']);
    assert.deepEqual(
      tokenizer.encode('\r\n    x').map((id) => tokenLabel(tokenizer, id)),
      ['␍↵', '····', 'x'],
    );
  });
});
