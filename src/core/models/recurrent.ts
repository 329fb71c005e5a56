// What the vanilla RNN, the GRU and the LSTM share: turning ids into input vectors, stacking
// layers, dropout, the output projection to vocabulary logits, the probe, inspection,
// stepping, and backpropagation through time. A cell file (rnn.ts, gru.ts, lstm.ts) only says
// what one timestep computes from its gate pre-activations, forward and backward; this file
// does every matrix product and runs the cell over a sequence.
//
//   ids (B, T)
//   -> input vectors x_t (T, B, I)        learned embedding (I = E), or one-hot (I = V)
//   -> layers x recurrent layer:          per gate block k: x_t W_k + b_k and h_{t−1} U_k,
//                                         then the cell's gates -> h_t (T, B, H)
//      (dropout on each layer's output, training only)
//   -> h_t W_out + b_out                  logits (B, T, V)
//
// Weights (names are stable; save/load, optimisers and ONNX export rely on them).
// E = embeddingSize, V = vocabSize, H = hiddenSize, G = the cell's gate count (RNN 1, GRU 3,
// LSTM 4), I = E (embedding input) or V (one-hot input) for layer 0 and H above it:
//   embedding [V, E]            input 'embedding' only: the token table
//   layer{l}/W [I, G·H]         input kernel: G gate blocks of H columns side by side
//                               (block order: the cell file), W_k = columns kH..(k+1)H−1
//   layer{l}/U [H, G·H]         recurrent kernel, same column layout
//   layer{l}/b [G·H]            bias, same layout
//   layer{l}/bh [H]             GRU only: the candidate's recurrent bias (gru.ts)
//   output/kernel [H, V], output/bias [V]
// With one-hot input, x_t W is row ids[t] of W: it is computed as that lookup, not a matMul.
//
// Initialisation (seeded by config.seed and the weight's name: equal configs give equal
// weights, and adding a layer leaves the others' values alone):
//   embedding: uniform(−√3, √3), unit variance, so that token vectors enter at unit scale.
//   kernels W, U, output/kernel: Glorot uniform per gate block, limit √(6 / (fan_in + H))
//     (per block, not over all G·H columns; not orthogonal: tfjs's orthogonal initialiser
//     takes seconds for 256 units). RNN with identityInit: U = I.
//   biases: 0, except the LSTM's forget block (config.forgetBias).
//
// Speed. Training runs each layer's whole recurrence as one tf.customGrad with a hand-written
// backpropagation through time (BPTT), measured on tfjs-backend-wasm:
//   - x_t W_k + b_k for every timestep is one (T·B, I) x (I, H) matMul per gate block, before
//     the loop;
//   - a timestep costs G matMuls (B, H) x (H, H) and the cell's elementwise ops, forward and
//     back. Separate blocks, not one (H, G·H) product: the same matMul time, and no column
//     slices, which cost 0.1-0.5 ms each on wasm (a wasm slice copies its whole input);
//   - after the loop, per block, [h_{t−1} | 1 | x_t]ᵀ da (one matMul over all T·B rows) gives
//     dU_k, db_k and dW_k at once, and dx = Σ_k da_k W_kᵀ.
// The per-timestep rows of a (T, B, ·) tensor are cut by one read and T small uploads on wasm
// (splitTime), not by T slices.
import * as tf from '@tensorflow/tfjs';
import { embeddingLookup, oneHotInput } from './embedding';
import type {
  ForwardOptions,
  LayerInternals,
  ModelInternals,
  ModelState,
  RecurrentConfig,
  SequenceModel,
  StepResult,
} from './sequenceModel';

// ---------------------------------------------------------------------------------------------
// The contract between this file and a cell file. Each list below has one (B, H) tensor per gate
// block, in the cell's block order.

/** One timestep forward. */
export interface CellStep {
  /** The layer's state after the step, h first; each (B, H). */
  readonly state: tf.Tensor2D[];
  /** What the backward step and `inspect` need from this step (cell-defined, fixed length). */
  readonly cache: tf.Tensor2D[];
}

