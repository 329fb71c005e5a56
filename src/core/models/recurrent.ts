// What the vanilla RNN, the GRU and the LSTM share: turning ids into input vectors, stacking
// layers, dropout, the output projection to vocabulary logits, the probe, inspection,
// stepping, and backpropagation through time. A cell file (rnn.ts, gru.ts, lstm.ts) only says
// what one timestep computes, forward and backward; this file runs it over a sequence.
//
//   ids (B, T)
//   -> input vectors x_t (T, B, I)        learned embedding (I = E), or one-hot (I = V)
//   -> layers x recurrent layer:          pre-activations a_t = x_t W + b + h_{t-1} U, G gate
//                                         blocks of H columns each; then the cell's gates
//      (dropout on each layer's output, training only)
//   -> h_t W_out + b_out                  logits (B, T, V)
//
// Weights (names are stable; save/load, optimisers and ONNX export rely on them).
// E = embeddingSize, V = vocabSize, H = hiddenSize, G = the cell's gate count (RNN 1, GRU 3,
// LSTM 4), I = E (embedding input) or V (one-hot input) for layer 0 and H above it:
//   embedding [V, E]            input 'embedding' only: the token table
//   layer{l}/W [I, G·H]         input kernel, gate blocks side by side (order: the cell file)
//   layer{l}/U [H, G·H]         recurrent kernel, same column layout
//   layer{l}/b [G·H]            bias, same column layout
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
// Speed: training runs each layer's whole recurrence as one tf.customGrad with a hand-written
// backpropagation through time, so that
//   - the input projection x_t W + b of every timestep is one (T·B, I) x (I, G·H) matMul
//     before the loop (and its gradients dW, dx are single matMuls, left to autodiff);
//   - each timestep costs one (B, H) x (H, G·H) matMul plus elementwise ops, forward and back;
//   - dU = Σ_t h_{t−1}ᵀ da_t is one (H, T·B) x (T·B, G·H) matMul after the loop.
// On the wasm backend a slice reads its whole input out of the wasm heap (a (T, B, G·H)
// tensor costs ~7 ms per slice), so per-timestep rows are cut by one read and T small uploads.
import * as tf from '@tensorflow/tfjs';
import { embeddingLookup, oneHotInput } from '../embedding';
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
// The contract between this file and a cell file.

/** A layer's tensors as a cell's timestep sees them (U and the cell's extra weights). */
export interface CellWeights {
  /** Recurrent kernel (H, G·H). */
  readonly U: tf.Tensor2D;
  /** The cell's extra weights, in the order of `Cell.extraWeights`. */
  readonly extras: readonly tf.Tensor[];
}

/** One timestep forward. */
export interface CellStep {
  /** The layer's state after the step, h first; each (B, H). */
  readonly state: tf.Tensor2D[];
  /** What the backward step and `inspect` need from this step (cell-defined, fixed length). */
  readonly cache: tf.Tensor2D[];
}

