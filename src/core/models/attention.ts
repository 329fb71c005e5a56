// Causal multi-head self-attention, the one operation that lets a position read other positions.
//
//   Attention(Q, K, V) = softmax(Q Kᵀ / √d + M) V
//
// Every position emits a query ("what am I looking for"), a key ("what do I hold") and a
// value ("what I hand over"), all linear maps of its vector. The score of query i against
// key j is their dot product, divided by √d so that scores do not grow with the width d and
// saturate the softmax. The softmax turns a query's scores into weights that sum to 1, and
// the output is the weighted sum of the values.
//
// Causal: M is 0 where key j ≤ query i and -1e9 above the diagonal, so a position never
// attends to the future (exp(-1e9) is exactly 0 in float32). That is what lets one forward
// pass train next-token prediction at every position at once.
//
// Multi-head: the width C is cut into H heads of d = C/H features each; every head attends
// on its own (one may follow the previous token, another the last bracket), and their outputs,
// side by side, go through one output projection.
//
// Layout of the weights (the names the Transformer gives them are in transformer.ts):
//   qkvKernel [C, 3C]: columns 0..C-1 give Q, C..2C-1 give K, 2C..3C-1 give V; within each,
//     head h owns columns h*d .. (h+1)*d-1. One matMul makes all three for every head.
//   qkvBias [3C], same column order. projKernel [C, C], projBias [C]: the output projection.
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, linear, reshape, splitHeads } from './fastOps';
import { MASKED, queryScale } from './transformerNumbers';

/** Additive causal mask [T, T]: 0 on and below the diagonal, MASKED above it. Caller disposes. */
export function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j < length; j++) values[i * length + j] = MASKED;
  }
  return tf.tensor2d(values, [length, length]);
}

/**
 * softmax(Q Kᵀ / √d + mask) V, the lecture's formula on its own: q [..., Tq, d], k [..., Tk, d],
 * v [..., Tk, dv], mask broadcastable to [..., Tq, Tk] (additive) or absent.
 * Returns the output [..., Tq, dv] and the attention weights [..., Tq, Tk].
 */
export function scaledDotProductAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask?: tf.Tensor,
): { output: tf.Tensor; weights: tf.Tensor } {
  const d = q.shape[q.shape.length - 1];
  let scores = tf.matMul(q, k, false, true).mul(1 / Math.sqrt(d)); // (..., Tq, Tk)
  if (mask) scores = scores.add(mask);
  const weights = tf.softmax(scores); // each row sums to 1
  return { output: tf.matMul(weights, v), weights };
}

export interface AttentionParams {
  /** [C, 3C]: Q, K, V columns, head-major within each. */
  readonly qkvKernel: tf.Tensor2D;
  /** [3C] */
  readonly qkvBias: tf.Tensor1D;
  /** [C, C] */
  readonly projKernel: tf.Tensor2D;
  /** [C] */
  readonly projBias: tf.Tensor1D;
}

export interface SelfAttentionResult {
  /** The projected output, [B*T, C] (rows batch-major, like the input). */
  readonly output: tf.Tensor2D;
  /** Attention weights [B*H, T, T]: weights[b*H + h][query][key]. */
  readonly weights: tf.Tensor3D;
  /** Keys, transposed for the next product: [B*H, d, T]. What a key/value cache stores. */
  readonly keysT: tf.Tensor3D;
  /** Values [B*H, T, d]. */
  readonly values: tf.Tensor3D;
}

export interface SelfAttentionOptions {
  /** Additive mask [T, T] (see causalMask); absent means every position sees every other. */
  readonly mask?: tf.Tensor2D;
  /** Dropout rate on the attention weights (training only; 0 or absent for none). */
  readonly dropout?: number;
  /** The params come from scaleQueries already (callers that reuse them across calls). */
  readonly queriesScaled?: boolean;
}

/**
 * The same attention with the 1/√d of softmax(QKᵀ/√d) moved into the query columns of the
 * kernel and bias: [C, 3C] multiplications once instead of dividing every [T, T] score map.
 */
export function scaleQueries(params: AttentionParams, heads: number, scaleScores = true): AttentionParams {
  const width = params.projKernel.shape[0];
  const scale = queryScale(width, heads, scaleScores);
  const columnScale = tf.concat([tf.fill([width], scale), tf.ones([2 * width])]); // (3C): 1/√d on the Q columns
  return { ...params, qkvKernel: params.qkvKernel.mul(columnScale), qkvBias: params.qkvBias.mul(columnScale) };
}

