// A decoder-only Transformer language model (GPT-style), written out so every attention map
// can be shown.
//
//   ids (B, T)
//   -> token vectors * √C                     embedding lookup, or one-hot times a kernel
//      + positional encoding (T, C)           sinusoidal, learned or none (positionalEncoding.ts)
//   -> layers x pre-LN block:
//        x = x + Attention(LN1(x))            causal multi-head self-attention (attention.ts)
//        x = x + FFN(LN2(x))                  FFN(h) = ReLU(h W_up + b_up) W_down + b_down
//   -> final LN -> logits (B, T, V)           output kernel, or the embedding transposed (tied)
//
// Choices, for the record:
// - Pre-LN (normalise before each sub-layer, GPT-2) rather than the 2017 post-LN: the residual
//   stream is a clean sum, gradients reach early layers without warm-up tricks.
// - ReLU in the FFN, as in "Attention Is All You Need" (GELU is GPT's choice): XNNPACK applies
//   ReLU inside the matMul for free, while tfjs has no GELU kernel (the tanh formula would be
//   ~8 extra elementwise ops each way on the largest activation, (B*T, F)).
// - Token vectors are scaled by √C (the 2017 paper) with the table initialised at std 1/√C, so
//   tokens enter at unit scale next to the positional encoding, and a tied output projection
//   starts with unit-scale logits. Other kernels start at std 0.02 (GPT-2), the two that write
//   into the residual stream at 0.02/√(2·layers); biases at 0, layer norm gains at 1.
// - Dropout (config.dropout, training only) on the input vectors, the attention weights and
//   both sub-layer outputs before they join the residual stream (as nanoGPT).
// - For speed on the wasm backend (see fastOps.ts): the residual stream is kept as (B*T, C)
//   rows so every linear map is one plain matMul with a hand-written gradient; each layer
//   norm's gamma and beta are folded into the linear map it feeds (layerNorm.ts), which
//   computes the same function.
//
// Weights (names are stable; save/load and ONNX export walk them). C = modelSize, F = ffnSize,
// E = embeddingSize, V = vocabSize, i = block index:
//   embedding [V, E]                 input 'embedding': the token table
//   embedding/proj [E, C]            only when E ≠ C: token vectors up/down to the model width
//   input/kernel [V, C]              input 'onehot': one-hot vectors times this kernel
//   position [contextSize, C]        positional 'learned' only (sinusoidal is a constant)
//   block{i}/ln1/gamma, block{i}/ln1/beta [C]
//   block{i}/attn/qkv/kernel [C, 3C], block{i}/attn/qkv/bias [3C]   (column layout: attention.ts)
//   block{i}/attn/proj/kernel [C, C], block{i}/attn/proj/bias [C]
//   block{i}/ln2/gamma, block{i}/ln2/beta [C]
//   block{i}/ffn/up/kernel [C, F], block{i}/ffn/up/bias [F]
//   block{i}/ffn/down/kernel [F, C], block{i}/ffn/down/bias [C]
//   final/ln/gamma, final/ln/beta [C]
//   head/kernel [C, V]               absent when tieWeights: logits use the input table
//                                    transposed (and embedding/proj transposed, if any)
//   head/bias [V]
//
// `ForwardOptions.probe` [T, B, C] is added to the residual stream entering the first block
// (token vector + position). Every later position reads it through attention, so ∂L/∂probe_t
// is the gradient reaching position t from the losses at t and after: the Transformer's
// counterpart of an RNN's ∂L/∂h_t. (After the last block nothing crosses positions, and the
// gradient there would only ever come from position t's own loss.)
//
// Generation: `step` keeps a key/value cache per layer ([H, d, n] keys, [H, n, d] values) and
// the token history, so one more token is one query against the cache. When the cache holds
// contextSize positions, the next step slides: it keeps the last ⌊contextSize/2⌋ tokens,
// recomputes their caches in one forward pass at positions 0.., and goes on from there (one
// re-run every ⌈contextSize/2⌉ tokens). The logits it returns then equal a forward pass over
// those kept tokens plus the new one. The weights in their folded form (maps()) are derived
// once and kept for step() until a variable is assigned new values.
import * as tf from '@tensorflow/tfjs';
import {
  attendWithCache,
  causalMask,
  multiHeadSelfAttention,
  scaleQueries,
  type AttentionParams,
  type KeyValueCache,
  type SelfAttentionResult,
} from './attention';
import { embeddingRows, linear, reshape, transpose2d } from './fastOps';
import { foldIntoLinear, normalize } from './layerNorm';
import { learnedEncodingInit, positionsFor, sinusoidalEncoding } from './positionalEncoding';
import { POSITIONAL_ENCODINGS } from './sequenceModel';
import type {
  ForwardOptions,
  LayerInternals,
  ModelInternals,
  ModelState,
  SequenceModel,
  StepResult,
  TransformerConfig,
} from './sequenceModel';

