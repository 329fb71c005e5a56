// The one typed protocol between the extension host and its webviews. Each message is an
// interface keyed on `type`; each direction is a union, so handlers narrow exhaustively.
import type { BackendProbe, BackendChoice, TrainingBackend } from './core/backend/choice';
import type { CorpusDescription } from './core/corpus/summary';
import type { ArenaBudget, ArenaRow, ArenaSettings, CurvePoint } from './core/arena/arena';
import type { ContenderSpec } from './core/arena/contenders';
import type { DatasetSpec } from './core/arena/datasets';
import type { ArenaRunRecord } from './core/arena/report';
import type { SequenceTaskSpec } from './core/tasks';
import type { Arch, Preset } from './core/models/sequenceModel';
import type { TokenizerJson, TokenizerKind } from './core/tokenizers/tokenizer';
import type { BaseModelRecord } from './core/training/baseModel';
import type { EvalReport, StepProgress, StopReason } from './core/training/trainer';
import type { Matrix } from './core/visualization/heatmap';
import type { LayerView } from './core/visualization/internals';
import type { TrainingCurves } from './core/visualization/trainingCurves';

// ---- webview → host -------------------------------------------------------------------

/** Sent once the webview's script runs; the host posts nothing before it. */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** What the webview found out about the GPU and wasm support of the browser it runs in. */
export interface BackendReportMessage {
  readonly type: 'backendReport';
  readonly probe: BackendProbe;
  readonly choice: BackendChoice;
}

/** Inside the Model asks for something computed only when shown (it costs a backward pass or a PCA). */
export interface VisualizerRequestMessage {
  readonly type: 'visualizerRequest';
  readonly what: 'gradientFlow' | 'embeddings';
}

/** Inside the Model: highlight in the editor the window's tokens by these weights (one per token), or clear. */
export interface VisualizerHighlightMessage {
  readonly type: 'visualizerHighlight';
  readonly requestId: number;
  readonly weights: number[] | null;
}

/** Inside the Model drew the internals of `requestId`; `painted` counts cells given a colour. */
export interface VisualizerRenderedMessage {
  readonly type: 'visualizerRendered';
  readonly requestId: number;
  readonly view: string;
  readonly painted: number;
}

/** Inside the Model's buttons for getting a model. */
export interface VisualizerCommandMessage {
  readonly type: 'visualizerCommand';
  readonly command: 'train' | 'importModel' | 'selectModel';
}

export type FromWebviewMessage =
  | TrainerFromWebviewMessage
  | PlaygroundFromWebviewMessage
  | ReadyMessage
  | BackendReportMessage
  | VisualizerRequestMessage
  | VisualizerHighlightMessage
  | VisualizerRenderedMessage
  | VisualizerCommandMessage;

// ---- host → webview -------------------------------------------------------------------

/** Host settings the webview needs to render; sent after `ready` and on change. */
export interface InitMessage {
  readonly type: 'init';
  readonly view: 'playground' | 'visualizer';
  readonly extensionVersion: string;
  readonly preferredBackend: 'auto' | BackendChoice['backend'];
}

/** The visualizer's subject: the active editor's text before the cursor, or none. */
export interface CursorContextMessage {
  readonly type: 'cursorContext';
  readonly fileName: string | null;
  readonly textBeforeCursor: string;
  /** Why nothing can be shown yet, if so. */
  readonly unavailableReason: string | null;
}

/** What Inside the Model knows of the active model. */
export interface VisualizerModelInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: 'neural' | 'ngram';
  /** rnn, gru, lstm, transformer or ngram. */
  readonly arch: string;
  readonly tokenizer: string;
  readonly parameters: number;
  /** Sizes worth knowing, one phrase each ("256 hidden units", "4 heads"). */
  readonly details: string[];
  /** Display label of each entry of the next-token logits (the vocabulary; n-gram: its characters, then "unseen"). */
  readonly vocabulary: string[];
  /** Most tokens the model attends over (Transformer), else null. */
  readonly contextLimit: number | null;
  /** Global-norm clip threshold the model was trained with, when recorded. */
  readonly clipNorm: number | null;
  readonly curves: TrainingCurves;
  /** tfjs backend the host computes internals on, or 'none' (n-gram). */
  readonly backend: string;
}

