// The model file's container, free of tfjs: the host reads model cards, the completions'
// ONNX path reads weights and training resume reads a tokenizer without loading tfjs. The layout
// is documented in docs/model-file.md; in short:
//
//   offset 0   8 bytes  magic "SQLBMODL"
//          8   u32 LE   format version (1)
//         12   u32 LE   manifest length M (bytes of UTF-8 JSON)
//         16   u32 LE   blob length L
//         20   u32 LE   CRC-32 of every byte from offset 24 to the end
//         24   M bytes  manifest (JSON)
//              0-3 zero bytes of padding, so the blob starts at a multiple of 4
//              L bytes  blob: little-endian float32 tensors, each at a 4-aligned offset
//
// The manifest's `kind` says what the file holds: 'neural' (config + tokenizer + weights) or
// 'ngram' (the n-gram model's JSON). Reading checks everything (checksum, manifest, config,
// every weight finite) and gives a ModelFileError for a bad file, never a crash. Building the
// tfjs model from what is read is ./load.ts.
import { POSITIONAL_ENCODINGS, type ModelConfig } from '../models/sequenceModel';
import { NgramModel } from '../ngram/ngram';
import { tokenizerFromJson, type Tokenizer } from '../tokenizers';
import type { ValidationCompletion } from '../completion/autoServing';
import { validateCheckpoint, type TrainingCheckpoint } from '../training/checkpoint';
import type { NamedArray, OptimizerState } from '../training/optimizers';
import type { CorpusSummary, TrainingSummary } from '../training/trainer';

export const MODEL_FILE_MAGIC = 'SQLBMODL';
export const MODEL_FILE_VERSION = 1;
export const MODEL_FILE_EXTENSION = '.seqlab';
/** Default cap on the size of a file `readModelFile` (and so `loadModelFile`) accepts. */
export const DEFAULT_MAX_MODEL_FILE_BYTES = 200 * 1024 * 1024;
/**
 * Default cap on what building a file's model may allocate, estimated from its config before
 * anything is built (see `loadAllocationBytes`): 512 MiB. The largest preset (Transformer medium,
 * a 5,000-token vocabulary) needs about 40 MiB; a crafted config asking for a 65,536² causal
 * mask (16 GiB) is refused with code 'over-budget' instead.
 */
export const DEFAULT_MAX_LOAD_BYTES = 512 * 1024 * 1024;
const HEADER_BYTES = 24;

export type ModelFileErrorCode =
  | 'too-large'
  | 'truncated'
  | 'not-a-model-file'
  | 'unsupported-version'
  | 'corrupt'
  | 'malformed'
  | 'mismatch'
  | 'unsupported-value'
  | 'non-finite'
  | 'over-budget'
  | 'not-a-file';

/** Why a model file was rejected; `code` is stable for programs, `message` is for people. */
export class ModelFileError extends Error {
  constructor(
    readonly code: ModelFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModelFileError';
  }
}

/** Free-form description of where a model came from; the named fields are the common ones. */
export interface ModelMetadata {
  /** ISO 8601 time of saving. */
  readonly createdAt: string;
  /** tfjs backend the model was trained on. */
  readonly backend?: string;
  readonly corpus?: CorpusSummary & { readonly description?: string; readonly files?: number; readonly characters?: number };
  readonly training?: TrainingSummary;
  /** Keystroke savings on validation, model vs training-only n-gram (absent in older files). */
  readonly validationCompletion?: ValidationCompletion;
  readonly [key: string]: unknown;
}

/** What a neural model file holds, as plain arrays (no tensors). */
export interface NeuralFileContents {
  readonly config: ModelConfig;
  /** The tokenizer's JSON (`Tokenizer.toJSON()`). */
  readonly tokenizer: unknown;
  /** createdAt defaults to now. */
  readonly metadata?: Partial<ModelMetadata>;
  /** float32 weights by name, as the model names them. */
  readonly weights: readonly NamedArray[];
  /** Include to let training resume exactly (adds the optimiser's slots, ~2× the weights for Adam). */
  readonly checkpoint?: TrainingCheckpoint;
}

