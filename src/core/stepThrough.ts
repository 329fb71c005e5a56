// Stepping through the lecture's equations one token at a time, in plain arithmetic on the
// model's own weights (read once), so each intermediate the formula names can be shown:
//
//   recurrent (first layer):  x_t, W x_t (+ b), U h_{t−1}, h_t = f(W x_t + U h_{t−1})
//                             LSTM: forget, input, output gates, candidate, c_t = f⊙c_{t−1} + i⊙g
//                             GRU: update and reset gates, candidate
//   attention (first block):  for one query position and head: q, every key k_j and value v_j,
//                             the scaled scores q·k_j/√d, the causal mask, the softmax, the output
//
// This is a second implementation of what rnn.ts, lstm.ts, gru.ts and attention.ts compute
// with tfjs; the tests hold the two to each other (inspect()'s hidden states, gates and
// attention maps). Weight layouts: recurrent.ts (blocks side by side in W, U, b) and
// transformer.ts / attention.ts (qkv columns, head-major).
import type { RecurrentConfig, SequenceModel, TransformerConfig } from './models/sequenceModel';
import { fixedPositionalValue, LAYER_NORM_EPSILON } from './models/transformerNumbers';

type Vec = number[];

/** One recurrent step of the first layer. Block vectors are in the cell's block order. */
export interface RecurrentStepView {
  readonly t: number;
  readonly tokenId: number;
  readonly x: Vec;
  /** x_t W + b, all G·H pre-activation columns. */
  readonly Wx: Vec;
  /** h_{t−1} U, all G·H columns. */
  readonly Uh: Vec;
  readonly hPrev: Vec;
  readonly h: Vec;
  /** Named gate and cell vectors (H each): LSTM forget/input/output/candidate/cell, GRU update/reset/candidate. */
  readonly gates: Readonly<Record<string, Vec>>;
}

export interface AttentionStepView {
  readonly query: number;
  readonly head: number;
  readonly d: number;
  readonly q: Vec;
  readonly keys: Vec[];
  readonly values: Vec[];
  /** q·k_j/√d for every key j (or q·k_j when unscaled is asked for, to show saturation). */
  readonly scores: Vec;
  /** true where the causal mask hides key j (j > query). */
  readonly masked: boolean[];
  readonly weights: Vec;
  /** Σ_j weights_j v_j: this head's output at the query. */
  readonly output: Vec;
}

function matrix(model: SequenceModel, name: string): number[][] {
  const v = model.weights.get(name);
  if (!v) throw new Error(`the model has no weight '${name}'`);
  return v.arraySync() as number[][];
}

function vector(model: SequenceModel, name: string): Vec {
  const v = model.weights.get(name);
  if (!v) throw new Error(`the model has no weight '${name}'`);
  return v.arraySync() as Vec;
}

/** row vector x (n) times M (n, m). */
function times(x: Vec, M: number[][]): Vec {
  const out = new Array<number>(M[0].length).fill(0);
  for (let i = 0; i < x.length; i++) {
    if (x[i] === 0) continue;
    const row = M[i];
    for (let j = 0; j < out.length; j++) out[j] += x[i] * row[j];
  }
  return out;
}

const add = (a: Vec, b: Vec): Vec => a.map((v, i) => v + b[i]);
const mul = (a: Vec, b: Vec): Vec => a.map((v, i) => v * b[i]);
const sigmoid = (a: Vec): Vec => a.map((v) => 1 / (1 + Math.exp(-v)));
const tanh = (a: Vec): Vec => a.map(Math.tanh);
const block = (a: Vec, k: number, H: number): Vec => a.slice(k * H, (k + 1) * H);