export interface VisualizerModelMessage {
  readonly type: 'visualizerModel';
  readonly state: 'none' | 'loading' | 'ready' | 'error';
  readonly model: VisualizerModelInfo | null;
  /** For 'none' and 'error': what happened and what to do. */
  readonly message: string | null;
}

/** The hybrid's next-token choice at the cursor, over the model's vocabulary (core/completion/hybrid.ts). */
export interface HybridNextToken {
  /** The workspace n-gram with the document's own counts. */
  readonly ngram: Float32Array;
  /** The gate's weight g on the n-gram here; the model gets 1 − g. */
  readonly weight: number;
  /** g · ngram + (1 − g) · the model's distribution at τ = 1: what completions choose from. */
  readonly mixed: Float32Array;
}

/** The active model's internals over the last tokens before the cursor. */
export interface VisualizerInternalsMessage {
  readonly type: 'visualizerInternals';
  /** Increases with each update; replies and acknowledgements name it. */
  readonly requestId: number;
  readonly modelId: string;
  readonly fileName: string;
  readonly tokens: {
    readonly ids: number[];
    /** Whitespace made visible. */
    readonly labels: string[];
    /** Earlier tokens were left out. */
    readonly truncated: boolean;
  };
  /** Per layer, bottom first (n-gram: none). */
  readonly layers: LayerView[];
  /** Next-token logits after the last token (n-gram: log probabilities), labelled by the model's vocabulary. */
  readonly nextLogits: Float32Array;
  /** Transformer: the positional encoding added at each window position, positions × width. */
  readonly positional: Matrix | null;
  /** When completions serve this model mixed with the workspace n-gram (the hybrid): both sides and the mix at the cursor. */
  readonly hybrid: HybridNextToken | null;
  /** Host time to compute this, in ms. */
  readonly elapsedMs: number;
}

/** One ‖∂L/∂h_t‖ curve over the window. */
export interface GradientFlowSeries {
  readonly label: string;
  /** How this model differs, in a sentence. */
  readonly note: string;
  /** Index t = 0..T−1; null when the model has no gradient to show. */
  readonly norms: number[] | null;
  /** The active model itself (not a freshly initialised comparison). */
  readonly active: boolean;
}

export interface VisualizerGradientFlowMessage {
  readonly type: 'visualizerGradientFlow';
  readonly requestId: number;
  readonly modelId: string;
  readonly labels: string[];
  readonly series: GradientFlowSeries[];
  /** Threshold for the "clipping on" view: the model's own, else 1. */
  readonly clipNorm: number;
  /** Why there is no curve, if so. */
  readonly message: string | null;
}

export interface VisualizerEmbeddingsMessage {
  readonly type: 'visualizerEmbeddings';
  readonly modelId: string;
  /** Which matrix's rows were projected. */
  readonly source: string;
  /** Token i at (points[2i], points[2i+1]). */
  readonly points: Float32Array;
  readonly labels: string[];
  /** Share of the variance each axis explains. */
  readonly explained: [number, number];
  readonly message: string | null;
}

export type ToWebviewMessage =
  | TrainerToWebviewMessage
  | PlaygroundToWebviewMessage
  | InitMessage
  | CursorContextMessage
  | VisualizerModelMessage
  | VisualizerInternalsMessage
  | VisualizerGradientFlowMessage
  | VisualizerEmbeddingsMessage;