export interface NgramModelFileContents {
  readonly ngram: Pick<NgramModel, 'toJSON'>;
  readonly metadata?: Partial<ModelMetadata>;
}

/** A neural model file as read and checked: everything but the tfjs model. */
export interface NeuralFile {
  readonly kind: 'neural';
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly metadata: ModelMetadata;
  /** Every weight of the file, finite, by name. */
  readonly weights: ReadonlyMap<string, NamedArray>;
  readonly checkpoint?: TrainingCheckpoint;
}

export interface NgramFile {
  readonly kind: 'ngram';
  readonly ngram: NgramModel;
  readonly metadata: ModelMetadata;
}

export interface ReadOptions {
  /** Reject files larger than this. Default 200 MB. */
  readonly maxBytes?: number;
  /** Reject configs whose model would allocate more than this (estimated). Default 512 MiB. */
  readonly maxLoadBytes?: number;
}

/** What `describeModelFile` reads without creating a model. */
export interface ModelFileSummary {
  readonly kind: 'neural' | 'ngram';
  readonly formatVersion: number;
  readonly config?: ModelConfig;
  readonly metadata: ModelMetadata;
  readonly parameters: number;
  readonly hasCheckpoint: boolean;
  readonly bytes: number;
}

// ---- manifest ---------------------------------------------------------------------------

interface TensorEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32';
  /** Byte offset within the blob (multiple of 4). */
  readonly offset: number;
}

interface NeuralManifest {
  readonly kind: 'neural';
  readonly config: ModelConfig;
  readonly tokenizer: unknown;
  readonly metadata: ModelMetadata;
  readonly weights: TensorEntry[];
  readonly checkpoint?: {
    readonly progress: TrainingCheckpoint['progress'];
    readonly optimizer: { readonly config: OptimizerState['config']; readonly step: number; readonly slots: TensorEntry[] };
  };
}

interface NgramManifest {
  readonly kind: 'ngram';
  readonly ngram: unknown;
  readonly metadata: ModelMetadata;
}

type Manifest = NeuralManifest | NgramManifest;

// ---- writing ----------------------------------------------------------------------------

/** Serialises a neural model's arrays into a model file. */
export function encodeNeuralFile(contents: NeuralFileContents): Uint8Array {
  const arrays: NamedArray[] = [];
  let offset = 0;
  const entries = (list: readonly NamedArray[], what: string): TensorEntry[] =>
    list.map((a) => {
      if (!(a.data instanceof Float32Array)) throw new Error(`${what} '${a.name}' is not float32; model files hold float32 arrays`);
      const entry: TensorEntry = { name: a.name, shape: [...a.shape], dtype: 'float32', offset };
      arrays.push(a);
      offset += a.data.length * 4;
      return entry;
    });
  const weights = entries(contents.weights, 'weight');
  let checkpoint: NeuralManifest['checkpoint'];
  if (contents.checkpoint) {
    const { progress, optimizer } = contents.checkpoint;
    checkpoint = { progress, optimizer: { config: optimizer.config, step: optimizer.step, slots: entries(optimizer.slots, 'optimizer slot') } };
  }
  const manifest: NeuralManifest = {
    kind: 'neural',
    config: contents.config,
    tokenizer: contents.tokenizer,
    metadata: completeMetadata(contents.metadata),
    weights,
    ...(checkpoint ? { checkpoint } : {}),
  };
  return writeContainer(manifest, arrays, offset);
}

/** Serialises an n-gram model into the same container (kind 'ngram', no blob). */
export function saveNgramFile(contents: NgramModelFileContents): Uint8Array {
  const manifest: NgramManifest = { kind: 'ngram', ngram: contents.ngram.toJSON(), metadata: completeMetadata(contents.metadata) };
  return writeContainer(manifest, [], 0);
}

function completeMetadata(metadata: Partial<ModelMetadata> = {}): ModelMetadata {
  return { ...metadata, createdAt: metadata.createdAt ?? new Date().toISOString() };
}