/** One timestep backward. */
export interface CellGradients {
  /** ∂L/∂(x_t W_k + b_k) per block. */
  readonly dxw: tf.Tensor2D[];
  /** ∂L/∂(h_{t−1} U_k) per block: the same tensor as dxw[k] unless the cell treats them apart. */
  readonly dhu: tf.Tensor2D[];
  /** ∂L/∂h_{t−1} along paths that bypass U (GRU's (1−z)⊙h_{t−1}), or null. */
  readonly dhDirect: tf.Tensor2D | null;
  /** ∂L/∂ the other state tensors before the step (LSTM: c_{t−1}), in state order after h. */
  readonly dRest: tf.Tensor2D[];
}

export interface Cell {
  readonly kind: 'rnn' | 'gru' | 'lstm';
  /** G: W is (I, G·H), U is (H, G·H), b is (G·H). */
  readonly gates: number;
  /** Tensors in a layer's state: 1 (h) or 2 (h, c). */
  readonly stateSize: number;
  /** Names (after `layer{l}/`) of extra per-layer weights, each of shape (H), initialised to 0. */
  readonly extraWeights: readonly string[];
  /** Initial bias (G·H). */
  initialBias(config: RecurrentConfig): Float32Array;
  /** Whether U starts as the identity (RNN's identityInit) instead of Glorot uniform. */
  identityRecurrent(config: RecurrentConfig): boolean;
  /**
   * The gates of one timestep: xw[k] = x_t W_k + b_k, hu[k] = h_{t−1} U_k, prev = the state
   * before the step, extras = the cell's extra weights.
   */
  forward(xw: readonly tf.Tensor2D[], hu: readonly tf.Tensor2D[], prev: readonly tf.Tensor2D[], extras: readonly tf.Tensor[]): CellStep;
  /**
   * BPTT through one step: dh = ∂L/∂h_t (everything reaching h_t), dRest = ∂L/∂ the rest of
   * the state after the step (null when nothing reaches it), prev = the state before it.
   */
  backward(dh: tf.Tensor2D, dRest: readonly (tf.Tensor2D | null)[], prev: readonly tf.Tensor2D[], step: CellStep): CellGradients;
  /** Gradients of the extra weights, given Σ over every row (t, b) of each block's dhu, (H) each. */
  extraGradients(dhuSums: readonly tf.Tensor1D[]): tf.Tensor[];
  /** This step's internals for `inspect` (B = 1), each (1, H); `hidden` is added by the caller. */
  internals(prev: readonly tf.Tensor2D[], step: CellStep): Record<string, tf.Tensor2D>;
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/**
 * tanh(x), as 2σ(2x) − 1 on large tensors on wasm: there tf.tanh is scalar libm code (~13 ns
 * an element) while tf.sigmoid is XNNPACK's vector kernel, so the four ops through the sigmoid
 * take 32 µs on a (32, 256) tensor where tf.tanh takes 110 µs. Below ~2,000 elements (a
 * single sequence stepped at inference) one tf.tanh is cheaper. Within 2e-7 of tanh.
 */
export function tanh(x: tf.Tensor2D): tf.Tensor2D {
  if (x.size <= 2048 || tf.getBackend() !== 'wasm') return tf.tanh(x);
  return tf.sigmoid(x.mul(2)).mul(2).sub(1);
}

/**
 * Rows of x (T, B, K) as T tensors (B, K). tf.unstack, except on wasm, where it copies the
 * data out once and uploads each row (a wasm slice copies its whole input every time: 64
 * slices of a (64, 32, 1024) tensor take ~450 ms, this ~7 ms).
 */
export function splitTime(x: tf.Tensor3D): tf.Tensor2D[] {
  const [steps, batch, width] = x.shape;
  if (tf.getBackend() !== 'wasm') return tf.unstack(x) as tf.Tensor2D[];
  const values = x.dataSync() as Float32Array;
  const n = batch * width;
  const rows: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) rows.push(tf.tensor2d(values.subarray(t * n, (t + 1) * n), [batch, width]));
  return rows;
}

