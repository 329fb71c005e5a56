// What Inside the Model computes in the extension host: the active model file loaded once, then
// its internals over the last tokens before the cursor, ‖∂L/∂h_t‖ next to freshly initialised
// comparison models, and a PCA map of its token vectors. Part of the lazily loaded
// dist/modelRuntime.js (re-exported by ../modelRuntime.ts): tfjs loads on first use only.
//
// tfjs runs on the wasm backend here (measured on the reference 2-core machine, 64 tokens:
// inspect of LSTM small 69 ms on wasm vs 145 ms on cpu, Transformer small 17 vs 293 ms,
// ‖∂L/∂h_t‖ of LSTM small 85 vs 576 ms), falling back to cpu if wasm cannot start.
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../core/backend/backend';
import { loadModelFile, type LoadedModelFile } from '../../core/modelFile';
import type { EngineTokenizer } from '../../core/completion/engine';
import { createModel } from '../../core/models';
import { fixedPositionalValue } from '../../core/models/transformerNumbers';
import type { ModelConfig, RecurrentConfig, SequenceModel, TransformerConfig } from '../../core/models/sequenceModel';
import type { NgramModel } from '../../core/ngram/ngram';
import { showWhitespace } from '../../core/tokenizers/showWhitespace';
import { tokenLabel, type Tokenizer } from '../../core/tokenizers/tokenizer';
import { timestepGradientNorms } from '../../core/training/gradientFlow';
import { yieldToEventLoop } from '../../core/training/trainer';
import type { Matrix } from '../../core/visualization/heatmap';
import { lastLogits, layerViews, type LayerView } from '../../core/visualization/internals';
import { pca2d } from '../../core/visualization/pca';
import { trainingCurves, type TrainingCurves } from '../../core/visualization/trainingCurves';
import { windowTokens, type TokenWindow } from '../../core/visualization/window';
import { nodeWasmPaths } from '../../node/wasmPaths';

let wasmFailed = false;

/**
 * Switches tfjs to wasm, whatever started it before (completions load weights on cpu, and any
 * other code in the host may set cpu first: the view then took 1 s where wasm takes 6-32 ms).
 * Tensors already made on another backend move over when next used. cpu only when wasm cannot
 * start. Returns the backend.
 */
export async function prepareInspectionBackend(): Promise<string> {
  if (tf.getBackend() === 'wasm') return 'wasm';
  if (!wasmFailed) {
    try {
      return await useBackend('wasm', { wasmPaths: nodeWasmPaths() });
    } catch {
      wasmFailed = true;
    }
  }
  return await useBackend('cpu');
}

export interface InspectionInfo {
  readonly kind: 'neural' | 'ngram';
  readonly arch: string;
  readonly tokenizer: string;
  readonly parameters: number;
  readonly details: string[];
  readonly vocabulary: string[];
  readonly contextLimit: number | null;
  readonly clipNorm: number | null;
  readonly curves: TrainingCurves;
  readonly backend: string;
}

export interface WindowInternals {
  readonly window: TokenWindow;
  readonly layers: LayerView[];
  readonly nextLogits: Float32Array;
  readonly positional: Matrix | null;
}

/**
 * The model's internals over the last `maxTokens` tokens of `textBeforeCursor` (capped at the
 * model's context): windowing, then exactly `model.inspect(ids)`, reshaped for drawing.
 */
export function inspectWindow(
  model: SequenceModel,
  tokenizer: Tokenizer,
  textBeforeCursor: string,
  maxTokens: number,
  atDocumentStart: boolean,
): WindowInternals {
  const limit = model.config.arch === 'transformer' ? Math.min(maxTokens, model.config.contextSize) : maxTokens;
  const window = windowTokens(tokenizer, textBeforeCursor, limit, atDocumentStart);
  const internals = model.inspect(window.ids);
  return {
    window,
    layers: layerViews(internals),
    nextLogits: lastLogits(internals),
    positional: model.config.arch === 'transformer' ? positionalRows(model, window.ids.length) : null,
  };
}

