// "Inside the Model": a webview view in the panel area that follows the active editor and shows
// the active model's internals over the last tokens before the cursor.
//
// The model is loaded (through the lazily loaded runtime, see lazyRuntime.ts) only once the
// view is shown, and again when another model becomes active or the active one is updated (a
// newer checkpoint while it trains). Cursor moves and typing are throttled: one computation at
// a time, the interval growing with what the last one cost (so the host is busy at most about a
// third of the time while someone types), and a request that a newer one has overtaken is
// dropped before it posts anything.
import * as vscode from 'vscode';
import { readConfig } from './config';
import { Throttle } from '../core/visualization/throttle';
import { modelRuntime } from './lazyRuntime';
import type { Inspection } from './modelRuntime';
import type { ModelEntry, ModelRegistry } from './models/modelRegistry';
import { renderWebviewHtml, webviewOptions } from './webviewHtml';
import { WebviewChannel } from './webviewChannel';
import { MAX_WINDOW_CHARS } from '../core/completion/controller';
import type { EngineTokenizer } from '../core/completion/engine';
import { mixAt, type HybridGate } from '../core/completion/hybrid';
import { softmaxAt } from '../core/visualization/distribution';
import type {
  HybridNextToken,
  VisualizerGradientFlowMessage,
  VisualizerInternalsMessage,
  VisualizerModelInfo,
  VisualizerModelMessage,
  VisualizerRenderedMessage,
} from '../protocol';

/** Characters of context read per token of the window (generous: a word token can be long). */
const CHARS_PER_TOKEN = 24;
const MIN_CONTEXT_CHARS = 4096;
const MIN_INTERVAL_MS = 100;
/** The next update waits at least this multiple of the last computation's time. */
const BUSY_FACTOR = 2;
/** Gradient-flow runs (several backward passes) start at most this often. */
const GRADIENT_INTERVAL_MS = 1000;

const NO_MODEL_MESSAGE =
  'No model is active. Train one on this workspace (Sequence Lab: Train Model on Workspace), import a .seqlab file ' +
  '(Sequence Lab: Import Model File…, e.g. one made with `node dist/cli.js train`), or pick one (Sequence Lab: Select Active Model).';

/** What the tests read back: the last internals posted and the last drawing the view acknowledged. */
export interface VisualizerTestHook {
  readonly lastInternals: () => VisualizerInternalsMessage | undefined;
  readonly lastRendered: () => VisualizerRenderedMessage | undefined;
  readonly lastGradientFlow: () => VisualizerGradientFlowMessage | undefined;
  readonly modelState: () => VisualizerModelMessage['state'];
  /** What the view says about the model (why it failed, when it did). */
  readonly modelMessage: () => string | null;
  /** The tfjs backend the view says the internals are computed on (null before a model loads). */
  readonly modelBackend: () => string | null;
}

/** The completions' side of the hybrid: CompletionService.hybridCounts, and when what serves changes. */
export interface HybridCountsSource {
  counts(modelId: string, documentKey: string, textBeforeCursor: string, tokenizer: EngineTokenizer): Promise<{ gate: HybridGate; ngram: Float64Array } | undefined>;
  /** Fires with the serving engine's label whenever completions' status changes. */
  readonly onDidChangeEngine: vscode.Event<string | undefined>;
}

interface Loaded {
  readonly entry: ModelEntry;
  readonly inspection: Inspection;
}

interface CursorSnapshot {
  readonly document: vscode.TextDocument;
  readonly fileName: string;
  /** Document offset of the first character of `text`. */
  readonly base: number;
  readonly text: string;
  readonly atDocumentStart: boolean;
}