/** The G gate blocks of a matrix's columns (or a vector's entries). */
function blocks<T extends tf.Tensor>(x: T, gates: number): T[] {
  return gates === 1 ? [x] : (tf.split(x, gates, x.rank - 1) as T[]);
}

function zeroState(cell: Cell, batch: number, hidden: number): tf.Tensor2D[] {
  return Array.from({ length: cell.stateSize }, () => tf.zeros([batch, hidden]) as tf.Tensor2D);
}

// ---------------------------------------------------------------------------------------------
// Running a layer over a sequence.

/** Every state and cache of a layer unrolled over T steps: states[0] is the initial state. */
interface Unrolled {
  readonly states: tf.Tensor2D[][];
  readonly steps: CellStep[];
}

/**
 * Runs the cell over `xws.length` steps from state0: xws[t][k] = x_t W_k + b_k, recurrent(h)
 * gives h U_k per block; probes[t] (B, H), if given, is added to h_t.
 */
function unroll(
  cell: Cell,
  xws: readonly (readonly tf.Tensor2D[])[],
  recurrent: (h: tf.Tensor2D) => tf.Tensor2D[],
  extras: readonly tf.Tensor[],
  state0: tf.Tensor2D[],
  probes: readonly tf.Tensor2D[] | null,
): Unrolled {
  const states = [state0];
  const steps: CellStep[] = [];
  for (let t = 0; t < xws.length; t++) {
    const prev = states[t];
    const step = cell.forward(xws[t], recurrent(prev[0]), prev, extras);
    const [h, ...rest] = step.state;
    states.push(probes ? [h.add(probes[t]) as tf.Tensor2D, ...rest] : step.state);
    steps.push(step);
  }
  return { states, steps };
}

/** A layer's input: its input vectors (T, B, I), or token ids (T, B) standing for one-hot vectors. */
export type LayerInput = { readonly x: tf.Tensor3D } | { readonly ids: tf.Tensor };

/** A layer's weights: W (I, G·H), b (G·H), U (H, G·H) and the cell's extras. */
export interface LayerWeights {
  readonly W: tf.Tensor2D;
  readonly b: tf.Tensor1D;
  readonly U: tf.Tensor2D;
  readonly extras: readonly tf.Tensor[];
}

/** x_t W_k + b_k for every t, per block: (T·B, H) each. One-hot input reads rows of W_k. */
function inputProjections(input: LayerInput, Ws: tf.Tensor2D[], bs: tf.Tensor1D[]): tf.Tensor2D[] {
  if ('ids' in input) {
    const ids = input.ids.reshape([-1]);
    return Ws.map((Wk, k) => tf.gather(Wk, ids).add(bs[k]) as tf.Tensor2D);
  }
  const [T, B, I] = input.x.shape;
  const x = input.x.reshape([T * B, I]) as tf.Tensor2D;
  return Ws.map((Wk, k) => tf.fused.matMul({ a: x, b: Wk, bias: bs[k] }) as tf.Tensor2D);
}

/**
 * One layer over the whole sequence, from a zero state, with the hand-written BPTT backward:
 * → every hidden state h_t (T, B, H). `probe` (T, B, H), if given, is added to h_t at each
 * step (inside the recurrence), so that ∂L/∂probe = ∂L/∂h_t.
 */