export function isFromWebviewMessage(value: unknown): value is FromWebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return (
    isTrainerFromWebviewType(type) ||
    isPlaygroundFromWebviewType(type) ||
    type === 'ready' ||
    type === 'backendReport' ||
    type === 'visualizerRequest' ||
    type === 'visualizerHighlight' ||
    type === 'visualizerRendered' ||
    type === 'visualizerCommand'
  );
}

export function isToWebviewMessage(value: unknown): value is ToWebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return (
    isTrainerToWebviewType(type) ||
    isPlaygroundToWebviewType(type) ||
    type === 'init' ||
    type === 'cursorContext' ||
    type === 'visualizerModel' ||
    type === 'visualizerInternals' ||
    type === 'visualizerGradientFlow' ||
    type === 'visualizerEmbeddings'
  );
}

// ---- training: the trainer webview ------------------------------------------------------
// The host collects and tokenizes the corpus and stores checkpoints; the trainer webview runs
// core/training's Trainer on the best tfjs backend it has. Token ids and model files travel as
// typed arrays (transferred, not JSON-encoded).

/** What to train and how, decided by the host (settings, quick picks or command arguments). */
export interface TrainingSpec {
  readonly arch: Arch;
  readonly preset: Preset;
  readonly tokenizer: TokenizerKind;
  readonly seed: number;
  readonly batchSize: number;
  readonly seqLen: number;
  /** Budget in training time (pauses excluded; a resumed run counts the time before), or null. */
  readonly maxTimeMs: number | null;
  /** Budget in updates (a resumed run counts the steps before), or null. */
  readonly maxSteps: number | null;
  readonly evalEvery: number;
  readonly progressEvery: number;
  /** A checkpoint goes to the host at every evaluation and at least this often (training time). */
  readonly checkpointSeconds: number;
  /** Generate a sample every N updates (0: only at evaluations). */
  readonly sampleEvery: number;
  /** Name of the model in the registry. */
  readonly name: string;
  /**
   * Data-parallel gradient workers besides the training worker, on wasm/cpu; absent:
   * navigator.hardwareConcurrency − 1 (0: one thread).
   */
  readonly gradientWorkers?: number;
}

/** The corpus, tokenized: every document's ids one after another. */
export interface TrainingData {
  /** 16-bit when the vocabulary fits. */
  readonly tokens: Uint16Array | Int32Array;
  /** Ids per document: training documents first, then validation documents. */
  readonly lengths: Uint32Array;
  readonly names: readonly string[];
  readonly trainDocuments: number;
  readonly splitBy: 'file' | 'position';
}

/** Host → trainer: start a run (or continue the one in `resumeFrom`, a model file with a checkpoint). */
export interface TrainStartMessage {
  readonly type: 'trainStart';
  readonly runId: string;
  readonly spec: TrainingSpec;
  readonly tokenizer: TokenizerJson;
  readonly data: TrainingData;
  readonly corpus: CorpusDescription;
  readonly resumeFrom: Uint8Array | null;
  /**
   * A model file whose weights a new run starts from (the base model: core/training/baseModel.ts);
   * the optimiser and the budget start afresh. Ignored when resuming.
   */
  readonly startFrom: Uint8Array | null;
  /** The base model this run's weights descend from (recorded as metadata.base), or null. */
  readonly base: BaseModelRecord | null;
  /** Folder URL of tfjs-backend-wasm's .wasm files, ending in '/'. */
  readonly wasmPaths: string;
  readonly preferredBackend: 'auto' | TrainingBackend;
  readonly extensionVersion: string;
}

/** Host → trainer: the Stop Training command, the notification's Cancel, or the status bar. */
export interface TrainControlMessage {
  readonly type: 'trainControl';
  readonly runId: string;
  readonly action: 'pause' | 'resume' | 'stop';
}

/** Host → trainer: a checkpoint is in the registry. */
export interface CheckpointSavedMessage {
  readonly type: 'checkpointSaved';
  readonly runId: string;
  readonly step: number;
  readonly modelId: string;
  readonly final: boolean;
}

