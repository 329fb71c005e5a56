// A model card's end-of-training measurement in which the hybrid saved the most: under
// seqlab.completions.source 'auto' such a model serves mixed with the workspace n-gram.
import type { HybridGate } from '../../../../src/core/completion/hybrid';

export function hybridBestMeasurement(gate: HybridGate) {
  return {
    characters: 3000,
    keystrokeSavings: 0.12,
    ngramKeystrokeSavings: 0.31,
    precision: 0.4,
    ngramPrecision: 0.6,
    hybrid: { keystrokeSavings: 0.35, precision: 0.7, gate, fittedOnReplay: false },
  };
}