/** The positional encoding added at positions 0..length−1: the sinusoidal formula (zeros for 'none'), or the learned table's rows. */
function positionalRows(model: SequenceModel, length: number): Matrix {
  const config = model.config as TransformerConfig;
  const width = config.modelSize;
  const data = new Float32Array(length * width);
  if (config.positional === 'learned') {
    const table = model.weights.get('position');
    if (table && length > 0) data.set(tf.tidy(() => table.slice([0, 0], [length, width]).dataSync()));
  } else {
    const kind = config.positional;
    for (let pos = 0; pos < length; pos++) for (let c = 0; c < width; c++) data[pos * width + c] = fixedPositionalValue(kind, pos, c, width);
  }
  return { rows: length, cols: width, data };
}

export interface GradientFlowResult {
  /** Labels of the positions t the norms are indexed by. */
  readonly labels: string[];
  readonly series: { label: string; note: string; norms: number[] | null; active: boolean }[];
  readonly message: string | null;
}

export interface EmbeddingMap {
  readonly source: string;
  readonly points: Float32Array;
  readonly labels: string[];
  readonly explained: [number, number];
  readonly message: string | null;
}

/** A loaded model file the visualizer inspects; dispose when another model becomes active. */
export interface Inspection {
  readonly info: InspectionInfo;
  /** A neural model's tokenizer (the hybrid's counts are projected onto its ids); null for an n-gram. */
  readonly tokenizer: EngineTokenizer | null;
  inspectAt(textBeforeCursor: string, maxTokens: number, atDocumentStart: boolean): WindowInternals;
  /**
   * ‖∂L/∂h_t‖ over the window for the model and its comparisons, yielding to the event loop
   * between models; stops early (returning null) once `superseded()` says a newer request came.
   */
  gradientFlow(textBeforeCursor: string, maxTokens: number, atDocumentStart: boolean, superseded: () => boolean): Promise<GradientFlowResult | null>;
  embeddings(): EmbeddingMap;
  dispose(): void;
}

export async function openInspection(bytes: Uint8Array): Promise<Inspection> {
  const backend = await prepareInspectionBackend();
  const loaded = loadWithFreeNames(bytes);
  return loaded.kind === 'ngram' ? ngramInspection(loaded.ngram, loaded) : neuralInspection(loaded, backend);
}

/**
 * loadModelFile, retried when a variable name is taken. tfjs keeps one engine per process, with
 * one registry of variable names, shared by every copy of the library in it; a Transformer names
 * its variables transformer<n>/… from a counter of its own bundle, so another copy in the same
 * extension host (a test bundle, say) can hold the very same names. Each failed attempt moves the
 * counter on, and loadModelFile disposes whatever it created before failing.
 */
function loadWithFreeNames(bytes: Uint8Array): LoadedModelFile {
  for (let attempt = 0; ; attempt++) {
    try {
      return loadModelFile(bytes);
    } catch (error) {
      if (attempt >= 32 || !/already registered/.test(String(error))) throw error;
    }
  }
}

function countParameters(model: SequenceModel): number {
  let n = 0;
  for (const v of model.weights.values()) n += v.size;
  return n;
}

function describeConfig(config: ModelConfig): string[] {
  const input = config.input === 'onehot' ? 'one-hot input' : `embedding ${config.embeddingSize}`;
  if (config.arch === 'transformer') {
    return [
      `d_model ${config.modelSize}`,
      `${config.heads} heads`,
      `${config.layers} layer${config.layers === 1 ? '' : 's'}`,
      `FFN ${config.ffnSize}`,
      `context ${config.contextSize}`,
      `${config.positional} positions`,
      input,
    ];
  }
  const out = [`${config.hiddenSize} hidden units`, `${config.layers} layer${config.layers === 1 ? '' : 's'}`, input];
  if (config.arch === 'rnn') out.push(`${config.activation}${config.identityInit ? ', identity-initialised U' : ''}`);
  if (config.arch === 'lstm') out.push(`forget bias ${config.forgetBias}`);
  return out;
}

function clipNormOf(metadata: unknown): number | null {
  const training = (metadata as { training?: { clipNorm?: unknown } } | undefined)?.training;
  return typeof training?.clipNorm === 'number' && training.clipNorm > 0 ? training.clipNorm : null;
}