function writeContainer(manifest: Manifest, arrays: readonly NamedArray[], blobBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const padding = (4 - ((HEADER_BYTES + json.length) % 4)) % 4;
  const blobStart = HEADER_BYTES + json.length + padding;
  const bytes = new Uint8Array(blobStart + blobBytes);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 8; i++) bytes[i] = MODEL_FILE_MAGIC.charCodeAt(i);
  view.setUint32(8, MODEL_FILE_VERSION, true);
  view.setUint32(12, json.length, true);
  view.setUint32(16, blobBytes, true);
  bytes.set(json, HEADER_BYTES);
  let at = blobStart;
  for (const a of arrays) {
    writeFloat32(bytes, at, a.data);
    at += a.data.length * 4;
  }
  view.setUint32(20, crc32(bytes, HEADER_BYTES, bytes.length), true);
  return bytes;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeFloat32(bytes: Uint8Array, at: number, data: Float32Array): void {
  if (littleEndian) {
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.length * 4), at);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
  }
}

/** Reads a tensor and refuses NaN and ±Infinity: a model with them computes nothing but NaN. */
function readFiniteFloat32(bytes: Uint8Array, at: number, count: number, what: string): Float32Array {
  const data = readFloat32(bytes, at, count);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new ModelFileError('non-finite', `${what} holds ${data[i]} at index ${i}; weights must be finite numbers`);
  }
  return data;
}

function readFloat32(bytes: Uint8Array, at: number, count: number): Float32Array {
  if (littleEndian) return new Float32Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + count * 4));
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, true);
  return out;
}

// ---- reading ----------------------------------------------------------------------------

interface Container {
  readonly manifest: Manifest;
  readonly formatVersion: number;
  readonly blob: Uint8Array;
}

