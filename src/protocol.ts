// The one typed protocol between the extension host and its webviews. Each message is an
// interface keyed on `type`; each direction is a union, so handlers narrow exhaustively.
import type { BackendProbe, BackendChoice } from './core/backendChoice';
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
    type === 'init' ||
    type === 'cursorContext' ||
    type === 'visualizerModel' ||
    type === 'visualizerInternals' ||
    type === 'visualizerGradientFlow' ||
    type === 'visualizerEmbeddings'
  );
}