/** Standard deviation of the linear kernels at initialisation (GPT-2). */
const KERNEL_STD = 0.02;

/** One block's variables (typed by rank). */
interface BlockWeights {
  readonly ln1Gamma: tf.Tensor1D;
  readonly ln1Beta: tf.Tensor1D;
  readonly attn: AttentionParams;
  readonly ln2Gamma: tf.Tensor1D;
  readonly ln2Beta: tf.Tensor1D;
  readonly upKernel: tf.Tensor2D;
  readonly upBias: tf.Tensor1D;
  readonly downKernel: tf.Tensor2D;
  readonly downBias: tf.Tensor1D;
}

/** A block's linear maps as applied to normalised inputs (see TransformerModel.maps). */
interface BlockMaps {
  readonly attn: AttentionParams; // LN1 folded in, queries scaled
  readonly upKernel: tf.Tensor2D; // LN2 folded in
  readonly upBias: tf.Tensor1D;
  readonly downKernel: tf.Tensor2D;
  readonly downBias: tf.Tensor1D;
}

interface Maps {
  /** Token table at model width, × √C: (V, C). */
  readonly table: tf.Tensor2D;
  readonly blocks: BlockMaps[];
  /** Final LN folded into the output map; `then` is the second map of a tied head through embedding/proj. */
  readonly head: { kernel: tf.Tensor2D; bias: tf.Tensor1D; then?: tf.Tensor2D };
  readonly headBias: tf.Tensor1D;
}

/** What one run over a batch produces (forward keeps the logits, inspect and slide the rest). */
interface RunResult {
  readonly logits: tf.Tensor3D; // (B, T, V)
  readonly inputs: tf.Tensor2D; // (B*T, C): residual stream entering block 0
  readonly blocks: { weights: tf.Tensor3D; hidden: tf.Tensor2D; cache: KeyValueCache }[];
}

let nextInstance = 0;

