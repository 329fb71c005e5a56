// Shaping of ‖∂L/∂h_t‖ curves (src/core/training/gradientFlow.ts computes them) for display.

/**
 * What global-norm clipping does to a gradient, applied to the vector of per-step norms:
 * g ← g · min(1, c / ‖g‖). Every step is scaled by the same factor, so clipping tames an
 * exploding curve's size but cannot change its shape: a vanished gradient stays vanished.
 * (The trainer clips the gradient of the weights this way; applying the same rule to the
 * per-step norms shows that effect on the curve.)
 */
export function clipSeries(norms: readonly number[], clipNorm: number): number[] {
  let sq = 0;
  for (const v of norms) sq += v * v;
  const norm = Math.sqrt(sq);
  const scale = Number.isFinite(clipNorm) && clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
  return norms.map((v) => v * scale);
}

/**
 * How the gradient changes from the last step back to the first: the ratio
 * ‖∂L/∂h_0‖ / ‖∂L/∂h_{T−1}‖, or NaN when it is undefined. Far below 1 is vanishing, above 1
 * exploding.
 */
export function decayRatio(norms: readonly number[]): number {
  if (norms.length < 2) return NaN;
  const last = norms[norms.length - 1];
  return last > 0 ? norms[0] / last : NaN;
}