/** Checks the header, size, checksum and manifest of a file; creates nothing. */
function readContainer(bytes: Uint8Array, maxBytes: number): Container {
  if (!(bytes instanceof Uint8Array)) throw new ModelFileError('malformed', 'a model file must be given as bytes (Uint8Array)');
  if (bytes.length > maxBytes) {
    throw new ModelFileError('too-large', `model file is ${formatBytes(bytes.length)}, over the ${formatBytes(maxBytes)} limit`);
  }
  const looksLikeModel = bytes.length >= 8 && [...MODEL_FILE_MAGIC].every((c, i) => bytes[i] === c.charCodeAt(0));
  if (!looksLikeModel) {
    if (bytes.length < 8 && [...bytes].every((b, i) => b === MODEL_FILE_MAGIC.charCodeAt(i))) {
      throw new ModelFileError('truncated', `model file is truncated: ${bytes.length} bytes, the header alone is ${HEADER_BYTES}`);
    }
    throw new ModelFileError('not-a-model-file', 'not a Sequence Lab model file (wrong magic bytes)');
  }
  if (bytes.length < HEADER_BYTES) {
    throw new ModelFileError('truncated', `model file is truncated: ${bytes.length} bytes, the header alone is ${HEADER_BYTES}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MODEL_FILE_VERSION) {
    throw new ModelFileError(
      'unsupported-version',
      version > MODEL_FILE_VERSION
        ? `model file format version ${version} is newer than this Sequence Lab reads (${MODEL_FILE_VERSION}); update the extension`
        : `model file format version ${version} is not supported (this Sequence Lab reads version ${MODEL_FILE_VERSION})`,
    );
  }
  const manifestBytes = view.getUint32(12, true);
  const blobBytes = view.getUint32(16, true);
  const padding = (4 - ((HEADER_BYTES + manifestBytes) % 4)) % 4;
  const expected = HEADER_BYTES + manifestBytes + padding + blobBytes;
  if (bytes.length < expected) {
    throw new ModelFileError('truncated', `model file is truncated: ${bytes.length} bytes of the ${expected} its header announces`);
  }
  if (bytes.length > expected) {
    throw new ModelFileError('corrupt', `model file has ${bytes.length - expected} bytes after its announced end`);
  }
  if (crc32(bytes, HEADER_BYTES, bytes.length) !== view.getUint32(20, true)) {
    throw new ModelFileError('corrupt', 'model file is corrupt (checksum mismatch)');
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + manifestBytes)));
  } catch (e) {
    throw new ModelFileError('malformed', `model file manifest is not valid JSON: ${(e as Error).message}`);
  }
  const blobStart = HEADER_BYTES + manifestBytes + padding;
  return { manifest: checkManifest(manifest), formatVersion: version, blob: bytes.subarray(blobStart, blobStart + blobBytes) };
}

function malformed(problem: string): never {
  throw new ModelFileError('malformed', `model file manifest: ${problem}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkManifest(m: unknown): Manifest {
  if (!isRecord(m)) malformed('not an object');
  if (!isRecord(m.metadata)) malformed('"metadata" must be an object');
  if (typeof m.metadata.createdAt !== 'string') malformed('"metadata.createdAt" must be a string');
  if (m.kind === 'ngram') {
    if (!isRecord(m.ngram)) malformed('"ngram" must be an object');
    return m as unknown as NgramManifest;
  }
  if (m.kind !== 'neural') malformed(`"kind" must be "neural" or "ngram", got ${JSON.stringify(m.kind)}`);
  checkConfig(m.config);
  if (!isRecord(m.tokenizer)) malformed('"tokenizer" must be an object');
  if (!Array.isArray(m.weights)) malformed('"weights" must be an array');
  if (m.checkpoint !== undefined) {
    const c = m.checkpoint;
    if (!isRecord(c) || !isRecord(c.optimizer) || !Array.isArray(c.optimizer.slots)) malformed('"checkpoint" is incomplete');
  }
  return m as unknown as NeuralManifest;
}

const CONFIG_LIMITS: Record<string, number> = {
  vocabSize: 1 << 20,
  embeddingSize: 1 << 14,
  hiddenSize: 1 << 14,
  modelSize: 1 << 14,
  ffnSize: 1 << 16,
  layers: 64,
  heads: 256,
  contextSize: 1 << 16,
};

function checkConfig(c: unknown): asserts c is ModelConfig {
  if (!isRecord(c)) malformed('"config" must be an object');
  if (!['rnn', 'gru', 'lstm', 'transformer'].includes(c.arch as string)) malformed(`unknown architecture ${JSON.stringify(c.arch)}`);
  const sizes = c.arch === 'transformer'
    ? ['vocabSize', 'embeddingSize', 'modelSize', 'heads', 'layers', 'ffnSize', 'contextSize']
    : ['vocabSize', 'embeddingSize', 'hiddenSize', 'layers'];
  for (const key of sizes) {
    const v = c[key];
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > CONFIG_LIMITS[key]) {
      malformed(`"config.${key}" must be an integer in 1..${CONFIG_LIMITS[key]}, got ${JSON.stringify(v)}`);
    }
  }
  if (typeof c.seed !== 'number' || !Number.isFinite(c.seed)) malformed('"config.seed" must be a finite number');
  const oneOf = (key: string, values: readonly unknown[]) => {
    if (!values.includes(c[key])) {
      throw new ModelFileError('unsupported-value', `model file's "config.${key}" is ${JSON.stringify(c[key])}; this Sequence Lab knows ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    }
  };
  oneOf('input', ['embedding', 'onehot']);
  if (!(typeof c.dropout === 'number' && c.dropout >= 0 && c.dropout < 1)) malformed('"config.dropout" must be a number in [0, 1)');
  if (c.arch === 'transformer') {
    oneOf('positional', POSITIONAL_ENCODINGS);
    oneOf('tieWeights', [true, false]);
    if ((c.modelSize as number) % (c.heads as number) !== 0) malformed('"config.modelSize" must be divisible by "config.heads"');
  } else {
    oneOf('activation', ['tanh', 'relu']);
    oneOf('identityInit', [true, false]);
    if (typeof c.forgetBias !== 'number' || !Number.isFinite(c.forgetBias)) malformed('"config.forgetBias" must be a finite number');
  }
}

/**
 * What building `config`'s model allocates, in bytes, estimated from the config alone: every
 * weight twice (the variable and, while loading, the file's copy of it; initial values are
 * replaced one weight at a time), and for a Transformer the causal mask [context, context] and
 * positional table [context, d_model] it keeps, twice each (built through temporaries).
 */
export function loadAllocationBytes(c: ModelConfig): number {
  const input = c.input === 'embedding' ? c.vocabSize * c.embeddingSize : 0;
  const inputWidth = c.input === 'onehot' ? c.vocabSize : c.embeddingSize;
  let parameters: number;
  let buffers = 0;
  if (c.arch === 'transformer') {
    const d = c.modelSize;
    const perLayer = 4 * d * d + 2 * d * c.ffnSize + 9 * d + c.ffnSize;
    parameters = input + inputWidth * d + c.layers * perLayer + (c.tieWeights ? 0 : d * c.vocabSize) + c.vocabSize + 2 * d;
    if (c.positional === 'learned') parameters += c.contextSize * d;
    buffers = 2 * (c.contextSize * c.contextSize + c.contextSize * d);
  } else {
    const gates = c.arch === 'lstm' ? 4 : c.arch === 'gru' ? 3 : 1;
    const h = c.hiddenSize;
    parameters = input + gates * (inputWidth * h + h * h + 2 * h) + (c.layers - 1) * gates * (2 * h * h + 2 * h) + h * c.vocabSize + c.vocabSize;
  }
  return 4 * (2 * parameters + buffers);
}

/**
 * A lower bound on the parameters any implementation of `config` has (the recurrent matrices,
 * attention projections, the input table or one-hot input kernel, the output projection), so a
 * file whose weights are fewer is rejected before a model is allocated for it.
 */
function minimumParameters(c: ModelConfig): number {
  const inputWidth = c.input === 'onehot' ? c.vocabSize : c.embeddingSize;
  const table = c.input === 'embedding' ? c.vocabSize * c.embeddingSize : 0;
  if (c.arch === 'transformer') {
    const d = c.modelSize;
    return table + c.layers * (4 * d * d + 2 * d * c.ffnSize) + (c.tieWeights ? 0 : d * c.vocabSize);
  }
  const h = c.hiddenSize;
  return table + inputWidth * h + c.layers * h * h + h * c.vocabSize;
}

function checkEntries(entries: unknown[], blob: Uint8Array, what: string): TensorEntry[] {
  const names = new Set<string>();
  const spans: Array<[number, number]> = [];
  entries.forEach((e, i) => {
    if (!isRecord(e)) malformed(`${what}[${i}] must be an object`);
    if (typeof e.name !== 'string' || names.has(e.name)) malformed(`${what}[${i}] needs a unique "name"`);
    names.add(e.name);
    if (e.dtype !== 'float32') malformed(`${what} '${e.name}' has dtype ${JSON.stringify(e.dtype)}; only float32 is supported`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      malformed(`${what} '${e.name}' has an invalid shape`);
    }
    const size = (e.shape as number[]).reduce((a, b) => a * b, 1);
    const offset = e.offset;
    if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) % 4 !== 0) {
      malformed(`${what} '${e.name}' has an invalid offset`);
    }
    const end = (offset as number) + size * 4;
    if (!(end <= blob.length)) {
      throw new ModelFileError('corrupt', `${what} '${e.name}' runs past the end of the data (${end} > ${blob.length} bytes)`);
    }
    spans.push([offset as number, end]);
  });
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw new ModelFileError('corrupt', `${what} overlap in the data`);
  }
  return entries as TensorEntry[];
}

function entrySize(e: TensorEntry): number {
  return e.shape.reduce((a, b) => a * b, 1);
}

/** Reads a file's kind, config and metadata without reading any weight. */
export function describeModelFile(bytes: Uint8Array, options: Pick<ReadOptions, 'maxBytes'> = {}): ModelFileSummary {
  const { manifest, formatVersion } = readContainer(bytes, options.maxBytes ?? DEFAULT_MAX_MODEL_FILE_BYTES);
  if (manifest.kind === 'ngram') {
    return { kind: 'ngram', formatVersion, metadata: manifest.metadata, parameters: 0, hasCheckpoint: false, bytes: bytes.length };
  }
  return {
    kind: 'neural',
    formatVersion,
    config: manifest.config,
    metadata: manifest.metadata,
    parameters: manifest.weights.reduce((s, e) => s + (isRecord(e) && Array.isArray(e.shape) ? entrySize(e) : 0), 0),
    hasCheckpoint: manifest.checkpoint !== undefined,
    bytes: bytes.length,
  };
}

/**
 * Loads a model file. Everything is validated before any tensor is created; if building the
 * model fails afterwards, what was created is disposed. Throws ModelFileError.

/** Reads and checks a whole model file: the n-gram model, or a neural model's config, tokenizer and weight arrays. */
export function readModelFile(bytes: Uint8Array, options: ReadOptions = {}): NeuralFile | NgramFile {
  const { manifest, blob } = readContainer(bytes, options.maxBytes ?? DEFAULT_MAX_MODEL_FILE_BYTES);
  if (manifest.kind === 'ngram') {
    let ngram: NgramModel;
    try {
      ngram = NgramModel.fromJSON(manifest.ngram);
    } catch (e) {
      throw new ModelFileError('malformed', `model file's n-gram model: ${(e as Error).message}`);
    }
    return { kind: 'ngram', ngram, metadata: manifest.metadata };
  }

  const config = manifest.config;
  const maxLoadBytes = options.maxLoadBytes ?? DEFAULT_MAX_LOAD_BYTES;
  const needed = loadAllocationBytes(config);
  if (needed > maxLoadBytes) {
    throw new ModelFileError(
      'over-budget',
      `model file's ${config.arch} config would allocate about ${formatBytes(needed)} to load, over the ${formatBytes(maxLoadBytes)} limit`,
    );
  }
  const weights = checkEntries(manifest.weights, blob, 'weight');
  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFromJson(manifest.tokenizer);
  } catch (e) {
    throw new ModelFileError('malformed', `model file's tokenizer: ${(e as Error).message}`);
  }
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new ModelFileError(
      'mismatch',
      `model file's tokenizer has ${tokenizer.vocabSize} tokens but its model expects ${config.vocabSize}`,
    );
  }
  const fileParameters = weights.reduce((s, e) => s + entrySize(e), 0);
  if (fileParameters < minimumParameters(config)) {
    throw new ModelFileError('mismatch', `model file holds ${fileParameters} weights, too few for its ${config.arch} config`);
  }

  let checkpoint: TrainingCheckpoint | undefined;
  if (manifest.checkpoint) {
    const slots = checkEntries(manifest.checkpoint.optimizer.slots, blob, 'optimizer slot');
    try {
      checkpoint = validateCheckpoint({
        progress: manifest.checkpoint.progress,
        optimizer: {
          config: manifest.checkpoint.optimizer.config,
          step: manifest.checkpoint.optimizer.step,
          slots: slots.map((e) => ({ name: e.name, shape: e.shape, data: readFiniteFloat32(blob, e.offset, entrySize(e), `optimizer slot '${e.name}'`) })),
        },
      });
    } catch (e) {
      if (e instanceof ModelFileError) throw e;
      throw new ModelFileError('malformed', `model file's checkpoint: ${(e as Error).message}`);
    }
  }
  // Every weight finite.
  const weightData = new Map(weights.map((e) => [e.name, { name: e.name, shape: e.shape, data: readFiniteFloat32(blob, e.offset, entrySize(e), `weight '${e.name}'`) }]));
  return { kind: 'neural', config, tokenizer, metadata: manifest.metadata, weights: weightData, ...(checkpoint ? { checkpoint } : {}) };
}

// ---- helpers ----------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE, as in zip and PNG) of bytes[from, to). */
export function crc32(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${n} bytes`;
}