/** One timestep backward. */
export interface CellGradients {
  /** ∂L/∂a_t for the input term: the gradient of x_t W + b at this step, (B, G·H). */
  readonly dxw: tf.Tensor2D;
  /** ∂L/∂(h_{t−1} U), (B, G·H): equals dxw unless the cell treats the recurrent term apart. */
  readonly dhu: tf.Tensor2D;
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
  /** a_t = xw + h_{t−1} U and the gates: xw (B, G·H) is x_t W + b, prev the state before. */
  forward(xw: tf.Tensor2D, prev: readonly tf.Tensor2D[], w: CellWeights): CellStep;
  /**
   * BPTT through one step: dh = ∂L/∂h_t (everything reaching h_t), dRest = ∂L/∂ the rest of
   * the state after the step (null when nothing reaches it), prev = the state before it.
   */
  backward(
    dh: tf.Tensor2D,
    dRest: readonly (tf.Tensor2D | null)[],
    prev: readonly tf.Tensor2D[],
    step: CellStep,
    w: CellWeights,
  ): CellGradients;
  /** Gradients of the extra weights from every step's dhu stacked, (T·B, G·H). */
  extraGradients(dhu: tf.Tensor2D, hiddenSize: number): tf.Tensor[];
  /** This step's internals for `inspect` (B = 1), each (1, H); `hidden` is added by the caller. */
  internals(prev: readonly tf.Tensor2D[], step: CellStep): Record<string, tf.Tensor2D>;
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the cells.

/**
 * tanh(x) = 2σ(2x) − 1. On the wasm backend tf.tanh is scalar libm code (~20 ns an element)
 * while tf.sigmoid is XNNPACK's vector kernel (~2.5 ns); four ops through the sigmoid are
 * still 2x faster than one tanh on a (32, 256) tensor. Within 1e-7 of tf.tanh.
 */
export function tanh(x: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.tanh(x);
  return tf.sigmoid(x.mul(2)).mul(2).sub(1);
}

/** Columns [start, start + width) of a (B, N) matrix. */
export function columns(x: tf.Tensor2D, start: number, width: number): tf.Tensor2D {
  return x.slice([0, start], [x.shape[0], width]);
}

/**
 * Rows of x (T, B, K) as T tensors (B, K). tf.unstack, except on wasm, where it copies the
 * data out once and uploads each row (a wasm slice copies its whole input every time).
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

// ---------------------------------------------------------------------------------------------
// Running a layer over a sequence.

/** Every state and cache of a layer unrolled over T steps: states[0] is the initial state. */
interface Unrolled {
  readonly states: tf.Tensor2D[][];
  readonly steps: CellStep[];
}

/** Runs the cell over T steps from state0; probes[t] (B, H), if given, is added to h_t. */
function unroll(
  cell: Cell,
  xws: readonly tf.Tensor2D[],
  w: CellWeights,
  state0: tf.Tensor2D[],
  probes: readonly tf.Tensor2D[] | null,
): Unrolled {
  const states = [state0];
  const steps: CellStep[] = [];
  for (let t = 0; t < xws.length; t++) {
    const step = cell.forward(xws[t], states[t], w);
    const [h, ...rest] = step.state;
    states.push(probes ? [h.add(probes[t]) as tf.Tensor2D, ...rest] : step.state);
    steps.push(step);
  }
  return { states, steps };
}

function zeroState(cell: Cell, batch: number, hidden: number): tf.Tensor2D[] {
  return Array.from({ length: cell.stateSize }, () => tf.zeros([batch, hidden]) as tf.Tensor2D);
}

/**
 * One layer over the whole sequence with a hand-written backward (BPTT):
 * xw (T, B, G·H) = x_t W + b for every t, U (H, G·H), the cell's extras, and the probe
 * (T, B, H) if any → every hidden state h_t (T, B, H), from a zero initial state.
 */
export function recurrentLayer(
  cell: Cell,
  xw: tf.Tensor3D,
  U: tf.Tensor2D,
  extras: readonly tf.Tensor[],
  probe?: tf.Tensor3D,
): tf.Tensor3D {
  const [steps, batch] = xw.shape;
  const hidden = U.shape[0];
  const nExtras = extras.length;
  const run = (...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xwIn, uIn, ...rest] = args as tf.Tensor[];
    const w: CellWeights = { U: uIn as tf.Tensor2D, extras: rest.slice(0, nExtras) };
    const probes = probe ? splitTime(rest[nExtras] as tf.Tensor3D) : null;
    const { states, steps: cellSteps } = unroll(cell, splitTime(xwIn as tf.Tensor3D), w, zeroState(cell, batch, hidden), probes);
    const cacheSize = cellSteps.length ? cellSteps[0].cache.length : 0;
    save([...states.flat(), ...cellSteps.flatMap((s) => s.cache)]);
    return {
      value: tf.stack(states.slice(1).map((s) => s[0])) as tf.Tensor3D, // (T, B, H)
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const S = cell.stateSize;
        const savedStates: tf.Tensor2D[][] = [];
        for (let t = 0; t <= steps; t++) savedStates.push(saved.slice(t * S, (t + 1) * S) as tf.Tensor2D[]);
        const cacheStart = (steps + 1) * S;
        const savedSteps: CellStep[] = [];
        for (let t = 0; t < steps; t++) {
          savedSteps.push({
            state: savedStates[t + 1],
            cache: saved.slice(cacheStart + t * cacheSize, cacheStart + (t + 1) * cacheSize) as tf.Tensor2D[],
          });
        }
        return backThroughTime(cell, dy as tf.Tensor3D, savedStates, savedSteps, w, probe !== undefined);
      },
    };
  };
  const inputs: tf.Tensor[] = [xw, U, ...extras];
  if (probe) inputs.push(probe);
  const op = tf.customGrad(run as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(...inputs) as tf.Tensor3D;
}