/** The first layer's steps over `ids` (an RNN, GRU or LSTM). */
export function recurrentSteps(model: SequenceModel, ids: readonly number[]): RecurrentStepView[] {
  const config = model.config;
  if (config.arch === 'transformer') throw new Error('recurrentSteps needs a recurrent model');
  const c = config as RecurrentConfig;
  const H = c.hiddenSize;
  const W = matrix(model, 'layer0/W');
  const U = matrix(model, 'layer0/U');
  const b = vector(model, 'layer0/b');
  const table = c.input === 'embedding' ? matrix(model, 'embedding') : null;
  const bh = c.arch === 'gru' ? vector(model, 'layer0/bh') : null;
  let h: Vec = new Array(H).fill(0);
  let cell: Vec = new Array(H).fill(0);
  return ids.map((id, t) => {
    const x = table ? table[id] : Array.from({ length: c.vocabSize }, (_, k) => (k === id ? 1 : 0));
    const Wx = add(times(x, W), b);
    const Uh = times(h, U);
    const hPrev = h;
    let gates: Record<string, Vec> = {};
    if (c.arch === 'rnn') {
      const a = add(Wx, Uh);
      h = c.activation === 'relu' ? a.map((v) => Math.max(0, v)) : tanh(a);
    } else if (c.arch === 'lstm') {
      const pre = add(Wx, Uh); // blocks [i | o | f | g]
      const [i, o, f] = [0, 1, 2].map((k) => sigmoid(block(pre, k, H)));
      const g = tanh(block(pre, 3, H));
      cell = add(mul(f, cell), mul(i, g));
      h = mul(o, tanh(cell));
      gates = { forget: f, input: i, output: o, candidate: g, cell };
    } else {
      // blocks [z | r | n]; the reset gate scales the candidate's recurrent term (with its bias bh)
      const z = sigmoid(add(block(Wx, 0, H), block(Uh, 0, H)));
      const r = sigmoid(add(block(Wx, 1, H), block(Uh, 1, H)));
      const n = tanh(add(block(Wx, 2, H), mul(r, add(block(Uh, 2, H), bh!))));
      h = hPrev.map((v, k) => (1 - z[k]) * v + z[k] * n[k]);
      gates = { update: z, reset: r, candidate: n };
    }
    return { t, tokenId: id, x, Wx, Uh, hPrev, h, gates };
  });
}

function layerNorm(x: Vec, gamma: Vec, beta: Vec): Vec {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  const inv = 1 / Math.sqrt(variance + LAYER_NORM_EPSILON);
  return x.map((v, i) => (v - mean) * inv * gamma[i] + beta[i]);
}

export interface AttentionStepOptions {
  readonly query: number;
  readonly head: number;
  /** Leave out the 1/√d scaling (to see the softmax saturate). Default false. */
  readonly unscaled?: boolean;
  /** Leave out the causal mask (to see the query read the future). Default false. */
  readonly unmasked?: boolean;
}

/** The first block's attention for one query and head, from the token vectors + positions through LN1. */
export function attentionStep(model: SequenceModel, ids: readonly number[], options: AttentionStepOptions): AttentionStepView {
  if (model.config.arch !== 'transformer') throw new Error('attentionStep needs a Transformer');
  const c = model.config as TransformerConfig;
  const C = c.modelSize;
  const d = C / c.heads;
  const { query, head } = options;
  if (!(query >= 0 && query < ids.length)) throw new Error(`query ${query} is outside 0..${ids.length - 1}`);
  if (!(head >= 0 && head < c.heads)) throw new Error(`head ${head} is outside 0..${c.heads - 1}`);
  let table: number[][];
  if (c.input === 'onehot') table = matrix(model, 'input/kernel');
  else if (c.embeddingSize === C) table = matrix(model, 'embedding');
  else {
    const proj = matrix(model, 'embedding/proj');
    table = matrix(model, 'embedding').map((row) => times(row, proj));
  }
  const positions = c.positional === 'learned' ? matrix(model, 'position') : null;
  const gamma = vector(model, 'block0/ln1/gamma');
  const beta = vector(model, 'block0/ln1/beta');
  const kernel = matrix(model, 'block0/attn/qkv/kernel');
  const bias = vector(model, 'block0/attn/qkv/bias');
  const qkv = ids.map((id, t) => {
    const x = table[id].map((v, k) => v * Math.sqrt(C) + (positions ? positions[t][k] : fixedPositionalValue(c.positional as 'sinusoidal' | 'none', t, k, C)));
    return add(times(layerNorm(x, gamma, beta), kernel), bias);
  });
  const part = (row: Vec, which: number) => row.slice(which * C + head * d, which * C + (head + 1) * d);
  const q = part(qkv[query], 0);
  const keys = qkv.map((row) => part(row, 1));
  const values = qkv.map((row) => part(row, 2));
  const scale = options.unscaled || c.scaleScores === false ? 1 : 1 / Math.sqrt(d);
  const scores = keys.map((k) => k.reduce((s, v, i) => s + v * q[i], 0) * scale);
  const masked = keys.map((_, j) => !options.unmasked && j > query);
  const open = scores.filter((_, j) => !masked[j]);
  const top = Math.max(...open);
  const exps = scores.map((s, j) => (masked[j] ? 0 : Math.exp(s - top)));
  const total = exps.reduce((s, v) => s + v, 0);
  const weights = exps.map((e) => e / total);
  const output = new Array<number>(d).fill(0);
  values.forEach((v, j) => v.forEach((x, i) => (output[i] += weights[j] * x)));
  return { query, head, d, q, keys, values, scores, masked, weights, output };
}