/** Trainer → host: the backend it trains on and why (`fallbackFrom`: the one that failed first). */
export interface TrainBackendMessage {
  readonly type: 'trainBackend';
  readonly runId: string;
  readonly backend: TrainingBackend;
  readonly reason: string;
  readonly probe: BackendProbe;
  readonly fallbackFrom: { readonly backend: TrainingBackend; readonly error: string; readonly resumedAtStep: number } | null;
}

export interface TrainProgressMessage {
  readonly type: 'trainProgress';
  readonly runId: string;
  readonly progress: StepProgress;
  /** Share of the budget used, 0..1. */
  readonly fraction: number;
  /** Training time left, or null when the budget is in steps only and the rate is unknown. */
  readonly etaMs: number | null;
}

export interface TrainEvalMessage {
  readonly type: 'trainEval';
  readonly runId: string;
  readonly report: Omit<EvalReport, 'gradientFlow'>;
}

export interface TrainSampleMessage {
  readonly type: 'trainSample';
  readonly runId: string;
  readonly step: number;
  readonly temperature: number;
  readonly prompt: string;
  readonly text: string;
}

/** Trainer → host: a model file (weights, tokenizer, metadata and the training checkpoint). */
export interface TrainCheckpointMessage {
  readonly type: 'trainCheckpoint';
  readonly runId: string;
  readonly step: number;
  readonly bytes: Uint8Array;
  /** The run has ended; this is its last checkpoint. */
  readonly final: boolean;
}

export interface TrainStateMessage {
  readonly type: 'trainState';
  readonly runId: string;
  readonly state: 'starting' | 'running' | 'paused' | 'stopping';
}

export interface TrainDoneMessage {
  readonly type: 'trainDone';
  readonly runId: string;
  readonly reason: StopReason;
  readonly steps: number;
  readonly elapsedMs: number;
  readonly tokensSeen: number;
  readonly backend: TrainingBackend;
  readonly lastEval: Omit<EvalReport, 'gradientFlow'> | null;
}

export interface TrainErrorMessage {
  readonly type: 'trainError';
  readonly runId: string;
  readonly message: string;
}

export type TrainerFromWebviewMessage =
  | TrainBackendMessage
  | TrainProgressMessage
  | TrainEvalMessage
  | TrainSampleMessage
  | TrainCheckpointMessage
  | TrainStateMessage
  | TrainDoneMessage
  | TrainErrorMessage;

export type TrainerToWebviewMessage = TrainStartMessage | TrainControlMessage | CheckpointSavedMessage;

const TRAINER_FROM_WEBVIEW: ReadonlySet<unknown> = new Set<TrainerFromWebviewMessage['type']>([
  'trainBackend', 'trainProgress', 'trainEval', 'trainSample', 'trainCheckpoint', 'trainState', 'trainDone', 'trainError',
]);
const TRAINER_TO_WEBVIEW: ReadonlySet<unknown> = new Set<TrainerToWebviewMessage['type']>(['trainStart', 'trainControl', 'checkpointSaved']);

function isTrainerFromWebviewType(type: unknown): boolean {
  return TRAINER_FROM_WEBVIEW.has(type);
}

function isTrainerToWebviewType(type: unknown): boolean {
  return TRAINER_TO_WEBVIEW.has(type);
}

// ---- the Playground's arena --------------------------------------------------------------
// The webview asks for a run (its form) or the host starts one (a command); the host resolves
// the dataset (a lecture task is generated in the webview from its seed; editor texts are sent)
// and the webview trains the contenders with tfjs, posting curve points, rows and the record.

/** Where the arena's texts come from, as the webview's form names them. */
export type ArenaDatasetChoice = { readonly kind: 'task'; readonly task: SequenceTaskSpec } | { readonly kind: 'activeFile' } | { readonly kind: 'workspace' };

