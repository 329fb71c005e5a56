import * as assert from 'node:assert/strict';
import { learningRateAt } from '../../src/core/training/learningRate';

describe('learning-rate schedule', () => {
  const schedule = { peak: 1e-3, warmupSteps: 10, decaySteps: 110, min: 1e-4 };

  it('warms up linearly to the peak', () => {
    assert.equal(learningRateAt(0, schedule), 1e-4);
    assert.equal(learningRateAt(4, schedule), 5e-4);
    assert.equal(learningRateAt(9, schedule), 1e-3);
  });

  it('decays along a cosine from peak to min', () => {
    assert.equal(learningRateAt(10, schedule), 1e-3);
    // Halfway through the decay: cos(π/2) = 0, so the midpoint of peak and min.
    assert.ok(Math.abs(learningRateAt(60, schedule) - 5.5e-4) < 1e-15);
    // A quarter: min + ½(1 + cos(π/4))(peak − min).
    const quarter = 1e-4 + 0.5 * (1 + Math.SQRT1_2) * 9e-4;
    assert.ok(Math.abs(learningRateAt(35, schedule) - quarter) < 1e-15);
    assert.equal(learningRateAt(110, schedule), 1e-4);
    assert.equal(learningRateAt(1000, schedule), 1e-4);
  });

  it('decreases monotonically after warm-up', () => {
    for (let s = 10; s < 120; s++) assert.ok(learningRateAt(s + 1, schedule) <= learningRateAt(s, schedule));
  });

  it('stays at the peak when the end is unknown, and defaults min to peak/10', () => {
    assert.equal(learningRateAt(5000, { peak: 2e-3, warmupSteps: 5 }), 2e-3);
    assert.equal(learningRateAt(0, { peak: 2e-3 }), 2e-3);
    assert.ok(Math.abs(learningRateAt(100, { peak: 2e-3, decaySteps: 100 }) - 2e-4) < 1e-18);
  });

  it('holds the peak for the stable share (decayFrom), then runs the whole cosine over the rest', () => {
    const wsd = { ...schedule, decayFrom: 0.5 };
    assert.equal(learningRateAt(60, wsd), 1e-3, 'halfway from warm-up to the end: still the peak');
    // Three quarters of the way = half of the decay: the midpoint of peak and min.
    assert.ok(Math.abs(learningRateAt(85, wsd) - 5.5e-4) < 1e-15);
    assert.equal(learningRateAt(110, wsd), 1e-4);
    const timed = { peak: 1e-3, warmupSteps: 10, decayMs: 60_000, min: 1e-4, decayFrom: 0.75 };
    assert.equal(learningRateAt(500, timed, 30_000), 1e-3);
    assert.ok(Math.abs(learningRateAt(500, timed, 52_500) - 5.5e-4) < 1e-15);
    assert.equal(learningRateAt(500, timed, 60_000), 1e-4);
  });

  it('decays over training time when the budget is a time (decayMs), after the warm-up in steps', () => {
    const timed = { peak: 1e-3, warmupSteps: 10, decayMs: 60_000, min: 1e-4 };
    assert.equal(learningRateAt(4, timed, 30_000), 5e-4, 'warm-up still counts steps');
    assert.equal(learningRateAt(10, timed, 0), 1e-3);
    assert.ok(Math.abs(learningRateAt(500, timed, 30_000) - 5.5e-4) < 1e-15, 'half the time: the midpoint');
    assert.equal(learningRateAt(500, timed, 60_000), 1e-4);
    assert.equal(learningRateAt(500, timed, 90_000), 1e-4, 'past the budget: the floor');
    // A step budget wins when both are given.
    assert.equal(learningRateAt(110, { ...timed, decaySteps: 110 }, 0), 1e-4);
  });
});