export function recurrentLayer(cell: Cell, input: LayerInput, weights: LayerWeights, probe?: tf.Tensor3D): tf.Tensor3D {
  const dense = 'x' in input;
  const G = cell.gates;
  const [T, B] = dense ? input.x.shape : (input.ids.shape as [number, number]);
  const H = weights.U.shape[0];
  const ids = dense ? null : (input.ids.reshape([-1]).toInt() as tf.Tensor1D);
  const nExtras = weights.extras.length;

  const run = (...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const inputs = args as tf.Tensor[];
    let k = 0;
    const x = dense ? (inputs[k++] as tf.Tensor3D) : null;
    const W = inputs[k++] as tf.Tensor2D;
    const b = inputs[k++] as tf.Tensor1D;
    const U = inputs[k++] as tf.Tensor2D;
    const extras = inputs.slice(k, k + nExtras);
    const probeIn = probe ? (inputs[k + nExtras] as tf.Tensor3D) : null;

    const Ws = blocks(W, G);
    const Us = blocks(U, G);
    const perBlock = inputProjections(x ? { x } : { ids: ids! }, Ws, blocks(b, G)).map((p) => splitTime(p.reshape([T, B, H])));
    const xws = Array.from({ length: T }, (_, t) => perBlock.map((rows) => rows[t]));
    const probes = probeIn ? splitTime(probeIn) : null;
    const state0 = zeroState(cell, B, H);
    // h_0 U_k = 0: the first step skips its products
    const recurrent = (h: tf.Tensor2D) => Us.map((Uk) => (h === state0[0] ? h : (h.matMul(Uk) as tf.Tensor2D)));
    const { states, steps } = unroll(cell, xws, recurrent, extras, state0, probes);

    const S = cell.stateSize;
    const C = steps.length ? steps[0].cache.length : 0;
    const x2d = x ? x.reshape([T * B, -1]) : ids!;
    save([x2d, ...Ws, ...Us, ...states.flat(), ...steps.flatMap((s) => s.cache)]);
    return {
      value: tf.stack(states.slice(1).map((s) => s[0])) as tf.Tensor3D, // (T, B, H)
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        let i = 0;
        const take = (n: number) => saved.slice(i, (i += n));
        const [xs] = take(1);
        const savedWs = take(G) as tf.Tensor2D[];
        const savedUs = take(G) as tf.Tensor2D[];
        const savedStates: tf.Tensor2D[][] = [];
        for (let t = 0; t <= T; t++) savedStates.push(take(S) as tf.Tensor2D[]);
        const savedSteps: CellStep[] = [];
        for (let t = 0; t < T; t++) savedSteps.push({ state: savedStates[t + 1], cache: take(C) as tf.Tensor2D[] });
        const grads = backThroughTime(cell, dy as tf.Tensor3D, savedStates, savedSteps, savedUs, probe !== undefined);
        const layerInput = dense ? { x: xs as tf.Tensor2D } : { ids: xs as tf.Tensor1D, vocabSize: W.shape[0] };
        const weightGrads = weightGradients(layerInput, savedWs, grads, savedStates, cell, [T, B, H]);
        return grads.dProbe ? [...weightGrads, grads.dProbe] : weightGrads;
      },
    };
  };
  const inputs: tf.Tensor[] = [...(dense ? [input.x] : []), weights.W, weights.b, weights.U, ...weights.extras];
  if (probe) inputs.push(probe);
  const op = tf.customGrad(run as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(...inputs) as tf.Tensor3D;
}

/**
 * What `recurrentLayer` computes, as plain tfjs ops that tfjs differentiates itself: slower,
 * and the reference the hand-written backward is tested against.
 */
export function recurrentLayerReference(cell: Cell, input: LayerInput, weights: LayerWeights, probe?: tf.Tensor3D): tf.Tensor3D {
  const G = cell.gates;
  const [T, B] = 'x' in input ? input.x.shape : (input.ids.shape as [number, number]);
  const H = weights.U.shape[0];
  const Ws = blocks(weights.W, G);
  const bs = blocks(weights.b, G);
  const Us = blocks(weights.U, G);
  const perBlock = ('x' in input
    ? Ws.map((Wk, k) => input.x.reshape([T * B, -1]).matMul(Wk).add(bs[k]))
    : Ws.map((Wk, k) => tf.oneHot(input.ids.reshape([-1]).toInt(), Wk.shape[0]).toFloat().matMul(Wk).add(bs[k]))
  ).map((p) => tf.unstack(p.reshape([T, B, H])) as tf.Tensor2D[]);
  const xws = Array.from({ length: T }, (_, t) => perBlock.map((rows) => rows[t]));
  const recurrent = (h: tf.Tensor2D) => Us.map((Uk) => h.matMul(Uk) as tf.Tensor2D);
  const probes = probe ? (tf.unstack(probe) as tf.Tensor2D[]) : null;
  const { states } = unroll(cell, xws, recurrent, weights.extras, zeroState(cell, B, H), probes);
  return tf.stack(states.slice(1).map((s) => s[0])) as tf.Tensor3D;
}

