// The Transformer's plain numbers, without tfjs: the tfjs model (attention.ts, layerNorm.ts,
// positionalEncoding.ts), its ONNX export, the stepper and Inside the Model all read them here,
// so the ONNX path of completions builds without tfjs and every copy agrees by construction.

/** The additive mask value above the diagonal: large enough that exp() of it underflows to 0. */
export const MASKED = -1e9;

/** What the queries are multiplied by: 1/√d, or 1 when the scaling is switched off (an experiment). */
export function queryScale(width: number, heads: number, scaleScores = true): number {
  return scaleScores ? 1 / Math.sqrt(width / heads) : 1;
}

export const LAYER_NORM_EPSILON = 1e-5;

/** PE(pos, column) of the sinusoidal encoding, in double precision (the reference the table rounds). */
export function sinusoidalValue(pos: number, column: number, width: number): number {
  const i2 = column - (column % 2); // 2i: both columns of a pair share one frequency
  const angle = pos / Math.pow(10000, i2 / width);
  return column % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
}

/** The fixed (not learned) encodings' value at (pos, column): the sinusoid, or 0 for 'none'. */
export function fixedPositionalValue(kind: 'sinusoidal' | 'none', pos: number, column: number, width: number): number {
  return kind === 'none' ? 0 : sinusoidalValue(pos, column, width);
}
