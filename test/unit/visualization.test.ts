// Data shaping of the Inside the Model view: windowing, token labels, heatmap ranges and unit
// orders, colour scales, PCA, the next-token distribution, gradient-flow curves, training curves.
import * as assert from 'node:assert/strict';
import { buildTokenizer } from '../../src/core/tokenizers';
import { colorTable, parseColor, SCALE_STEPS, sequentialTable, tableIndex } from '../../src/core/visualization/colorScale';
import { entropyBits, sampleIndex, softmaxAt, topK } from '../../src/core/visualization/distribution';
import { clipSeries, decayRatio } from '../../src/core/visualization/gradientFlow';
import {
  matrixFromRows,
  meanOf,
  normalize,
  normalizeMatrix,
  permuteRows,
  transpose,
  unitOrder,
  valueRange,
} from '../../src/core/visualization/heatmap';
import { pca2d } from '../../src/core/visualization/pca';
import { trainingCurves } from '../../src/core/visualization/trainingCurves';
import { shortLabel, tokenSpans, windowTokens } from '../../src/core/visualization/window';

function close(actual: number, expected: number, tolerance = 1e-9, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} is not within ${tolerance} of ${expected}`);
}

describe('visualization: windowing and token labels', () => {
  const char = buildTokenizer('char', ['ab c\n\tx']);

  it('takes the last N tokens before the cursor, with the span each came from', () => {
    const w = windowTokens(char, 'ab c\nab', 4);
    assert.deepEqual(w.labels, ['c', '↵', 'a', 'b']);
    assert.deepEqual(w.ids, char.encode('c\nab'));
    assert.deepEqual(w.starts, [3, 4, 5, 6]);
    assert.deepEqual(w.ends, [4, 5, 6, 7]);
    assert.equal(w.truncated, true);
  });

  it('keeps everything when the text is shorter than the window, and says nothing was cut', () => {
    const w = windowTokens(char, 'ab', 64);
    assert.deepEqual(w.labels, ['a', 'b']);
    assert.equal(w.truncated, false);
    assert.deepEqual(windowTokens(char, '', 8).ids, []);
  });

  it('makes whitespace visible in labels: space ·, newline ↵, tab →; unknown characters as <unk>', () => {
    assert.deepEqual(windowTokens(char, ' \n\tz', 10).labels, ['·', '↵', '→', '<unk>']);
  });

  it('drops the first token of a tail cut out of a longer document (it may be a fragment)', () => {
    const word = buildTokenizer('word', ['function foo() { return foo; }']);
    const full = windowTokens(word, 'function foo', 10, true);
    assert.deepEqual(full.labels, ['function', '·', 'foo']);
    // "nction foo" is the tail of "function foo": its first piece is half a word.
    const tail = windowTokens(word, 'nction foo', 10, false);
    assert.deepEqual(tail.labels, ['·', 'foo']);
    assert.deepEqual(tail.starts, [6, 7]);
    assert.equal(tail.truncated, true);
  });

  it('gives a word tokenizer spelled pieces one span per character, byte tokens the span of their character', () => {
    const word = buildTokenizer('word', ['ab ab']);
    const text = 'abc é';
    const spans = tokenSpans(word, text);
    assert.deepEqual(
      spans.map((s) => s.id),
      word.encode(text),
    );
    // "abc" is not a word of the vocabulary: a, b, c each (c as its one byte); é as two bytes.
    assert.deepEqual(
      spans.map((s) => [s.start, s.end]),
      [
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
        [4, 5],
      ],
    );
    assert.deepEqual(windowTokens(word, text, 2).labels, ['<0xC3>', '<0xA9>']);
  });

  it('spans a character outside the basic plane as one token of two code units', () => {
    const spans = tokenSpans(char, 'a😀b');
    assert.deepEqual(
      spans.map((s) => [s.start, s.end]),
      [
        [0, 1],
        [1, 3],
        [3, 4],
      ],
    );
  });

  it('rejects a window of no tokens and shortens long labels with an ellipsis', () => {
    assert.throws(() => windowTokens(char, 'ab', 0), RangeError);
    assert.equal(shortLabel('function', 4), 'fun…');
    assert.equal(shortLabel('for', 4), 'for');
  });
});

describe('visualization: heatmap shaping', () => {
  it('spans [0, 1] for gates, ±max for signed values, min..max otherwise', () => {
    const values = [-0.5, 0.25, 2];
    assert.deepEqual(valueRange(values, 'unit'), { min: 0, max: 1, diverging: false });
    assert.deepEqual(valueRange(values, 'symmetric'), { min: -2, max: 2, diverging: true });
    assert.deepEqual(valueRange(values, 'minmax'), { min: -0.5, max: 2, diverging: false });
    assert.deepEqual(valueRange([3, 3], 'minmax'), { min: 2.5, max: 3.5, diverging: false });
    assert.deepEqual(valueRange([NaN, Infinity], 'symmetric'), { min: -1, max: 1, diverging: true });
  });

  it('normalises into [0, 1], clamping outside the range', () => {
    const r = { min: -2, max: 2, diverging: true };
    assert.equal(normalize(-2, r), 0);
    assert.equal(normalize(0, r), 0.5);
    assert.equal(normalize(1, r), 0.75);
    assert.equal(normalize(5, r), 1);
    assert.equal(normalize(-5, r), 0);
    assert.ok(Number.isNaN(normalize(NaN, r)));
    assert.deepEqual([...normalizeMatrix(matrixFromRows([[0, 0.5, 1]]), { min: 0, max: 1, diverging: false })], [0, 0.5, 1]);
  });

  it('transposes time × units into units × time and averages heads', () => {
    const m = matrixFromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const t = transpose(m);
    assert.deepEqual([t.rows, t.cols, [...t.data]], [3, 2, [1, 4, 2, 5, 3, 6]]);
    const avg = meanOf([m, matrixFromRows([
      [3, 2, 1],
      [0, 1, 2],
    ])]);
    assert.deepEqual([...avg.data], [2, 2, 2, 2, 3, 4]);
    assert.throws(() => matrixFromRows([[1, 2], [3]]), RangeError);
  });

  it('orders units by index, mean, variance or last value, descending, ties by index', () => {
    // units × time
    const m = matrixFromRows([
      [0, 0, 0], // mean 0, var 0, last 0
      [1, -1, 1], // mean 1/3, var 8/9, last 1
      [0.5, 0.5, 0.5], // mean 0.5, var 0, last 0.5
      [-1, 1, 2], // mean 2/3, var 14/9, last 2
    ]);
    assert.deepEqual(unitOrder(m, 'index'), [0, 1, 2, 3]);
    assert.deepEqual(unitOrder(m, 'mean'), [3, 2, 1, 0]);
    assert.deepEqual(unitOrder(m, 'variance'), [3, 1, 0, 2]);
    assert.deepEqual(unitOrder(m, 'last'), [3, 1, 2, 0]);
    assert.deepEqual([...permuteRows(m, [3, 0]).data], [-1, 1, 2, 0, 0, 0]);
  });
});

describe('visualization: colour scales from theme colours', () => {
  it('parses the colour forms VS Code themes and computed styles use', () => {
    assert.deepEqual(parseColor('#1e1e1e'), { r: 30, g: 30, b: 30, a: 1 });
    assert.deepEqual(parseColor('#fff'), { r: 255, g: 255, b: 255, a: 1 });
    assert.deepEqual(parseColor('#ff000080'), { r: 255, g: 0, b: 0, a: 128 / 255 });
    assert.deepEqual(parseColor('rgb(1, 2, 3)'), { r: 1, g: 2, b: 3, a: 1 });
    assert.deepEqual(parseColor('rgba(10 20 30 / 50%)'), { r: 10, g: 20, b: 30, a: 0.5 });
    assert.equal(parseColor('var(--x)'), undefined);
    assert.equal(parseColor('#12345'), undefined);
  });

  it('runs from the background at 0 to the strong colour at 1', () => {
    const table = sequentialTable({ r: 0, g: 0, b: 0, a: 1 }, { r: 200, g: 100, b: 50, a: 1 });
    assert.equal(table.length, SCALE_STEPS * 4);
    assert.deepEqual([...table.slice(0, 4)], [0, 0, 0, 255]);
    assert.deepEqual([...table.slice(-4)], [200, 100, 50, 255]);
    assert.equal(tableIndex(0), 0);
    assert.equal(tableIndex(1), 255);
    assert.equal(tableIndex(0.5), 128);
    assert.equal(tableIndex(NaN), 0);
    assert.throws(() => colorTable([{ r: 0, g: 0, b: 0, a: 1 }]), RangeError);
  });
});

describe('visualization: PCA to two dimensions', () => {
  it('finds the axes of an axis-aligned cloud: variances 2 and 0.5, 80% and 20% explained', () => {
    // Mean 0; covariance (1/n) XᵀX = diag((4+4)/4, (1+1)/4) = diag(2, 0.5).
    const p = pca2d([2, 0, -2, 0, 0, 1, 0, -1], 4, 2);
    close(p.variances[0], 2, 1e-9, 'λ1');
    close(p.variances[1], 0.5, 1e-9, 'λ2');
    close(p.explained[0], 0.8, 1e-9, 'share 1');
    close(p.explained[1], 0.2, 1e-9, 'share 2');
    const expected = [2, 0, -2, 0, 0, 1, 0, -1];
    expected.forEach((v, i) => close(p.points[i], v, 1e-6, `coordinate ${i}`));
  });

  it('finds the diagonal of a rotated cloud, by hand: C = [[5, 4], [4, 5]], λ = 9 and 1', () => {
    // Points (3,3), (−3,−3), (1,−1), (−1,1) plus an offset (10, −2) that PCA removes.
    // C = (1/4)[[9+9+1+1, 9+9−1−1], …] = [[5, 4], [4, 5]]: eigenvectors (1,1)/√2 (λ 9) and
    // (1,−1)/√2 (λ 1); coordinates are the dot products with them: (3,3) → (6/√2, 0),
    // (1,−1) → (0, 2/√2).
    const raw = [3, 3, -3, -3, 1, -1, -1, 1];
    const shifted = raw.map((v, i) => v + (i % 2 === 0 ? 10 : -2));
    const p = pca2d(shifted, 4, 2);
    close(p.mean[0], 10, 1e-12);
    close(p.mean[1], -2, 1e-12);
    close(p.variances[0], 9, 1e-9, 'λ1');
    close(p.variances[1], 1, 1e-9, 'λ2');
    close(p.explained[0], 0.9, 1e-9);
    const s = Math.SQRT1_2;
    close(p.components[0][0], s, 1e-6);
    close(p.components[0][1], s, 1e-6);
    close(p.components[1][0], s, 1e-6);
    close(p.components[1][1], -s, 1e-6);
    const expected = [6 * s, 0, -6 * s, 0, 0, 2 * s, 0, -2 * s];
    expected.forEach((v, i) => close(p.points[i], v, 1e-6, `coordinate ${i}`));
  });

  it('handles one-wide data and rejects a mis-sized input', () => {
    const p = pca2d([1, 2, 3], 3, 1);
    close(p.variances[0], 2 / 3, 1e-12);
    assert.deepEqual([...p.points], [-1, 0, 0, 0, 1, 0]);
    assert.throws(() => pca2d([1, 2, 3], 2, 2), RangeError);
  });
});

describe('visualization: next-token distribution', () => {
  const logits = [Math.log(1), Math.log(2), Math.log(5)];

  it('is the model distribution at τ = 1, sharper below, flatter above, greedy at 0', () => {
    const p1 = softmaxAt(logits, 1);
    [0.125, 0.25, 0.625].forEach((v, i) => close(p1[i], v, 1e-12));
    // τ = 0.5 squares the odds: 1 : 4 : 25.
    const sharp = softmaxAt(logits, 0.5);
    [1 / 30, 4 / 30, 25 / 30].forEach((v, i) => close(sharp[i], v, 1e-12));
    // τ = 2 takes square roots: 1 : √2 : √5.
    const flat = softmaxAt(logits, 2);
    const z = 1 + Math.SQRT2 + Math.sqrt(5);
    [1 / z, Math.SQRT2 / z, Math.sqrt(5) / z].forEach((v, i) => close(flat[i], v, 1e-12));
    assert.deepEqual([...softmaxAt(logits, 0)], [0, 0, 1]);
    assert.ok(entropyBits(flat) > entropyBits(p1) && entropyBits(p1) > entropyBits(sharp));
  });

  it('ranks the top k and measures entropy in bits', () => {
    assert.deepEqual(topK([0.1, 0.6, 0.3], 2), [
      { index: 1, probability: 0.6 },
      { index: 2, probability: 0.3 },
    ]);
    assert.deepEqual(topK([0.5, 0.5], 5).map((r) => r.index), [0, 1]);
    close(entropyBits([0.25, 0.25, 0.25, 0.25]), 2, 1e-12);
    assert.equal(entropyBits([1, 0]), 0);
  });

  it('samples by inverse CDF', () => {
    const p = [0.2, 0, 0.5, 0.3];
    assert.equal(sampleIndex(p, 0), 0);
    assert.equal(sampleIndex(p, 0.19), 0);
    assert.equal(sampleIndex(p, 0.2), 2);
    assert.equal(sampleIndex(p, 0.69), 2);
    assert.equal(sampleIndex(p, 0.7), 3);
    assert.equal(sampleIndex(p, 0.999999999), 3);
  });
});

describe('visualization: gradient flow and training curves', () => {
  it('clips a curve by its global norm: one scale for every step, shape unchanged', () => {
    assert.deepEqual(clipSeries([3, 4], 10), [3, 4]);
    const clipped = clipSeries([3, 4], 1);
    close(clipped[0], 0.6, 1e-12);
    close(clipped[1], 0.8, 1e-12);
    assert.deepEqual(clipSeries([3, 4], Infinity), [3, 4]);
    close(decayRatio([0.01, 0.1, 1]), 0.01, 1e-12);
    assert.ok(Number.isNaN(decayRatio([1])));
  });

  it('reads curves from a history of evaluations, or the last one, skipping malformed entries', () => {
    const history = trainingCurves({
      history: [
        { step: 20, trainLoss: 2, validationBitsPerChar: 2.5 },
        { step: 10, trainLoss: 3 },
        { step: 'x', trainLoss: 1 },
        null,
        { step: 30, trainLoss: NaN, gradNorm: 0.5 },
      ],
      training: { steps: 30 },
    });
    assert.equal(history.source, 'history');
    assert.equal(history.steps, 30);
    assert.deepEqual(history.curves.trainLoss, [
      { step: 10, value: 3 },
      { step: 20, value: 2 },
    ]);
    assert.deepEqual(history.curves.validationBitsPerChar, [{ step: 20, value: 2.5 }]);
    assert.deepEqual(history.curves.gradNorm, [{ step: 30, value: 0.5 }]);

    const last = trainingCurves({ training: { steps: 2, lastEval: { step: 2, trainLoss: 4.5, validationLoss: 4.4 } } });
    assert.equal(last.source, 'lastEval');
    assert.deepEqual(last.curves.validationLoss, [{ step: 2, value: 4.4 }]);
    assert.deepEqual(trainingCurves({ createdAt: 'now' }), { curves: {}, source: 'none', steps: undefined });
    assert.deepEqual(trainingCurves(null).source, 'none');
  });
});