/** What BPTT hands to the weight gradients: per block, every step's da stacked (T·B, H). */
interface TimeGradients {
  readonly dxw: tf.Tensor2D[];
  readonly dhu: tf.Tensor2D[];
  /** ∂L/∂h_t for every t (T, B, H): the probe's gradient (only when asked for). */
  readonly dProbe: tf.Tensor3D | null;
}

/**
 * Backpropagation through time: dy = ∂L/∂h_t (T, B, H) from above (the next layer or the
 * output). Walking t from T−1 down:
 *   dh_t = dy_t + ∂L/∂h_t through step t+1     (= ∂L/∂probe_t: the probe is added to h_t)
 *   the cell turns dh_t into da_t per block, and  ∂L/∂h_{t−1} = Σ_k da_k U_kᵀ (+ paths around U).
 */
function backThroughTime(
  cell: Cell,
  dy: tf.Tensor3D,
  states: tf.Tensor2D[][],
  steps: CellStep[],
  Us: tf.Tensor2D[],
  withProbe: boolean,
): TimeGradients {
  const T = steps.length;
  const G = Us.length;
  const dys = splitTime(dy);
  const uTs = Us.map((Uk) => Uk.transpose()); // (H, H), transposed once rather than at every step
  const dxws: tf.Tensor2D[][] = Us.map(() => new Array(T));
  const dhus: tf.Tensor2D[][] = Us.map(() => new Array(T));
  const dhs: tf.Tensor2D[] = new Array(T);
  let dNext: tf.Tensor2D | null = null; // ∂L/∂h_t through step t+1
  let dRestNext: (tf.Tensor2D | null)[] = new Array(cell.stateSize - 1).fill(null);
  for (let t = T - 1; t >= 0; t--) {
    const dh: tf.Tensor2D = dNext ? dys[t].add(dNext) : dys[t];
    const g = cell.backward(dh, dRestNext, states[t], steps[t]);
    dhs[t] = dh;
    for (let k = 0; k < G; k++) {
      dxws[k][t] = g.dxw[k];
      dhus[k][t] = g.dhu[k];
    }
    if (t === 0) break; // the initial state is a constant: nothing to pass back
    let dPrev = g.dhDirect;
    for (let k = 0; k < G; k++) {
      const throughU = g.dhu[k].matMul(uTs[k]) as tf.Tensor2D;
      dPrev = dPrev ? (dPrev.add(throughU) as tf.Tensor2D) : throughU;
    }
    dNext = dPrev;
    dRestNext = g.dRest;
  }
  const dxw = dxws.map((rows) => tf.concat(rows) as tf.Tensor2D);
  const dhu = dhus.map((rows, k) => (rows.every((d, t) => d === dxws[k][t]) ? dxw[k] : (tf.concat(rows) as tf.Tensor2D)));
  return { dxw, dhu, dProbe: withProbe ? (tf.stack(dhs) as tf.Tensor3D) : null };
}

/**
 * [∂L/∂x (dense input only), ∂L/∂W, ∂L/∂b, ∂L/∂U, ∂L/∂extras...] from the stacked da's.
 * Per block k, with L = [h_{t−1} | 1 | x_t] over all T·B rows (T·B, H + 1 + I):
 *   Lᵀ da_k = [dU_k; db_k; dW_k]  (one matMul, when the input and recurrent terms share da_k),
 * and dx = Σ_k da_k W_kᵀ. One-hot input: dW_k scatters da_k's rows to the tokens' rows.
 */