/** Freshly initialised models to compare the active one's gradient flow against (lecture: activations, initialisation, gated cells). */
function comparisonConfigs(config: ModelConfig): { label: string; note: string; config: ModelConfig }[] {
  const base = { vocabSize: config.vocabSize, input: config.input, embeddingSize: config.embeddingSize, seed: config.seed };
  const width = config.arch === 'transformer' ? config.modelSize : config.hiddenSize;
  const layers = config.layers;
  const recurrent = (arch: RecurrentConfig['arch'], activation: 'tanh' | 'relu', identityInit: boolean): RecurrentConfig => ({
    ...base,
    arch,
    hiddenSize: width,
    layers,
    dropout: 0,
    activation,
    identityInit,
    forgetBias: 1,
  });
  const before: ModelConfig = { ...config, dropout: 0 };
  const out: { label: string; note: string; config: ModelConfig }[] = [
    { label: `${config.arch} before training`, note: 'The same architecture and seed, freshly initialised: what training changed.', config: before },
  ];
  const lstm = { label: 'LSTM', note: 'Gated cell: the additive path c_t = f ⊙ c_{t−1} + i ⊙ c̃ carries the gradient back.', config: recurrent('lstm', 'tanh', false) };
  const rnnTanh = { label: 'RNN, tanh', note: "tanh' ≤ 1, and each step back multiplies by Uᵀ and that factor: the gradient vanishes.", config: recurrent('rnn', 'tanh', false) };
  if (config.arch === 'transformer') {
    out.push(lstm, rnnTanh);
    return out;
  }
  out.push(
    rnnTanh,
    { label: 'RNN, ReLU', note: "ReLU' is 1 where a unit is active: the gradient no longer shrinks through f', only through U.", config: recurrent('rnn', 'relu', false) },
    { label: 'RNN, ReLU, U = I', note: "The lecture's remedy: U initialised to the identity passes the gradient back unchanged at first.", config: recurrent('rnn', 'relu', true) },
  );
  if (config.arch !== 'lstm') out.push(lstm);
  // An RNN's own "before training" already is one of the RNN comparisons.
  return out.filter((c, i) => i === 0 || canonical(c.config) !== canonical(before));
}

