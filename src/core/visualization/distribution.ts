// The next-token distribution as the visualizer shows it: softmax of the logits at a
// temperature, its top k, its entropy, and one draw from it.
//
//   p_i(τ) = exp(z_i / τ) / Σ_j exp(z_j / τ)
//
// τ → 0 puts all the mass on the largest logit (greedy decoding); τ = 1 is the model's own
// distribution; τ > 1 flattens it towards uniform. For an n-gram model the "logits" are log
// probabilities, so τ = 1 gives back its probabilities.

import { softmaxFloat64 } from '../generation/sampling';

/** softmax(logits / temperature) in float64; temperature 0 (or below) is the one-hot of the arg max. */
export function softmaxAt(logits: ArrayLike<number>, temperature: number): Float64Array {
  return softmaxFloat64(logits, temperature > 0 ? temperature : 0);
}

export interface RankedToken {
  readonly index: number;
  readonly probability: number;
}

/** The k most probable entries, most probable first (ties by index). */
export function topK(probabilities: ArrayLike<number>, k: number): RankedToken[] {
  const ranked: RankedToken[] = [];
  for (let i = 0; i < probabilities.length; i++) ranked.push({ index: i, probability: probabilities[i] });
  ranked.sort((a, b) => b.probability - a.probability || a.index - b.index);
  return ranked.slice(0, Math.max(0, k));
}

/** Entropy in bits: how many yes/no questions the next token is worth. */
export function entropyBits(probabilities: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    if (p > 0) h -= p * Math.log2(p);
  }
  return h;
}

/** The index a uniform draw `u` in [0, 1) selects (inverse CDF); the last positive entry if rounding runs past the end. */
export function sampleIndex(probabilities: ArrayLike<number>, u: number): number {
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < probabilities.length; i++) {
    if (!(probabilities[i] > 0)) continue;
    last = i;
    cumulative += probabilities[i];
    if (u < cumulative) return i;
  }
  return last;
}