function weightGradients(
  input: { x: tf.Tensor2D } | { ids: tf.Tensor1D; vocabSize: number },
  Ws: tf.Tensor2D[],
  g: TimeGradients,
  states: tf.Tensor2D[][],
  cell: Cell,
  dyShape: [number, number, number],
): tf.Tensor[] {
  const [T, B, H] = dyShape;
  const hPrev = tf.concat(states.slice(0, T).map((s) => s[0])); // (T·B, H): h_{t−1} for every t
  const parts = [hPrev, tf.ones([T * B, 1])];
  if ('x' in input) parts.push(input.x);
  const LT = tf.concat(parts, 1).transpose() as tf.Tensor2D; // (H + 1 + I, T·B)
  const I = LT.shape[0] - H - 1;
  const rows = (m: tf.Tensor2D, start: number, n: number) => m.slice([start, 0], [n, H]) as tf.Tensor2D;
  let recurrentRows: tf.Tensor2D | null = null; // [h_{t−1} | 1]ᵀ, for blocks whose dhu differs
  let inputRows: tf.Tensor2D | null = null; // [1 | x_t]ᵀ
  const dW: tf.Tensor2D[] = [];
  const db: tf.Tensor2D[] = [];
  const dU: tf.Tensor2D[] = [];
  const dhuSums: tf.Tensor1D[] = [];
  Ws.forEach((_, k) => {
    if (g.dhu[k] === g.dxw[k]) {
      const m = LT.matMul(g.dxw[k]) as tf.Tensor2D; // (H + 1 + I, H)
      dU.push(rows(m, 0, H));
      db.push(rows(m, H, 1));
      if (I > 0) dW.push(rows(m, H + 1, I));
    } else {
      recurrentRows ??= LT.slice([0, 0], [H + 1, T * B]);
      inputRows ??= LT.slice([H, 0], [1 + I, T * B]);
      const mh = recurrentRows.matMul(g.dhu[k]) as tf.Tensor2D; // (H + 1, H)
      const mx = inputRows.matMul(g.dxw[k]) as tf.Tensor2D; // (1 + I, H)
      dU.push(rows(mh, 0, H));
      dhuSums[k] = rows(mh, H, 1).reshape([H]) as tf.Tensor1D;
      db.push(rows(mx, 0, 1));
      if (I > 0) dW.push(rows(mx, 1, I));
    }
    dhuSums[k] ??= db[k].reshape([H]) as tf.Tensor1D;
  });
  const grads: tf.Tensor[] = [];
  if ('x' in input) {
    let dx: tf.Tensor | null = null;
    Ws.forEach((Wk, k) => {
      const part = g.dxw[k].matMul(Wk.transpose());
      dx = dx ? dx.add(part) : part;
    });
    grads.push(dx!.reshape([T, B, I]));
    grads.push(tf.concat(dW, 1));
  } else {
    const ids = input.ids.expandDims(1);
    grads.push(tf.concat(g.dxw.map((d) => tf.scatterND(ids, d, [input.vocabSize, H])), 1));
  }
  grads.push(tf.concat(db, 1).reshape([-1]), tf.concat(dU, 1), ...cell.extraGradients(dhuSums));
  return grads;
}

// ---------------------------------------------------------------------------------------------
// Weights.

interface LayerVariables {
  readonly W: tf.Variable;
  readonly U: tf.Variable;
  readonly b: tf.Variable;
  readonly extras: readonly tf.Variable[];
}

/** Uniform(−limit, limit) of `shape`, seeded by the model seed and the weight's name. */
function seededUniform(shape: number[], limit: number, seed: number, name: string): tf.Tensor {
  return tf.randomUniform(shape, -limit, limit, 'float32', `${seed}/${name}`);
}

/** Glorot uniform per gate block: limit √(6 / (fanIn + blockWidth)). */
function glorot(fanIn: number, blockWidth: number, columns: number, seed: number, name: string): tf.Tensor {
  return seededUniform([fanIn, columns], Math.sqrt(6 / (fanIn + blockWidth)), seed, name);
}