function canonical(config: ModelConfig): string {
  return JSON.stringify(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function neuralInspection(loaded: Extract<LoadedModelFile, { kind: 'neural' }>, backend: string): Inspection {
  const { model, tokenizer, metadata } = loaded;
  const config = model.config;
  const vocabulary = Array.from({ length: tokenizer.vocabSize }, (_, id) => tokenLabel(tokenizer, id));
  const comparisons = new Map<string, SequenceModel>();
  let embeddingCache: EmbeddingMap | undefined;
  const info: InspectionInfo = {
    kind: 'neural',
    arch: config.arch,
    tokenizer: tokenizer.kind,
    parameters: countParameters(model),
    details: describeConfig(config),
    vocabulary,
    contextLimit: config.arch === 'transformer' ? config.contextSize : null,
    clipNorm: clipNormOf(metadata),
    curves: trainingCurves(metadata),
    backend,
  };

  async function normsFor(m: SequenceModel, ids: number[]): Promise<number[] | null> {
    const x = tf.tensor2d([ids.slice(0, -1)], [1, ids.length - 1], 'int32');
    const y = tf.tensor2d([ids.slice(1)], [1, ids.length - 1], 'int32');
    try {
      const norms = await timestepGradientNorms(m, x, y);
      return norms ? Array.from(norms) : null;
    } finally {
      x.dispose();
      y.dispose();
    }
  }

  return {
    info,
    tokenizer,
    inspectAt: (text, maxTokens, atStart) => inspectWindow(model, tokenizer, text, maxTokens, atStart),
    async gradientFlow(text, maxTokens, atStart, superseded) {
      const limit = config.arch === 'transformer' ? Math.min(maxTokens, config.contextSize) : maxTokens;
      const window = windowTokens(tokenizer, text, limit, atStart);
      if (window.ids.length < 2) {
        return { labels: window.labels, series: [], message: 'Place the cursor after at least two tokens: the loss needs a token to predict and one before it.' };
      }
      const series: GradientFlowResult['series'] = [
        { label: 'this model', note: 'The active model, as trained.', norms: await normsFor(model, window.ids), active: true },
      ];
      for (const c of comparisonConfigs(config)) {
        await yieldToEventLoop();
        if (superseded()) return null;
        let fresh = comparisons.get(c.label);
        if (!fresh) {
          fresh = createModel(c.config);
          comparisons.set(c.label, fresh);
        }
        series.push({ label: c.label, note: c.note, norms: await normsFor(fresh, window.ids), active: false });
      }
      return { labels: window.labels.slice(0, -1), series, message: null };
    },
    embeddings() {
      if (embeddingCache) return embeddingCache;
      const table = model.weights.get('embedding') ?? model.weights.get('input/kernel') ?? model.weights.get('layer0/W');
      const source = model.weights.has('embedding')
        ? 'the learned embedding table (one row per token)'
        : model.weights.has('input/kernel')
          ? 'the input kernel (one-hot input: row i is the vector token i enters with)'
          : "the first layer's input kernel W (one-hot input: row i is what token i adds to every gate)";
      if (!table || table.shape.length !== 2) {
        embeddingCache = { source, points: new Float32Array(0), labels: vocabulary, explained: [0, 0], message: 'This model has no token table to project.' };
        return embeddingCache;
      }
      const [n, d] = table.shape as [number, number];
      const projection = pca2d(table.dataSync(), n, d);
      embeddingCache = { source, points: Float32Array.from(projection.points), labels: vocabulary, explained: projection.explained, message: null };
      return embeddingCache;
    },
    dispose() {
      for (const m of comparisons.values()) m.dispose();
      comparisons.clear();
      model.dispose();
    },
  };
}

/** An n-gram model has no internals: only its next-character distribution. */
function ngramInspection(ngram: NgramModel, loaded: Extract<LoadedModelFile, { kind: 'ngram' }>): Inspection {
  const vocabulary = [...ngram.chars.map((c) => showWhitespace(c)), 'unseen'];
  const info: InspectionInfo = {
    kind: 'ngram',
    arch: 'ngram',
    tokenizer: 'char',
    parameters: 0,
    details: [`order ${ngram.order} (${ngram.order - 1} characters of context)`, `${ngram.smoothing === 'mkn' ? 'modified ' : ''}Kneser-Ney smoothing`, `${ngram.chars.length} characters`],
    vocabulary,
    contextLimit: null,
    clipNorm: null,
    curves: trainingCurves(loaded.metadata),
    backend: 'none',
  };
  const charTokens = {
    kind: 'char' as const,
    vocabSize: 0x110000,
    encode: (text: string) => [...text].map((c) => c.codePointAt(0) ?? 0),
    decode: (ids: readonly number[]) => String.fromCodePoint(...ids),
    tokenText: (id: number) => String.fromCodePoint(id),
    toJSON: () => {
      throw new Error('not a real tokenizer');
    },
  };
  return {
    info,
    tokenizer: null,
    inspectAt(text, maxTokens, atStart) {
      const window = windowTokens(charTokens, text, Math.min(maxTokens, Math.max(1, ngram.order - 1)), atStart);
      const dist = ngram.distribution(text);
      const logits = new Float32Array(dist.probs.length + 1);
      dist.probs.forEach((p, i) => (logits[i] = Math.log(p)));
      logits[dist.probs.length] = Math.log(dist.unknown);
      return { window, layers: [], nextLogits: logits, positional: null };
    },
    gradientFlow: async (text, maxTokens, atStart) => ({
      labels: windowTokens(charTokens, text, Math.max(1, maxTokens), atStart).labels,
      series: [],
      message: 'An n-gram model is counted, not trained by gradient descent: it has no gradient to show.',
    }),
    embeddings: () => ({
      source: 'none',
      points: new Float32Array(0),
      labels: vocabulary,
      explained: [0, 0],
      message: 'An n-gram model has no token vectors: it looks characters up in its count tables.',
    }),
    dispose() {},
  };
}