/** 32-bit FNV-1a hash, so each weight's seed depends on its name, not on creation order. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function validate(config: TransformerConfig): void {
  const positive = ['vocabSize', 'modelSize', 'heads', 'layers', 'ffnSize', 'contextSize'] as const;
  for (const key of positive) {
    if (!Number.isInteger(config[key]) || config[key] < 1) throw new Error(`transformer: ${key} must be a positive integer`);
  }
  if (config.modelSize % config.heads !== 0) {
    throw new Error(`transformer: modelSize ${config.modelSize} is not divisible by ${config.heads} heads`);
  }
  if (config.input === 'embedding' && !(Number.isInteger(config.embeddingSize) && config.embeddingSize >= 1)) {
    throw new Error('transformer: embeddingSize must be a positive integer');
  }
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new Error('transformer: dropout must lie in [0, 1)');
  if (!POSITIONAL_ENCODINGS.includes(config.positional)) throw new Error(`transformer: unknown positional encoding '${config.positional}'`);
}

export class TransformerModel implements SequenceModel {
  readonly config: TransformerConfig;
  readonly probeSize: number;
  readonly weights: ReadonlyMap<string, tf.Variable>;

  private readonly variables = new Map<string, tf.Variable>();
  private readonly blocks: BlockWeights[] = [];
  /** Sinusoidal table [contextSize, C], or the learned `position` variable. */
  private readonly positionTable: tf.Tensor2D;
  /** Additive causal mask [contextSize, contextSize], built once. */
  private readonly fullMask: tf.Tensor2D;
  private disposed = false;
  /** maps() kept for step(), with the variables' data it was computed from. */
  private cachedMaps: { key: object[]; maps: Maps; owned: tf.Tensor[] } | null = null;
  private readonly instance = nextInstance++;

  constructor(config: TransformerConfig) {
    validate(config);
    this.config = config;
    this.fullMask = tf.keep(causalMask(config.contextSize));
    const C = config.modelSize;
    this.probeSize = C;
    this.weights = this.variables;

    if (config.input === 'embedding') {
      const E = config.embeddingSize;
      this.addNormal('embedding', [config.vocabSize, E], 1 / Math.sqrt(C));
      if (E !== C) this.addNormal('embedding/proj', [E, C], 1 / Math.sqrt(E));
    } else {
      this.addNormal('input/kernel', [config.vocabSize, C], 1 / Math.sqrt(C));
    }
    if (config.positional === 'learned') {
      const seed = this.seedFor('position');
      this.positionTable = this.addVariable('position', learnedEncodingInit(config.contextSize, C, seed)) as tf.Tensor2D;
    } else if (config.positional === 'none') {
      this.positionTable = tf.keep(tf.zeros([config.contextSize, C]));
    } else {
      this.positionTable = tf.keep(sinusoidalEncoding(config.contextSize, C));
    }
    // Output projections of the residual branches start smaller, by 1/√(2·layers) (GPT-2), so
    // the stream's variance does not grow with depth.
    const residualStd = KERNEL_STD / Math.sqrt(2 * config.layers);
    for (let i = 0; i < config.layers; i++) {
      const p = `block${i}`;
      const vec = (v: tf.Variable) => v as tf.Tensor as tf.Tensor1D;
      const mat = (v: tf.Variable) => v as tf.Tensor as tf.Tensor2D;
      this.blocks.push({
        ln1Gamma: vec(this.addConstant(`${p}/ln1/gamma`, [C], 1)),
        ln1Beta: vec(this.addConstant(`${p}/ln1/beta`, [C], 0)),
        attn: {
          qkvKernel: mat(this.addNormal(`${p}/attn/qkv/kernel`, [C, 3 * C], KERNEL_STD)),
          qkvBias: vec(this.addConstant(`${p}/attn/qkv/bias`, [3 * C], 0)),
          projKernel: mat(this.addNormal(`${p}/attn/proj/kernel`, [C, C], residualStd)),
          projBias: vec(this.addConstant(`${p}/attn/proj/bias`, [C], 0)),
        },
        ln2Gamma: vec(this.addConstant(`${p}/ln2/gamma`, [C], 1)),
        ln2Beta: vec(this.addConstant(`${p}/ln2/beta`, [C], 0)),
        upKernel: mat(this.addNormal(`${p}/ffn/up/kernel`, [C, config.ffnSize], KERNEL_STD)),
        upBias: vec(this.addConstant(`${p}/ffn/up/bias`, [config.ffnSize], 0)),
        downKernel: mat(this.addNormal(`${p}/ffn/down/kernel`, [config.ffnSize, C], residualStd)),
        downBias: vec(this.addConstant(`${p}/ffn/down/bias`, [C], 0)),
      });
    }
    this.addConstant('final/ln/gamma', [C], 1);
    this.addConstant('final/ln/beta', [C], 0);
    if (!config.tieWeights) this.addNormal('head/kernel', [C, config.vocabSize], KERNEL_STD);
    this.addConstant('head/bias', [config.vocabSize], 0);
  }

  // ---------------------------------------------------------------- weights

  private seedFor(name: string): number {
    return (Math.imul(this.config.seed | 0, 0x9e3779b1) ^ hashName(name)) >>> 0;
  }

  private addVariable(name: string, initial: tf.Tensor): tf.Variable {
    // tfjs variable names are global (optimisers key their slots by them): make them unique.
    const v = tf.variable(initial, true, `transformer${this.instance}/${name}`);
    initial.dispose();
    this.variables.set(name, v);
    return v;
  }

  private addNormal(name: string, shape: number[], std: number): tf.Variable {
    return this.addVariable(name, tf.randomNormal(shape, 0, std, 'float32', this.seedFor(name)));
  }

  private addConstant(name: string, shape: number[], value: number): tf.Variable {
    return this.addVariable(name, tf.fill(shape, value));
  }

  private w(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (!v) throw new Error(`transformer: no weight '${name}'`);
    return v;
  }

  /** The causal mask for T positions: the top-left corner of the one built for the whole context. */
  private mask(length: number): tf.Tensor2D {
    if (length === this.config.contextSize) return this.fullMask;
    return this.fullMask.slice([0, 0], [length, length]);
  }

  // ---------------------------------------------------------------- pieces

  /**
   * The weights in the form the computation uses them, derived from the variables with
   * differentiable ops (so forward computes them inside the gradient tape):
   * - the token table at model width, times √C. One-hot input is the one-hot vector times
   *   `input/kernel`, the same product as looking up a row of it, so both use this table. The
   *   √C scale is applied to the [V, C] table, not to every (N, C) result: same numbers.
   * - each layer norm's gamma and beta folded into the linear map it feeds (layerNorm.ts), and
   *   the attention's 1/√d folded into its query columns (attention.ts).
   */
  private maps(): Maps {
    const C = this.config.modelSize;
    const v = (name: string) => this.w(name) as tf.Tensor as tf.Tensor2D;
    const vec = (name: string) => this.w(name) as tf.Tensor as tf.Tensor1D;
    let table: tf.Tensor2D; // (V, C)
    if (this.config.input === 'onehot') table = v('input/kernel');
    else if (this.config.embeddingSize === C) table = v('embedding');
    else table = tf.matMul(v('embedding'), v('embedding/proj')); // (V, E) @ (E, C)
    const blocks = this.blocks.map((b): BlockMaps => {
      const qkv = foldIntoLinear(b.ln1Gamma, b.ln1Beta, b.attn.qkvKernel, b.attn.qkvBias);
      const up = foldIntoLinear(b.ln2Gamma, b.ln2Beta, b.upKernel, b.upBias);
      return {
        attn: scaleQueries({ ...b.attn, qkvKernel: qkv.kernel, qkvBias: qkv.bias }, this.config.heads, this.config.scaleScores ?? true),
        upKernel: up.kernel,
        upBias: up.bias,
        downKernel: b.downKernel,
        downBias: b.downBias,
      };
    });
    // Output: untied, the head kernel; tied, the input table transposed (through the
    // transposed embedding/proj first when the table is narrower than the model).
    const [gamma, beta, bias] = [vec('final/ln/gamma'), vec('final/ln/beta'), vec('head/bias')];
    let head: Maps['head'];
    if (!this.config.tieWeights) head = foldIntoLinear(gamma, beta, v('head/kernel'), bias);
    else if (this.config.input === 'embedding' && this.config.embeddingSize !== C) {
      head = { ...foldIntoLinear(gamma, beta, transpose2d(v('embedding/proj'))), then: transpose2d(v('embedding')) };
    } else head = foldIntoLinear(gamma, beta, transpose2d(table), bias);
    return { table: table.mul<tf.Tensor2D>(Math.sqrt(C)), blocks, head, headBias: bias };
  }

  /**
   * maps() for inference (step), computed once and kept while the weights stay the same: a
   * variable that is assigned (optimiser step, checkpoint load) gets new data, which is checked.
   */
  private inferenceMaps(): Maps {
    const key = [...this.variables.values()].map((v) => v.dataId);
    const cached = this.cachedMaps;
    if (cached && cached.key.every((id, i) => id === key[i])) return cached.maps;
    this.disposeCachedMaps();
    let maps!: Maps;
    const owned = tf.tidy(() => {
      maps = this.maps();
      const { table, head, blocks } = maps;
      return [table, head.kernel, head.bias, ...(head.then ? [head.then] : []), ...blocks.flatMap((b) => [b.attn.qkvKernel, b.attn.qkvBias, b.upKernel, b.upBias])];
    });
    this.cachedMaps = { key, maps, owned };
    return maps;
  }

  private disposeCachedMaps(): void {
    if (this.cachedMaps) tf.dispose(this.cachedMaps.owned);
    this.cachedMaps = null;
  }

  /** Token vectors (already × √C) plus positions start.., for ids [B, T] → (B*T, C). */
  private embed(maps: Maps, ids: tf.Tensor2D, start: number): tf.Tensor2D {
    const [B, T] = ids.shape;
    const C = this.config.modelSize;
    const positions = positionsFor(this.positionTable, start, T); // (T, C)
    const tokens = reshape<tf.Rank.R3>(embeddingRows(maps.table, ids), [B, T, C]); // (B, T, C)
    return reshape<tf.Rank.R2>(tokens.add(positions), [B * T, C]);
  }

  /** Final LN and output projection: x (N, C) → logits (N, V). */
  private head(maps: Maps, x: tf.Tensor2D): tf.Tensor2D {
    const { kernel, bias, then } = maps.head;
    const h = linear(normalize(x) as tf.Tensor2D, kernel, bias); // (N, V), or (N, E) when `then`
    return then ? linear(h, then, maps.headBias) : h;
  }

  /**
   * One pre-LN block on the residual stream x (N, C) of `batch` sequences:
   *   x = x + Attention(LN1(x));  x = x + FFN(LN2(x)),  FFN(h) = ReLU(h W_up + b_up) W_down + b_down.
   * (LN's gamma and beta are inside the maps: only the normalisation is done here.)
   */
  private block(
    x: tf.Tensor2D,
    maps: BlockMaps,
    attend: (h: tf.Tensor2D, params: AttentionParams) => tf.Tensor2D,
    training: boolean,
  ): tf.Tensor2D {
    x = x.add(this.dropout(attend(normalize(x) as tf.Tensor2D, maps.attn), training));
    const hidden = linear(normalize(x) as tf.Tensor2D, maps.upKernel, maps.upBias, 'relu'); // (N, F)
    const down = linear(hidden, maps.downKernel, maps.downBias); // (N, C)
    return x.add(this.dropout(down, training));
  }

  private dropout(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    return training && this.config.dropout > 0 ? (tf.dropout(x, this.config.dropout) as tf.Tensor2D) : x;
  }

  /** The whole model over ids (B, T); forward, inspect and slide all run exactly this. */
  private run(ids: tf.Tensor2D, training: boolean, probe?: tf.Tensor3D, given?: Maps): RunResult {
    const [B, T] = ids.shape;
    const C = this.config.modelSize;
    if (T > this.config.contextSize) {
      throw new Error(`transformer: ${T} positions exceed the context of ${this.config.contextSize}`);
    }
    const maps = given ?? this.maps();
    const inputs = this.embed(maps, ids, 0); // (B*T, C)
    let x = this.dropout(inputs, training);
    if (probe) {
      if (probe.shape[0] !== T || probe.shape[1] !== B || probe.shape[2] !== C) {
        throw new Error(`transformer: probe must be [${T}, ${B}, ${C}], got [${probe.shape}]`);
      }
      x = x.add(reshape(probe.transpose([1, 0, 2]), [B * T, C])); // (T, B, C) → (B*T, C)
    }
    // Only training can run without the mask (the leak experiment); everything else is causal.
    const mask = training && this.config.causalMaskInTraining === false ? undefined : this.mask(T);
    const blocks: RunResult['blocks'] = [];
    for (const blockMaps of maps.blocks) {
      let attn: SelfAttentionResult | undefined;
      const attend = (h: tf.Tensor2D, params: AttentionParams) => {
        const options = { mask, dropout: training ? this.config.dropout : 0, queriesScaled: true };
        attn = multiHeadSelfAttention(h, B, this.config.heads, params, options);
        return attn.output;
      };
      x = this.block(x, blockMaps, attend, training);
      blocks.push({ weights: attn!.weights, hidden: x, cache: { keysT: attn!.keysT, values: attn!.values } });
    }
    const logits = reshape<tf.Rank.R3>(this.head(maps, x), [B, T, this.config.vocabSize]);
    return { logits, inputs, blocks };
  }

  // ---------------------------------------------------------------- SequenceModel

  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    this.checkAlive();
    return tf.tidy(() => this.run(ids, options.training ?? false, options.probe).logits);
  }

  inspect(ids: readonly number[]): ModelInternals {
    this.checkAlive();
    const T = ids.length;
    if (T === 0) return { tokens: [], inputs: [], layers: this.blocks.map(() => ({ kind: 'attention', attention: [], hidden: [] })), logits: [] };
    return tf.tidy(() => {
      const run = this.run(tf.tensor2d([...ids], [1, T], 'int32'), false);
      const layers: LayerInternals[] = run.blocks.map((b) => ({
        kind: 'attention' as const,
        attention: b.weights.arraySync() as number[][][], // (H, T, T): batch of one
        hidden: b.hidden.arraySync() as number[][],
      }));
      return {
        tokens: [...ids],
        inputs: run.inputs.arraySync() as number[][],
        layers,
        logits: (run.logits.arraySync() as number[][][])[0],
      };
    });
  }

  /**
   * State tensors: [history (int32 [n]: the tokens in the cache), then per layer keysT [H, d, n]
   * and values [H, n, d]]. `position` counts every token consumed, slides included.
   */
  initialState(): ModelState {
    this.checkAlive();
    const H = this.config.heads;
    const d = this.config.modelSize / H;
    const tensors: tf.Tensor[] = [tf.tensor1d([], 'int32')];
    for (let i = 0; i < this.config.layers; i++) tensors.push(tf.zeros([H, d, 0]), tf.zeros([H, 0, d]));
    return { position: 0, tensors };
  }

  step(state: ModelState, tokenId: number): StepResult {
    this.checkAlive();
    if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= this.config.vocabSize) {
      throw new Error(`transformer: token ${tokenId} outside the vocabulary of ${this.config.vocabSize}`);
    }
    const expected = 1 + 2 * this.config.layers;
    if (state.tensors.length !== expected) throw new Error('transformer: not a state of this model');
    const n = state.tensors[0].shape[0];
    const maps = this.inferenceMaps();
    const result = tf.tidy(() => {
      const [history, caches] = n < this.config.contextSize ? this.unpackState(state) : this.slide(state, maps);
      return this.stepWithCache(maps, history, caches, tokenId);
    });
    const logits = result.logits.dataSync() as Float32Array;
    result.logits.dispose();
    return { logits, state: { position: state.position + 1, tensors: result.tensors } };
  }

  private unpackState(state: ModelState): [tf.Tensor1D, (KeyValueCache | null)[]] {
    const history = state.tensors[0] as tf.Tensor1D;
    const caches: (KeyValueCache | null)[] = [];
    for (let i = 0; i < this.config.layers; i++) {
      const keysT = state.tensors[1 + 2 * i] as tf.Tensor3D;
      const values = state.tensors[2 + 2 * i] as tf.Tensor3D;
      caches.push(history.shape[0] === 0 ? null : { keysT, values });
    }
    return [history, caches];
  }

  /** The cache is full: keep the last ⌊contextSize/2⌋ tokens and rebuild their caches at positions 0... */
  private slide(state: ModelState, maps: Maps): [tf.Tensor1D, (KeyValueCache | null)[]] {
    const keep = Math.floor(this.config.contextSize / 2);
    const full = state.tensors[0] as tf.Tensor1D;
    const history = full.slice([full.shape[0] - keep], [keep]);
    if (keep === 0) return [history, this.blocks.map(() => null)];
    const run = this.run(history.reshape([1, keep]) as tf.Tensor2D, false, undefined, maps);
    const caches = run.blocks.map((b) => b.cache); // batch of one: (H, d, keep) and (H, keep, d)
    return [history, caches];
  }

  /** One token at position n = history length: x (1, C) through every block against the caches. */
  private stepWithCache(
    maps: Maps,
    history: tf.Tensor1D,
    caches: (KeyValueCache | null)[],
    tokenId: number,
  ): { logits: tf.Tensor; tensors: tf.Tensor[] } {
    const token = tf.tensor1d([tokenId], 'int32');
    let x = this.embed(maps, token.reshape([1, 1]) as tf.Tensor2D, history.shape[0]); // (1, C)
    const tensors: tf.Tensor[] = [tf.concat([history, token])];
    maps.blocks.forEach((blockMaps, i) => {
      const attend = (h: tf.Tensor2D, params: AttentionParams) => {
        const attn = attendWithCache(h, this.config.heads, params, caches[i], true);
        tensors.push(attn.cache.keysT, attn.cache.values);
        return attn.output;
      };
      x = this.block(x, blockMaps, attend, false);
    });
    return { logits: this.head(maps, x), tensors };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeCachedMaps();
    for (const v of this.variables.values()) v.dispose();
    if (this.config.positional !== 'learned') this.positionTable.dispose();
    this.fullMask.dispose();
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('transformer: used after dispose()');
  }
}

export function createTransformer(config: TransformerConfig): SequenceModel {
  return new TransformerModel(config);
}
