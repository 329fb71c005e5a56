import * as assert from 'node:assert/strict';
import { createRng } from '../../src/core/random';
import { splitCorpus, TokenStream, type Document } from '../../src/core/training/tokenStream';

/** Document i holds tokens 1000·i + position, so every token says where it came from. */
function docs(lengths: number[]): Document[] {
  return lengths.map((n, i) => ({ name: `file${i}.txt`, tokens: Array.from({ length: n }, (_, p) => 1000 * i + p) }));
}

describe('token stream', () => {
  it('draws windows that never span two files and are consecutive within one', () => {
    const stream = new TokenStream(docs([50, 7, 200, 12]), 8);
    const rng = createRng(3);
    for (let k = 0; k < 200; k++) {
      const batch = stream.sampleBatch(rng, 4);
      for (let b = 0; b < 4; b++) {
        const row = (arr: ArrayLike<number>) => Array.from(arr).slice(b * 8, b * 8 + 8);
        const inputs = row(batch.inputs);
        const targets = row(batch.targets);
        const weights = row(batch.weights);
        const real = weights.filter((w) => w === 1).length;
        assert.ok(real >= 1);
        assert.deepEqual(weights, [...Array(real).fill(1), ...Array(8 - real).fill(0)]);
        const file = Math.floor(inputs[0] / 1000);
        for (let t = 0; t < real; t++) {
          assert.equal(Math.floor(inputs[t] / 1000), file, 'input from one file');
          assert.equal(Math.floor(targets[t] / 1000), file, 'target from the same file');
          assert.equal(targets[t], inputs[t] + 1, 'target is the next token');
          if (t > 0) assert.equal(inputs[t], inputs[t - 1] + 1);
        }
        // Only files shorter than a window are padded.
        const length = [50, 7, 200, 12][file];
        assert.equal(real, Math.min(8, length - 1));
        for (let t = real; t < 8; t++) assert.equal(inputs[t], 0);
      }
    }
  });

  it('draws every start position uniformly', () => {
    const lengths = [20, 5, 60];
    const T = 4;
    const stream = new TokenStream(docs(lengths), T);
    // Starts per file: 16, 1 (padded), 56 → 73 positions.
    assert.equal(stream.windowPositions, 73);
    const rng = createRng(11);
    const n = 73 * 400;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const w = stream.sampleWindow(rng);
      assert.ok(w.start >= 0 && w.start + w.targets < lengths[w.doc]);
      const key = w.doc * 1000 + w.start;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.equal(counts.size, 73);
    let chi2 = 0;
    for (const c of counts.values()) chi2 += (c - 400) ** 2 / 400;
    // 72 degrees of freedom: P(χ² > 116.1) ≈ 0.001.
    assert.ok(chi2 < 116.1, `chi-square ${chi2.toFixed(1)}`);
  });

  it('is reproducible from its seed', () => {
    const stream = new TokenStream(docs([100, 40]), 6);
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 5 }, () => Array.from(stream.sampleBatch(rng, 3).inputs));
    };
    assert.deepEqual(draw(5), draw(5));
    assert.notDeepEqual(draw(5), draw(6));
  });

  it('covering windows cover every target exactly once', () => {
    const lengths = [23, 2, 9, 1];
    const stream = new TokenStream(docs(lengths), 5);
    assert.equal(stream.docs.length, 3, 'a one-token file is dropped');
    assert.equal(stream.targetCount, 22 + 1 + 8);
    const windows = stream.coveringWindows();
    const batch = stream.pack(windows);
    const seen: number[] = [];
    for (let i = 0; i < batch.targets.length; i++) if (batch.weights[i] === 1) seen.push(batch.targets[i]);
    const expected = [
      ...Array.from({ length: 22 }, (_, p) => p + 1),
      1001,
      ...Array.from({ length: 8 }, (_, p) => 2001 + p),
    ];
    assert.deepEqual(seen.sort((a, b) => a - b), expected);
    assert.equal(batch.targetCount, expected.length);
    // 5 + 1 + 2 windows; thinned evenly to 4: indices 0, 2, 4, 6.
    assert.equal(windows.length, 8);
    assert.deepEqual(stream.coveringWindows(4), [windows[0], windows[2], windows[4], windows[6]]);
  });
});

describe('train/validation split', () => {
  const corpus = docs([100, 120, 80, 90, 110, 95, 105, 100, 85, 115]);

  it('splits by whole file, deterministically, at most the fraction of tokens', () => {
    const a = splitCorpus(corpus, { validationFraction: 0.2, seed: 1 });
    const b = splitCorpus(corpus, { validationFraction: 0.2, seed: 1 });
    assert.equal(a.splitBy, 'file');
    assert.deepEqual(a.validation.map((d) => d.name), b.validation.map((d) => d.name));
    assert.ok(a.validation.length >= 1 && a.train.length >= 1);
    assert.equal(a.train.length + a.validation.length, corpus.length);
    const names = new Set(a.train.map((d) => d.name));
    for (const d of a.validation) assert.ok(!names.has(d.name), 'a file is on one side only');
    const valTokens = a.validation.reduce((s, d) => s + d.tokens.length, 0);
    assert.ok(valTokens <= 0.2 * 1000 && valTokens >= 100, `validation tokens ${valTokens}`);
    // Files are kept whole (same token arrays).
    for (const d of a.validation) assert.equal(d, corpus.find((c) => c.name === d.name));
  });

  it('does not depend on the order of the files, but on the seed', () => {
    const forward = splitCorpus(corpus, { seed: 4 }).validation.map((d) => d.name).sort();
    const backward = splitCorpus([...corpus].reverse(), { seed: 4 }).validation.map((d) => d.name).sort();
    assert.deepEqual(forward, backward);
    const seeds = new Set(Array.from({ length: 8 }, (_, s) => splitCorpus(corpus, { seed: s }).validation.map((d) => d.name).join()));
    assert.ok(seeds.size > 1, 'different seeds hold out different files');
  });

  it('holds out at least one file even when every file exceeds the fraction', () => {
    const split = splitCorpus(docs([500, 300, 400]), { validationFraction: 0.1 });
    assert.equal(split.validation.length, 1);
    assert.equal(split.validation[0].tokens.length, 300, 'the smallest file');
    assert.equal(split.train.length, 2);
  });

  it('cuts a single file by position: training is its start, validation its end', () => {
    const [doc] = docs([100]);
    const split = splitCorpus([doc, { name: 'empty', tokens: [] }], { validationFraction: 0.1 });
    assert.equal(split.splitBy, 'position');
    assert.deepEqual(Array.from(split.train[0].tokens), Array.from({ length: 90 }, (_, p) => p));
    assert.deepEqual(Array.from(split.validation[0].tokens), Array.from({ length: 10 }, (_, p) => 90 + p));
  });

  it('rejects corpora with nothing to train on', () => {
    assert.throws(() => splitCorpus([{ tokens: [1] }]), /at least 2 tokens/);
    assert.throws(() => splitCorpus(corpus, { validationFraction: 1 }), /validationFraction/);
  });
});
