// Helpers the unit tests share.
import * as assert from 'node:assert/strict';
import { createRng } from '../../../src/core/random';

/** Largest |a[i] - b[i]|; the lengths must agree. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A reproducible stream of uniform floats in [0, 1), from the project's own generator. */
export function seededRandom(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}