function checkConfig(config: RecurrentConfig, cell: Cell): void {
  if (config.arch !== cell.kind) throw new Error(`config.arch is '${config.arch}', expected '${cell.kind}'`);
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`config.${name} must be a positive integer, got ${v}`);
  };
  positive('vocabSize', config.vocabSize);
  positive('hiddenSize', config.hiddenSize);
  positive('layers', config.layers);
  if (config.input === 'embedding') positive('embeddingSize', config.embeddingSize);
  else if (config.input !== 'onehot') throw new Error(`unknown input encoding '${config.input}'`);
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new Error(`config.dropout must be in [0, 1), got ${config.dropout}`);
}

// ---------------------------------------------------------------------------------------------
// The model.

/** A recurrent language model of `config.layers` layers of `cell`. */
export function createRecurrentModel(config: RecurrentConfig, cell: Cell): SequenceModel {
  checkConfig(config, cell);
  const { vocabSize: V, hiddenSize: H, layers: L, seed } = config;
  const G = cell.gates;
  const S = cell.stateSize;
  const inputWidth = config.input === 'embedding' ? config.embeddingSize : V;

  const weights = new Map<string, tf.Variable>();
  const add = (name: string, initial: tf.Tensor): tf.Variable => {
    const v = tf.variable(initial, true);
    initial.dispose();
    weights.set(name, v);
    return v;
  };
  const embedding =
    config.input === 'embedding' ? add('embedding', seededUniform([V, config.embeddingSize], Math.sqrt(3), seed, 'embedding')) : null;
  const layers: LayerVariables[] = [];
  for (let l = 0; l < L; l++) {
    const p = `layer${l}/`;
    const fanIn = l === 0 ? inputWidth : H;
    const W = add(`${p}W`, glorot(fanIn, H, G * H, seed, `${p}W`));
    const U = add(`${p}U`, cell.identityRecurrent(config) ? tf.eye(H) : glorot(H, H, G * H, seed, `${p}U`));
    const b = add(`${p}b`, tf.tensor1d(cell.initialBias(config)));
    const extras = cell.extraWeights.map((name) => add(`${p}${name}`, tf.zeros([H])));
    layers.push({ W, U, b, extras });
  }
  const outKernel = add('output/kernel', glorot(H, V, V, seed, 'output/kernel'));
  const outBias = add('output/bias', tf.zeros([V]));
  const layerWeights = (l: number): LayerWeights => {
    const { W, b, U, extras } = layers[l];
    return { W: W as tf.Tensor2D, b: b as tf.Tensor1D, U: U as tf.Tensor2D, extras };
  };

  /** Layer 0's input: the embedded tokens (T, B, E), or the ids standing for one-hot vectors. */
  const firstInput = (idsT: tf.Tensor2D): LayerInput =>
    embedding ? { x: embeddingLookup(embedding as tf.Tensor2D, idsT) as tf.Tensor3D } : { ids: idsT };

  /** h (T, B, H) → logits (T, B, V). */
  const project = (h: tf.Tensor3D): tf.Tensor3D => {
    const [T, B] = h.shape;
    return h.reshape([T * B, H]).matMul(outKernel).add(outBias).reshape([T, B, V]);
  };

  /**
   * Layer l for inference (no gradient, any T, usually B = 1): one (·, G·H) product for the
   * input and one per step for the recurrent term, cut into blocks (cheap at B = 1).
   */
  const inferLayer = (l: number, input: LayerInput, state0: tf.Tensor2D[]): Unrolled => {
    const { W, b, U, extras } = layerWeights(l);
    const xwAll = inputProjections(input, [W], [b])[0]; // (T·B, G·H)
    const batch = state0[0].shape[0];
    const rows = xwAll.shape[0] === batch ? [xwAll] : splitTime(xwAll.reshape([-1, batch, G * H]));
    const xws = rows.map((row) => blocks(row, G));
    return unroll(cell, xws, (h) => blocks(h.matMul(U) as tf.Tensor2D, G), extras, state0, null);
  };

  const checkIds = (ids: readonly number[]) => {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`token id ${id} is outside the vocabulary [0, ${V})`);
    }
  };

  return {
    config,
    probeSize: H,
    weights,

    forward(ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
      const [B, T] = ids.shape;
      const dropout = options.training && config.dropout > 0 ? config.dropout : 0;
      if (options.probe) {
        const [pt, pb, ph] = options.probe.shape;
        if (pt !== T || pb !== B || ph !== H) throw new Error(`probe must be [${T}, ${B}, ${H}], got [${options.probe.shape}]`);
      }
      const idsT = ids.transpose().toInt() as tf.Tensor2D; // (T, B): time-major inside
      let input = firstInput(idsT);
      let h: tf.Tensor3D | null = null;
      for (let l = 0; l < L; l++) {
        const probe = l === L - 1 ? options.probe : undefined;
        h = recurrentLayer(cell, input, layerWeights(l), probe); // (T, B, H)
        if (dropout > 0) h = tf.dropout(h, dropout) as tf.Tensor3D;
        input = { x: h };
      }
      return project(h!).transpose([1, 0, 2]) as tf.Tensor3D; // (B, T, V)
    },

    inspect(tokens: readonly number[]): ModelInternals {
      checkIds(tokens);
      const T = tokens.length;
      return tf.tidy(() => {
        if (T === 0) return { tokens: [], inputs: [], layers: layers.map(() => emptyInternals(cell)), logits: [] };
        const idsT = tf.tensor2d([...tokens], [T, 1], 'int32');
        let input = firstInput(idsT);
        const inputs = 'x' in input ? input.x : oneHotInput(idsT, V);
        const layerInternals: LayerInternals[] = [];
        let h: tf.Tensor3D | null = null;
        for (let l = 0; l < L; l++) {
          const { states, steps } = inferLayer(l, input, zeroState(cell, 1, H));
          const perStep = steps.map(
            (step, t): Record<string, tf.Tensor2D> => ({ ...cell.internals(states[t], step), hidden: states[t + 1][0] }),
          );
          const record: Record<string, unknown> = { kind: cell.kind };
          for (const key of Object.keys(perStep[0])) record[key] = toRows(tf.concat(perStep.map((r) => r[key])));
          layerInternals.push(record as LayerInternals);
          h = tf.stack(states.slice(1).map((s) => s[0])) as tf.Tensor3D;
          input = { x: h };
        }
        return { tokens: [...tokens], inputs: toRows(inputs), layers: layerInternals, logits: toRows(project(h!)) };
      });
    },

    initialState(): ModelState {
      return { position: 0, tensors: Array.from({ length: L * S }, () => tf.zeros([1, H])) };
    },

    step(state: ModelState, tokenId: number): StepResult {
      checkIds([tokenId]);
      if (state.tensors.length !== L * S) throw new Error(`state holds ${state.tensors.length} tensors, expected ${L * S}`);
      const out = tf.tidy(() => {
        let input = firstInput(tf.tensor2d([[tokenId]], [1, 1], 'int32'));
        const next: tf.Tensor2D[] = [];
        for (let l = 0; l < L; l++) {
          const prev = state.tensors.slice(l * S, (l + 1) * S) as tf.Tensor2D[];
          const s = inferLayer(l, input, prev).states[1];
          next.push(...s);
          input = { x: s[0].reshape([1, 1, H]) as tf.Tensor3D };
        }
        return [project((input as { x: tf.Tensor3D }).x), ...next];
      });
      const logits = Float32Array.from(out[0].dataSync() as Float32Array);
      out[0].dispose();
      return { logits, state: { position: state.position + 1, tensors: out.slice(1) } };
    },

    dispose(): void {
      for (const v of weights.values()) v.dispose();
    },
  };
}

/** (T, 1, K) or (T, K) → number[T][K]. */
function toRows(x: tf.Tensor): number[][] {
  return x.reshape([x.shape[0], -1]).arraySync() as number[][];
}

function emptyInternals(cell: Cell): LayerInternals {
  switch (cell.kind) {
    case 'rnn':
      return { kind: 'rnn', hidden: [] };
    case 'gru':
      return { kind: 'gru', update: [], reset: [], candidate: [], hidden: [] };
    case 'lstm':
      return { kind: 'lstm', forget: [], input: [], candidate: [], output: [], cell: [], hidden: [] };
  }
}