/** Webview → host: the form's Start. */
export interface ArenaRequestMessage {
  readonly type: 'arenaRequest';
  readonly contenders: readonly ContenderSpec[];
  readonly dataset: ArenaDatasetChoice;
  readonly budget: ArenaBudget;
}

/** Host → webview: train these contenders on this dataset under this budget. */
export interface ArenaStartMessage {
  readonly type: 'arenaStart';
  readonly runId: string;
  readonly contenders: readonly ContenderSpec[];
  readonly dataset: DatasetSpec;
  readonly budget: ArenaBudget;
  readonly settings: ArenaSettings;
  /** Folder URL of tfjs-backend-wasm's .wasm files, ending in '/'. */
  readonly wasmPaths: string;
}

/** Host → webview: stop the run after the current step. */
export interface ArenaStopMessage {
  readonly type: 'arenaStop';
  readonly runId: string;
}

/** Host → webview: the model of row `index` is in the registry and active. */
export interface ArenaModelSavedMessage {
  readonly type: 'arenaModelSaved';
  readonly runId: string;
  readonly index: number;
  readonly name: string;
}

/** Host → webview: the run could not start (no active file, untrusted workspace…). */
export interface ArenaRefusedMessage {
  readonly type: 'arenaRefused';
  readonly reason: string;
}

export interface ArenaStartedMessage {
  readonly type: 'arenaStarted';
  readonly runId: string;
  readonly backend: string;
  readonly dataset: string;
}

export interface ArenaContenderMessage {
  readonly type: 'arenaContender';
  readonly runId: string;
  readonly index: number;
  readonly label: string;
}

export interface ArenaPointMessage {
  readonly type: 'arenaPoint';
  readonly runId: string;
  readonly index: number;
  readonly point: CurvePoint;
}

export interface ArenaRowMessage {
  readonly type: 'arenaRow';
  readonly runId: string;
  readonly index: number;
  readonly row: ArenaRow;
}

export interface ArenaDoneMessage {
  readonly type: 'arenaDone';
  readonly runId: string;
  readonly record: ArenaRunRecord;
}

export interface ArenaErrorMessage {
  readonly type: 'arenaError';
  readonly runId: string;
  readonly message: string;
}

/** Webview → host: save row `index`'s model (a model file, transferred) and make it active. */
export interface ArenaUseModelMessage {
  readonly type: 'arenaUseModel';
  readonly runId: string;
  readonly index: number;
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Webview → host: export the finished run. */
export interface ArenaExportMessage {
  readonly type: 'arenaExport';
  readonly runId: string;
  readonly format: 'json' | 'csv';
}

export type PlaygroundFromWebviewMessage =
  | ArenaRequestMessage
  | ArenaStartedMessage
  | ArenaContenderMessage
  | ArenaPointMessage
  | ArenaRowMessage
  | ArenaDoneMessage
  | ArenaErrorMessage
  | ArenaUseModelMessage
  | ArenaExportMessage;

export type PlaygroundToWebviewMessage = ArenaStartMessage | ArenaStopMessage | ArenaModelSavedMessage | ArenaRefusedMessage;

const PLAYGROUND_FROM_WEBVIEW: ReadonlySet<unknown> = new Set<PlaygroundFromWebviewMessage['type']>([
  'arenaRequest',
  'arenaStarted',
  'arenaContender',
  'arenaPoint',
  'arenaRow',
  'arenaDone',
  'arenaError',
  'arenaUseModel',
  'arenaExport',
]);
const PLAYGROUND_TO_WEBVIEW: ReadonlySet<unknown> = new Set<PlaygroundToWebviewMessage['type']>(['arenaStart', 'arenaStop', 'arenaModelSaved', 'arenaRefused']);

function isPlaygroundFromWebviewType(type: unknown): boolean {
  return PLAYGROUND_FROM_WEBVIEW.has(type);
}

function isPlaygroundToWebviewType(type: unknown): boolean {
  return PLAYGROUND_TO_WEBVIEW.has(type);
}