export class VisualizerViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'seqlab.visualizer';
  private view: vscode.WebviewView | undefined;
  private channel: WebviewChannel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private lastCostMs = 0;
  /** Cursor moves and typing: one inspection at a time, spaced by what the last one cost. */
  private readonly updates = new Throttle(() => this.update(), () => Math.max(MIN_INTERVAL_MS, BUSY_FACTOR * this.lastCostMs));
  private requestId = 0;

  private loaded: Loaded | undefined;
  private loading: Promise<Loaded | undefined> | undefined;
  /** Bumped when the active model changes: a load started before is stale. */
  private generation = 0;
  private modelMessage: VisualizerModelMessage = { type: 'visualizerModel', state: 'loading', model: null, message: null };

  private lastInternals: VisualizerInternalsMessage | undefined;
  private lastWindow: { uri: string; base: number; starts: number[]; ends: number[] } | undefined;
  private lastRendered: VisualizerRenderedMessage | undefined;
  private lastGradientFlow: VisualizerGradientFlowMessage | undefined;
  private gradientRequest = 0;
  /** A backward pass is costlier: at most one a GRADIENT_INTERVAL_MS after the last ended. */
  private readonly gradientFlows = new Throttle(() => this.runGradientFlow(), (ranMs) => ranMs + GRADIENT_INTERVAL_MS);

  private readonly highlights = [
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.findMatchBackground') }),
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground') }),
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.wordHighlightBackground') }),
  ];

  readonly testHook: VisualizerTestHook = {
    lastInternals: () => this.lastInternals,
    lastRendered: () => this.lastRendered,
    lastGradientFlow: () => this.lastGradientFlow,
    modelState: () => this.modelMessage.state,
    modelMessage: () => this.modelMessage.message,
    modelBackend: () => this.modelMessage.model?.backend ?? null,
  };

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly registry: ModelRegistry,
    private readonly hybrid?: HybridCountsSource,
  ) {
    this.disposables.push(
      ...this.highlights,
      vscode.window.onDidChangeActiveTextEditor(() => this.scheduleUpdate()),
      vscode.window.onDidChangeTextEditorSelection(() => this.scheduleUpdate()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.scheduleUpdate();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('seqlab.visualizer')) this.scheduleUpdate();
      }),
      registry.onDidChangeActive(() => this.modelChanged()),
    );
    // The hybrid's side of the next-token view appears (or goes) when completions start (or stop) mixing.
    let engine: string | undefined;
    if (hybrid) {
      this.disposables.push(
        hybrid.onDidChangeEngine((label) => {
          if (label === engine) return;
          engine = label;
          this.scheduleUpdate();
        }),
      );
    }
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.context.extensionUri);
    this.channel?.dispose();
    const channel = new WebviewChannel(view.webview, {
      ready: () => {
        channel.post({
          type: 'init',
          view: 'visualizer',
          extensionVersion: String(this.context.extension.packageJSON.version),
          preferredBackend: readConfig().training.backend,
        });
        channel.post(this.modelMessage);
        this.scheduleUpdate(true);
      },
      visualizerRequest: (m) => {
        if (m.what === 'gradientFlow') this.gradientFlow();
        else void this.embeddings();
      },
      visualizerHighlight: (m) => this.highlight(m.requestId, m.weights),
      visualizerRendered: (m) => {
        this.lastRendered = m;
      },
      visualizerCommand: (m) => {
        void vscode.commands.executeCommand(`seqlab.${m.command}`);
      },
    });
    this.channel = channel;
    view.webview.html = renderWebviewHtml(view.webview, this.context.extensionUri, {
      title: 'Inside the Model',
      script: 'visualizer/main',
      wasm: false,
      stylesheets: ['visualizer.css'],
    });
    const visibility = view.onDidChangeVisibility(() => view.visible && this.scheduleUpdate(true));
    view.onDidDispose(() => {
      visibility.dispose();
      channel.dispose();
      if (this.channel === channel) this.channel = undefined;
      this.view = undefined;
    });
  }

  // ---------------------------------------------------------------- the model

  private modelChanged(): void {
    this.generation++;
    this.loaded?.inspection.dispose();
    this.loaded = undefined;
    this.loading = undefined;
    this.lastInternals = undefined;
    this.scheduleUpdate(true);
  }

  private postModel(message: VisualizerModelMessage): void {
    this.modelMessage = message;
    this.channel?.post(message);
  }

  /** The active model, loaded; undefined when there is none or it failed to load (the view says which). */
  private async activeModel(): Promise<Loaded | undefined> {
    if (this.loaded) return this.loaded;
    if (this.loading) return this.loading;
    const generation = this.generation;
    const load = async (): Promise<Loaded | undefined> => {
      const entry = await this.registry.getActive();
      if (!entry) {
        this.postModel({ type: 'visualizerModel', state: 'none', model: null, message: NO_MODEL_MESSAGE });
        return undefined;
      }
      this.postModel({ type: 'visualizerModel', state: 'loading', model: null, message: `Loading ${entry.card.name}…` });
      try {
        const bytes = await this.registry.read(entry.id);
        const inspection = await modelRuntime().openInspection(bytes);
        if (generation !== this.generation) {
          inspection.dispose();
          return undefined;
        }
        this.loaded = { entry, inspection };
        this.postModel({ type: 'visualizerModel', state: 'ready', model: modelInfo(entry, inspection), message: null });
        return this.loaded;
      } catch (error) {
        if (generation !== this.generation) return undefined;
        const reason = error instanceof Error ? error.message : String(error);
        this.postModel({
          type: 'visualizerModel',
          state: 'error',
          model: null,
          message: `Could not load ${entry.card.name}: ${reason}. Select another model (Sequence Lab: Select Active Model).`,
        });
        return undefined;
      }
    };
    this.loading = load().finally(() => {
      if (generation === this.generation) this.loading = undefined;
    });
    return this.loading;
  }

  // ---------------------------------------------------------------- updates

  /** Throttled (see `updates`); nothing while the view is hidden. */
  private scheduleUpdate(now = false): void {
    if (this.view?.visible) this.updates.request(now);
  }

  private snapshot(): CursorSnapshot | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const document = editor.document;
    const cursor = document.offsetAt(editor.selection.active);
    const chars = Math.max(MIN_CONTEXT_CHARS, readConfig().visualizer.contextTokens * CHARS_PER_TOKEN);
    const base = Math.max(0, cursor - chars);
    return {
      document,
      fileName: vscode.workspace.asRelativePath(document.uri),
      base,
      text: document.getText(new vscode.Range(document.positionAt(base), editor.selection.active)),
      atDocumentStart: base === 0,
    };
  }

  private async update(): Promise<void> {
    if (!this.channel || !this.view?.visible) return;
    try {
      const id = ++this.requestId;
      const snap = this.snapshot();
      this.channel.post({
        type: 'cursorContext',
        fileName: snap?.fileName ?? null,
        textBeforeCursor: snap ? snap.text.slice(-256) : '',
        unavailableReason: snap ? null : 'No active editor: open a file and place the cursor.',
      });
      const loaded = await this.activeModel();
      // Another model may have become active (and this one been disposed) while loading.
      if (!loaded || loaded !== this.loaded || !snap || id !== this.requestId || !this.channel) return;
      const started = performance.now();
      const contextTokens = readConfig().visualizer.contextTokens;
      const result = loaded.inspection.inspectAt(snap.text, contextTokens, snap.atDocumentStart);
      const hybrid = await this.hybridAt(loaded, snap, result.nextLogits);
      if (loaded !== this.loaded || id !== this.requestId || !this.channel) return;
      const elapsedMs = performance.now() - started;
      this.lastCostMs = elapsedMs;
      const message: VisualizerInternalsMessage = {
        type: 'visualizerInternals',
        requestId: id,
        modelId: loaded.entry.id,
        fileName: snap.fileName,
        tokens: { ids: result.window.ids, labels: result.window.labels, truncated: result.window.truncated },
        layers: result.layers,
        nextLogits: result.nextLogits,
        positional: result.positional,
        hybrid,
        elapsedMs,
      };
      this.clearHighlights();
      this.lastWindow = { uri: snap.document.uri.toString(), base: snap.base, starts: result.window.starts, ends: result.window.ends };
      this.lastInternals = message;
      this.channel.post(message);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.postModel({ ...this.modelMessage, state: 'error', message: `Could not compute the model's internals: ${reason}` });
    }
  }

  /**
   * When completions serve this model mixed with the workspace n-gram: the n-gram's side at the
   * cursor (the whole document before it counted, as completions count it), the gate's weight
   * and the mix, against the model's distribution over the window shown. Null otherwise.
   */
  private async hybridAt(loaded: Loaded, snap: CursorSnapshot, nextLogits: Float32Array): Promise<HybridNextToken | null> {
    const tokenizer = loaded.inspection.tokenizer;
    if (!this.hybrid || !tokenizer || nextLogits.length === 0) return null;
    const document = snap.document;
    const cursor = snap.base + snap.text.length;
    const before = document.getText(new vscode.Range(document.positionAt(Math.max(0, cursor - MAX_WINDOW_CHARS)), document.positionAt(cursor)));
    const counted = await this.hybrid.counts(loaded.entry.id, document.uri.toString(), before, tokenizer).catch(() => undefined);
    if (!counted) return null;
    const { weight, mixed } = mixAt(counted.gate, counted.ngram, softmaxAt(nextLogits, 1));
    return { ngram: Float32Array.from(counted.ngram), weight, mixed: Float32Array.from(mixed) };
  }

  /**
   * ‖∂L/∂h_t‖ at the cursor for the model and its comparisons (a backward pass each). One run at
   * a time and at most one a second: requests arriving meanwhile are folded into one more run at
   * the then-current cursor. A run is only abandoned when the model changes, so typing never
   * starves it.
   */
  private gradientFlow(): void {
    this.gradientRequest++;
    this.gradientFlows.request();
  }

  private async runGradientFlow(): Promise<void> {
    const request = this.gradientRequest;
    try {
      const loaded = await this.activeModel();
      const snap = this.snapshot();
      if (!loaded || loaded !== this.loaded || !this.channel) return;
      const modelId = loaded.entry.id;
      const result = await loaded.inspection.gradientFlow(
        snap?.text ?? '',
        readConfig().visualizer.contextTokens,
        snap?.atDocumentStart ?? true,
        () => this.loaded !== loaded,
      );
      if (!result || this.loaded !== loaded) return;
      const message: VisualizerGradientFlowMessage = {
        type: 'visualizerGradientFlow',
        requestId: request,
        modelId,
        labels: result.labels,
        series: result.series,
        clipNorm: loaded.inspection.info.clipNorm ?? 1,
        message: result.message,
      };
      this.lastGradientFlow = message;
      this.channel.post(message);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.channel?.post({
        type: 'visualizerGradientFlow',
        requestId: request,
        modelId: this.loaded?.entry.id ?? '',
        labels: [],
        series: [],
        clipNorm: 1,
        message: `Could not compute the gradient flow: ${reason}`,
      });
    }
  }

  private async embeddings(): Promise<void> {
    const loaded = await this.activeModel();
    if (!loaded || loaded !== this.loaded || !this.channel) return;
    try {
      const map = loaded.inspection.embeddings();
      this.channel.post({ type: 'visualizerEmbeddings', modelId: loaded.entry.id, ...map });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.channel.post({
        type: 'visualizerEmbeddings',
        modelId: loaded.entry.id,
        source: 'none',
        points: new Float32Array(0),
        labels: [],
        explained: [0, 0],
        message: `Could not project the embeddings: ${reason}`,
      });
    }
  }

  // ---------------------------------------------------------------- editor highlights

  /** Highlights the window's tokens in the editor by weight (e.g. what a query attends to): three strengths of theme colour. */
  private highlight(requestId: number, weights: number[] | null): void {
    this.clearHighlights();
    const window = this.lastWindow;
    const editor = vscode.window.activeTextEditor;
    if (!weights || !window || requestId !== this.lastInternals?.requestId || !editor || editor.document.uri.toString() !== window.uri) return;
    const max = Math.max(...weights.filter(Number.isFinite), 0);
    if (!(max > 0)) return;
    const buckets: vscode.Range[][] = [[], [], []];
    weights.forEach((w, k) => {
      if (k >= window.starts.length) return;
      const share = w / max;
      const bucket = share >= 0.5 ? 0 : share >= 0.2 ? 1 : share >= 0.05 ? 2 : -1;
      if (bucket < 0) return;
      const range = new vscode.Range(editor.document.positionAt(window.base + window.starts[k]), editor.document.positionAt(window.base + window.ends[k]));
      buckets[bucket].push(range);
    });
    this.highlights.forEach((type, i) => editor.setDecorations(type, buckets[i]));
  }

  private clearHighlights(): void {
    for (const editor of vscode.window.visibleTextEditors) for (const type of this.highlights) editor.setDecorations(type, []);
  }

  dispose(): void {
    this.updates.dispose();
    this.gradientFlows.dispose();
    this.generation++;
    this.loaded?.inspection.dispose();
    this.loaded = undefined;
    this.channel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function modelInfo(entry: ModelEntry, inspection: Inspection): VisualizerModelInfo {
  return { id: entry.id, name: entry.card.name, ...inspection.info };
}