/**
 * Queries, keys and values of every head, for `batch` sequences of x [B*T, C]: one product
 * x Wqkv + b → [B*T, 3C], then each head becomes a batch entry: three [B*H, T, d] tensors, head
 * h of sequence b at entry b*H + h. The queries come out already divided by √d (scaleQueries),
 * so q·k below is already q·k/√d.
 */
function projectHeads(
  x: tf.Tensor2D,
  batch: number,
  heads: number,
  params: AttentionParams,
  queriesScaled = false,
): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D] {
  const p = queriesScaled ? params : scaleQueries(params, heads);
  const qkv = linear(x, p.qkvKernel, p.qkvBias); // (B*T, 3C)
  return splitHeads(qkv, batch, heads);
}

/**
 * Multi-head self-attention over x [B*T, C] holding `batch` sequences of T positions each.
 * Call inside tf.tidy (or a gradient function); returns tensors the caller owns.
 */
export function multiHeadSelfAttention(
  x: tf.Tensor2D,
  batch: number,
  heads: number,
  params: AttentionParams,
  options: SelfAttentionOptions = {},
): SelfAttentionResult {
  const [rows, width] = x.shape;
  const B = batch;
  const T = rows / batch;
  const H = heads;
  const d = width / heads;
  if (!Number.isInteger(d)) throw new Error(`width ${width} is not divisible by ${heads} heads`);
  const [q, k, values] = projectHeads(x, B, H, params, options.queriesScaled); // each (B*H, T, d)
  const keysT = k.transpose([0, 2, 1]) as tf.Tensor3D; // (B*H, d, T)
  // Scores of every query against every key (already scaled), then the causal mask.
  let scores: tf.Tensor3D = batchMatMul(q, keysT); // (B*H, T, T)
  if (options.mask) scores = scores.add(options.mask);
  const weights = tf.softmax(scores) as tf.Tensor3D; // (B*H, T, T), rows sum to 1
  const attended = options.dropout ? (tf.dropout(weights, options.dropout) as tf.Tensor3D) : weights;
  const out = batchMatMul(attended, values); // (B*H, T, d)
  // Heads side by side again: (B*H, T, d) -> (B, H, T, d) -> (B, T, H, d) -> (B*T, C), then project.
  // (fastOps.reshape is tf.reshape without the copy tfjs keeps for the gradient.)
  const merged = reshape<tf.Rank.R2>(reshape(out, [B, H, T, d]).transpose([0, 2, 1, 3]), [rows, width]);
  const output = linear(merged, params.projKernel, params.projBias);
  return { output, weights, keysT, values };
}

/** What attention remembers of past positions: their keys and values, per head. */
export interface KeyValueCache {
  /** [H, d, n]: the keys of the n positions seen, transposed. */
  readonly keysT: tf.Tensor3D;
  /** [H, n, d] */
  readonly values: tf.Tensor3D;
}

/**
 * Self-attention of one new position x [1, C] against the cached keys and values of the
 * positions before it plus its own: one query, n+1 keys, so one more token costs one step.
 * No mask is needed: everything in the cache is in the past. Returns the output [1, C], the
 * weights [H, 1, n+1] and the cache grown by this position (new tensors; `cache` is untouched).
 * An empty cache (n = 0) is given as null. `queriesScaled` as in SelfAttentionOptions.
 */
export function attendWithCache(
  x: tf.Tensor2D,
  heads: number,
  params: AttentionParams,
  cache: KeyValueCache | null,
  queriesScaled = false,
): { output: tf.Tensor2D; weights: tf.Tensor3D; cache: KeyValueCache } {
  const width = x.shape[1];
  const d = width / heads;
  const [q, k, v] = projectHeads(x, 1, heads, params, queriesScaled); // each (H, 1, d), q already / √d
  const kT = k.reshape([heads, d, 1]) as tf.Tensor3D; // (H, d, 1): one key, already "transposed"
  const keysT = cache ? (tf.concat([cache.keysT, kT], 2) as tf.Tensor3D) : kT; // (H, d, n+1)
  const values = cache ? (tf.concat([cache.values, v], 1) as tf.Tensor3D) : v; // (H, n+1, d)
  const weights = tf.softmax(batchMatMul(q, keysT)) as tf.Tensor3D; // (H, 1, n+1)
  const merged = batchMatMul(weights, values).reshape([1, width]) as tf.Tensor2D; // (H, 1, d) -> (1, C)
  const output = linear(merged, params.projKernel, params.projBias);
  return { output, weights, cache: { keysT, values } };
}