/**
 * What `recurrentLayer` computes, as plain tfjs ops that tfjs differentiates itself: slower,
 * and the reference the hand-written backward is tested against.
 */
export function recurrentLayerReference(
  cell: Cell,
  xw: tf.Tensor3D,
  U: tf.Tensor2D,
  extras: readonly tf.Tensor[],
  probe?: tf.Tensor3D,
): tf.Tensor3D {
  const [, batch] = xw.shape;
  const { states } = unroll(cell, tf.unstack(xw) as tf.Tensor2D[], { U, extras }, zeroState(cell, batch, U.shape[0]), probe ? (tf.unstack(probe) as tf.Tensor2D[]) : null);
  return tf.stack(states.slice(1).map((s) => s[0])) as tf.Tensor3D;
}

/**
 * The backward of `recurrentLayer`: dy = ∂L/∂h_t (T, B, H) from above (the next layer or the
 * output) → [∂L/∂xw, ∂L/∂U, ∂L/∂extras..., ∂L/∂probe if any]. Walking t from T−1 down:
 *   dh_t = dy_t + ∂L/∂h_t through step t+1     (= ∂L/∂probe_t: the probe is added to h_t)
 *   the cell turns dh_t into da_t, and  ∂L/∂h_{t−1} = da_t Uᵀ (+ paths around U).
 */
