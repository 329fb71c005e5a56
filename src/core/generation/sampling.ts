// Choosing the next token from the model's logits: pure functions over plain arrays.
//
//   softmaxWithTemperature: p_i ∝ exp(z_i / T). T → 0 concentrates all mass on the argmax
//     (greedy decoding; T = 0 is exactly that), T = 1 is the model's own distribution, T > 1
//     flattens it towards uniform.
//   topK: keep the k most probable tokens, renormalise.
//   topP (nucleus): keep the smallest set of most probable tokens whose mass reaches p,
//     renormalise; the set grows when the model is unsure and shrinks when it is confident.
//   sample: draw an index from a distribution with a seeded generator.
import type { Rng } from '../random';

/** Index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('argmax of an empty array');
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** log Σ exp(logits), in float64 after subtracting the maximum: the one log-sum-exp. */
export function logSumExp(logits: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return max + Math.log(sum);
}

/** softmax(logits)[id] in float64, without building the whole distribution. */
export function tokenProbability(logits: ArrayLike<number>, id: number): number {
  return Math.exp(logits[id] - logSumExp(logits));
}

/** The model's distribution: softmax(logits) at temperature 1. */
export function softmax(logits: ArrayLike<number>): Float32Array {
  return softmaxWithTemperature(logits, 1);
}

/**
 * softmax(logits / temperature), computed in float64 after subtracting the maximum.
 * temperature 0 gives the one-hot of the argmax; negative or non-finite temperatures are errors.
 */
export function softmaxWithTemperature(logits: ArrayLike<number>, temperature: number): Float32Array {
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new Error(`temperature must be a finite number ≥ 0, got ${temperature}`);
  }
  return Float32Array.from(softmaxFloat64(logits, temperature));
}

/** The one softmax: softmax(logits / temperature) in float64, the maximum subtracted first; temperature 0 is the one-hot of the argmax. */
export function softmaxFloat64(logits: ArrayLike<number>, temperature: number): Float64Array {
  const n = logits.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  if (temperature === 0) {
    out[argmax(logits)] = 1;
    return out;
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.exp((logits[i] - max) / temperature);
    sum += out[i];
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
  return out;
}

/** Indices sorted by decreasing probability (lower index first on ties). */
function byProbability(probs: ArrayLike<number>): Int32Array {
  const order = new Int32Array(probs.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => probs[b] - probs[a] || a - b);
  return order;
}

/** Keeps exactly the k most probable entries (lower index wins ties), renormalised. */
export function topK(probs: ArrayLike<number>, k: number): Float32Array {
  if (!Number.isInteger(k) || k < 1) throw new Error(`top-k needs an integer k ≥ 1, got ${k}`);
  const order = byProbability(probs);
  const keep = order.subarray(0, Math.min(k, order.length));
  return renormalised(probs, keep);
}

/**
 * Keeps the smallest set of most probable entries whose total reaches p (0 < p ≤ 1),
 * renormalised. p ≥ 1 keeps everything; the most probable entry is always kept.
 */
export function topP(probs: ArrayLike<number>, p: number): Float32Array {
  if (!(p > 0)) throw new Error(`top-p needs p > 0, got ${p}`);
  const order = byProbability(probs);
  let total = 0;
  for (let i = 0; i < probs.length; i++) total += probs[i];
  let cumulative = 0;
  let count = 0;
  while (count < order.length) {
    cumulative += probs[order[count]];
    count++;
    // A relative 1e-9 slack absorbs rounding in the running sum.
    if (cumulative >= p * total * (1 - 1e-9)) break;
  }
  return renormalised(probs, order.subarray(0, count));
}

function renormalised(probs: ArrayLike<number>, keep: ArrayLike<number>): Float32Array {
  const out = new Float32Array(probs.length);
  let sum = 0;
  for (let i = 0; i < keep.length; i++) sum += probs[keep[i]];
  if (!(sum > 0)) throw new Error('cannot renormalise: the kept entries have zero probability');
  for (let i = 0; i < keep.length; i++) out[keep[i]] = probs[keep[i]] / sum;
  return out;
}

/** An index drawn with probability probs[i] / Σ probs (inverse CDF on one uniform draw). */
export function sample(probs: ArrayLike<number>, rng: Rng): number {
  let total = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] < 0 || Number.isNaN(probs[i])) throw new Error(`probability ${probs[i]} at index ${i}`);
    if (probs[i] > 0) last = i;
    total += probs[i];
  }
  if (last < 0) throw new Error('cannot sample: every probability is zero');
  const u = rng.next() * total;
  let cumulative = 0;
  for (let i = 0; i < probs.length; i++) {
    cumulative += probs[i];
    if (u < cumulative && probs[i] > 0) return i;
  }
  return last; // u landed in the rounding gap at the top
}

export interface SamplingOptions {
  /** 0 = greedy. Default 1. */
  readonly temperature?: number;
  /** Keep only the k most probable tokens. Default: off. */
  readonly topK?: number;
  /** Keep the smallest nucleus of mass p. Default: off (1). */
  readonly topP?: number;
}

/** The distribution actually sampled from: temperature, then top-k, then top-p. */
export function samplingDistribution(logits: ArrayLike<number>, options: SamplingOptions = {}): Float32Array {
  let probs = softmaxWithTemperature(logits, options.temperature ?? 1);
  if (options.topK !== undefined) probs = topK(probs, options.topK);
  if (options.topP !== undefined && options.topP < 1) probs = topP(probs, options.topP);
  return probs;
}

export interface TokenChoice {
  readonly id: number;
  /** Probability of `id` under the model's unmodified distribution, softmax(logits). */
  readonly probability: number;
  /** Probability of `id` under the distribution sampled from (after temperature, top-k, top-p). */
  readonly samplingProbability: number;
}

/** Picks the next token: argmax when temperature is 0, otherwise a draw from the sampling distribution. */
export function chooseToken(logits: ArrayLike<number>, options: SamplingOptions, rng: Rng): TokenChoice {
  const modelProbs = softmax(logits);
  const probs = samplingDistribution(logits, options);
  // Greedy decoding draws nothing, so it leaves the generator untouched.
  const id = options.temperature === 0 ? argmax(probs) : sample(probs, rng);
  return { id, probability: modelProbs[id], samplingProbability: probs[id] };
}
