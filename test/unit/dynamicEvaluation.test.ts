import * as assert from 'node:assert/strict';
import { OutputAdaptation } from '../../src/core/completion/dynamicEvaluation';

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