function backThroughTime(
  cell: Cell,
  dy: tf.Tensor3D,
  states: tf.Tensor2D[][],
  steps: CellStep[],
  w: CellWeights,
  withProbe: boolean,
): tf.Tensor[] {
  const T = steps.length;
  const [hidden, width] = w.U.shape;
  const dys = splitTime(dy);
  const uT = w.U.transpose(); // (G·H, H), transposed once rather than at every step
  const dxws: tf.Tensor2D[] = new Array(T);
  const dhus: tf.Tensor2D[] = new Array(T);
  const dhs: tf.Tensor2D[] = new Array(T);
  let dNext: tf.Tensor2D | null = null; // ∂L/∂h_t through step t+1
  let dRestNext: (tf.Tensor2D | null)[] = new Array(cell.stateSize - 1).fill(null);
  for (let t = T - 1; t >= 0; t--) {
    const dh: tf.Tensor2D = dNext ? dys[t].add(dNext) : dys[t];
    const g = cell.backward(dh, dRestNext, states[t], steps[t], w);
    dhs[t] = dh;
    dxws[t] = g.dxw;
    dhus[t] = g.dhu;
    const throughU = g.dhu.matMul(uT) as tf.Tensor2D;
    dNext = g.dhDirect ? (throughU.add(g.dhDirect) as tf.Tensor2D) : throughU;
    dRestNext = g.dRest;
  }
  const batch = dy.shape[1];
  const dhu = tf.concat(dhus); // (T·B, G·H)
  const dxw = (dxws.every((d, t) => d === dhus[t]) ? dhu : tf.concat(dxws)).reshape([T, batch, width]);
  const hPrev = tf.concat(states.slice(0, T).map((s) => s[0])); // (T·B, H): h_{t−1} for every t
  const dU = hPrev.transpose().matMul(dhu); // (H, G·H) = Σ_t h_{t−1}ᵀ da_t
  const grads: tf.Tensor[] = [dxw, dU, ...cell.extraGradients(dhu, hidden)];
  if (withProbe) grads.push(tf.stack(dhs));
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
    const U = add(
      `${p}U`,
      cell.identityRecurrent(config) ? tf.eye(H) : glorot(H, H, G * H, seed, `${p}U`),
    );
    const b = add(`${p}b`, tf.tensor1d(cell.initialBias(config)));
    const extras = cell.extraWeights.map((name) => add(`${p}${name}`, tf.zeros([H])));
    layers.push({ W, U, b, extras });
  }
  const outKernel = add('output/kernel', glorot(H, V, V, seed, 'output/kernel'));
  const outBias = add('output/bias', tf.zeros([V]));
  const cellWeights = (l: number): CellWeights => ({ U: layers[l].U as tf.Tensor2D, extras: layers[l].extras });

  /** The vectors the tokens enter layer 0 as: ids (T, B) → (T, B, I). */
  const inputVectors = (idsT: tf.Tensor2D): tf.Tensor3D =>
    (embedding ? embeddingLookup(embedding as tf.Tensor2D, idsT) : oneHotInput(idsT, V)) as tf.Tensor3D;

  /** Layer l's x_t W + b for every t: x (T, B, I) → (T, B, G·H). Layer 0 one-hot reads rows of W. */
  const inputProjection = (l: number, x: tf.Tensor3D | null, idsT: tf.Tensor2D): tf.Tensor3D => {
    const { W, b } = layers[l];
    if (l === 0 && !embedding) return embeddingLookup(W as tf.Tensor2D, idsT).add(b) as tf.Tensor3D;
    const [T, B, I] = x!.shape;
    return x!.reshape([T * B, I]).matMul(W).add(b).reshape([T, B, G * H]);
  };

  /** h (T, B, H) → logits (T, B, V). */
  const project = (h: tf.Tensor3D): tf.Tensor3D => {
    const [T, B] = h.shape;
    return h.reshape([T * B, H]).matMul(outKernel).add(outBias).reshape([T, B, V]);
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
      let x: tf.Tensor3D | null = embedding ? inputVectors(idsT) : null;
      let h: tf.Tensor3D | null = null;
      for (let l = 0; l < L; l++) {
        const xw = inputProjection(l, x, idsT); // (T, B, G·H)
        const probe = l === L - 1 ? options.probe : undefined;
        h = recurrentLayer(cell, xw, layers[l].U as tf.Tensor2D, layers[l].extras, probe); // (T, B, H)
        if (dropout > 0) h = tf.dropout(h, dropout) as tf.Tensor3D;
        x = h;
      }
      return project(h!).transpose([1, 0, 2]) as tf.Tensor3D; // (B, T, V)
    },

    inspect(tokens: readonly number[]): ModelInternals {
      checkIds(tokens);
      const T = tokens.length;
      return tf.tidy(() => {
        if (T === 0) {
          return { tokens: [], inputs: [], layers: layers.map(() => emptyInternals(cell)), logits: [] };
        }
        const idsT = tf.tensor2d([...tokens], [T, 1], 'int32');
        const inputs = inputVectors(idsT);
        let x: tf.Tensor3D | null = embedding ? inputs : null;
        const layerInternals: LayerInternals[] = [];
        for (let l = 0; l < L; l++) {
          const xw = inputProjection(l, x, idsT);
          const { states, steps } = unroll(cell, splitTime(xw), cellWeights(l), zeroState(cell, 1, H), null);
          const perStep = steps.map(
            (step, t): Record<string, tf.Tensor2D> => ({ ...cell.internals(states[t], step), hidden: states[t + 1][0] }),
          );
          const record: Record<string, unknown> = { kind: cell.kind };
          for (const key of Object.keys(perStep[0])) record[key] = toRows(tf.concat(perStep.map((r) => r[key])));
          layerInternals.push(record as LayerInternals);
          x = tf.stack(states.slice(1).map((s) => s[0])) as tf.Tensor3D;
        }
        return {
          tokens: [...tokens],
          inputs: toRows(inputs),
          layers: layerInternals,
          logits: toRows(project(x!)),
        };
      });
    },

    initialState(): ModelState {
      return { position: 0, tensors: Array.from({ length: L * S }, () => tf.zeros([1, H])) };
    },

    step(state: ModelState, tokenId: number): StepResult {
      checkIds([tokenId]);
      if (state.tensors.length !== L * S) throw new Error(`state holds ${state.tensors.length} tensors, expected ${L * S}`);
      const out = tf.tidy(() => {
        const idsT = tf.tensor2d([[tokenId]], [1, 1], 'int32');
        let x: tf.Tensor3D | null = embedding ? inputVectors(idsT) : null;
        const next: tf.Tensor2D[] = [];
        for (let l = 0; l < L; l++) {
          const xw = inputProjection(l, x, idsT).reshape([1, G * H]) as tf.Tensor2D;
          const prev = state.tensors.slice(l * S, (l + 1) * S) as tf.Tensor2D[];
          const s = cell.forward(xw, prev, cellWeights(l)).state;
          next.push(...s);
          x = s[0].reshape([1, 1, H]) as tf.Tensor3D;
        }
        return [project(x!), ...next];
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
