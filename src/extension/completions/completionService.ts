// The life of the completion engine in the extension host: nothing loads at activation; the
// first completion request loads the active model (registry) — or, when no model is active,
// starts counting the workspace n-gram in a worker thread — and later requests reuse it. A new
// active model replaces it; changed decoding settings rebuild the engine over the loaded model.
// Also the on / off / snoozed / training state the status bar shows.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { readConfig, type SeqlabConfig } from '../config';
import { completionRuntime } from '../lazyRuntime';
import type { ModelEntry, ModelRegistry } from '../models/modelRegistry';
import { CompletionController, type ControllerSettings } from '../../core/completion/controller';
import { TOKENS_PER_LINE, type DecodingOptions, type EngineTokenizer } from '../../core/completion/engine';
import type { ServingEngine } from '../../core/completion/servingEngine';
import { enumerateWorkspace } from '../training/workspaceCorpus';
import type { WorkspaceFile } from '../../node/ngramWorker';
import { WorkspaceNgram } from '../../node/workspaceNgram';
import { decideAutoServing } from '../../core/completion/autoServing';
import type { HybridGate } from '../../core/completion/hybrid';
import type { CompletionModel, HybridServing } from './runtimeEngines';

export type CompletionState = 'on' | 'off' | 'snoozed' | 'loading' | 'error';

export interface ServiceStatus {
  readonly state: CompletionState;
  /** seqlab.completions.enabled */
  readonly enabled: boolean;
  /** A model is training in this window (completions keep serving the active model meanwhile). */
  readonly training: boolean;
  /** The model that serves, or will serve once loaded. */
  readonly modelName: string | undefined;
  /** How it is computed: "lstm small · tfjs", "workspace n-gram". */
  readonly engineLabel: string | undefined;
  readonly lastLatencyMs: number | undefined;
  readonly snoozedUntil: number | undefined;
  readonly error: string | undefined;
  /** Why the active model is not the one serving under source 'auto' (it completed validation worse). */
  readonly notServing: string | undefined;
}

const SNOOZE_KEY = 'seqlab.completions.snoozedUntil';
/** Files the workspace n-gram looks at, at most. */
const MAX_WORKSPACE_FILES = 4000;
/** After the last save, wait this long before counting the workspace again (saves come in bursts). */
export const RECOUNT_AFTER_SAVE_MS = 2000;

export function decodingOptions(config: SeqlabConfig): DecodingOptions {
  const c = config.completions;
  return {
    maxTokens: TOKENS_PER_LINE * Math.max(1, c.maxLines),
    temperature: c.temperature,
    topK: c.topK > 0 ? c.topK : undefined,
    multiline: c.maxLines > 1,
    minProbability: c.minTokenProbability,
    minSuggestionProbability: c.minSuggestionProbability,
    seed: 0,
    adaptationRate: c.adaptationRate,
  };
}

export function controllerSettings(config: SeqlabConfig): ControllerSettings {
  const c = config.completions;
  return {
    enabled: c.enabled,
    disabledLanguages: c.disabledLanguages,
    maxLines: Math.max(1, c.maxLines),
    minConfidence: c.minConfidence,
    debounceMs: c.debounceMs,
  };
}

export class CompletionService implements vscode.Disposable {
  readonly controller: CompletionController;
  private readonly changed = new vscode.EventEmitter<ServiceStatus>();
  /** The status changed (state, model, latency). */
  readonly onDidChangeStatus = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private config: SeqlabConfig = readConfig();
  private engine: ServingEngine | undefined;
  private model: CompletionModel | undefined;
  /** The workspace n-gram the hybrid mixes in, when the served model is a hybrid. */
  private counts: WorkspaceNgram | undefined;
  private gate: HybridGate | undefined;
  private loading: Promise<ServingEngine | undefined> | undefined;
  /** Bumped whenever what should serve changes: loads started before are discarded. */
  private generation = 0;
  private servedEntry: ModelEntry | undefined;
  private loadingState = false;
  private error: string | undefined;
  private notServing: string | undefined;
  private training = false;
  private lastLatencyMs: number | undefined;
  private snoozeTimer: NodeJS.Timeout | undefined;
  private recountTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly registry: ModelRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.controller = new CompletionController({
      settings: () => controllerSettings(this.config),
      paused: () => (!this.config.completions.enabled ? 'disabled' : this.snoozedUntil() !== undefined ? 'snoozed' : undefined),
      engine: () => this.getEngine(),
    });
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('seqlab')) return;
        const before = this.config;
        this.config = readConfig();
        if (e.affectsConfiguration('seqlab.completions')) this.decodingChanged(before);
        if (e.affectsConfiguration('seqlab.completions.source') && before.completions.source !== this.config.completions.source) {
          this.replaceEngine(this.config.completions.source === 'workspaceNgram' ? 'the workspace n-gram serves' : 'the active model serves');
        } else if ((e.affectsConfiguration('seqlab.include') || e.affectsConfiguration('seqlab.exclude')) && (this.engine instanceof WorkspaceNgram || this.counts)) {
          this.replaceEngine('the files to learn from changed');
        }
        this.fire();
      }),
      registry.onDidChangeActive(async (entry) => {
        if (this.config.completions.source === 'workspaceNgram') return;
        const choice = await this.servingChoice();
        const serve = choice.entry;
        if (serve?.id === this.servedEntry?.id && serve?.card.createdAt === this.servedEntry?.card.createdAt && (serve || this.engine instanceof WorkspaceNgram)) {
          this.explainNotServing(choice.notServing);
          return;
        }
        this.replaceEngine(`${entry ? entry.card.name : 'no model'} is now active`, true);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const key = e.document.uri.toString();
        for (const c of e.contentChanges) this.controller.documentEdited(key, c.rangeOffset, c.rangeOffset + c.rangeLength, c.text.length);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.uri.scheme !== 'file' || !(this.engine instanceof WorkspaceNgram || this.counts)) return;
        clearTimeout(this.recountTimer);
        this.recountTimer = setTimeout(() => void this.recountWorkspaceNgram(), RECOUNT_AFTER_SAVE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        const key = d.uri.toString();
        this.controller.documentClosed(key);
        this.engine?.forget(key);
        this.counts?.forget(key);
      }),
    );
    this.armSnoozeTimer();
  }

  status(): ServiceStatus {
    const snoozedUntil = this.snoozedUntil();
    const state: CompletionState = !this.config.completions.enabled
      ? 'off'
      : snoozedUntil !== undefined
        ? 'snoozed'
        : this.loadingState
          ? 'loading'
          : this.error !== undefined
            ? 'error'
            : 'on';
    return {
      state,
      enabled: this.config.completions.enabled,
      training: this.training,
      modelName: this.servedEntry?.card.name ?? (this.engine ? this.engine.label : undefined),
      engineLabel: this.engine?.label,
      lastLatencyMs: this.lastLatencyMs,
      snoozedUntil,
      error: this.error,
      notServing: this.notServing,
    };
  }

  /**
   * Inside the Model's view of the hybrid: when `modelId` is serving mixed with the workspace
   * n-gram, that n-gram's next-character probabilities after `textBeforeCursor` (the document
   * cache counting it) over the model's ids, and the gate; undefined otherwise. Counted under a
   * key of its own and forgotten after, so the completions' counts for the document stay as they are.
   */
  async hybridCounts(
    modelId: string,
    documentKey: string,
    textBeforeCursor: string,
    tokenizer: EngineTokenizer,
  ): Promise<{ gate: HybridGate; ngram: Float64Array } | undefined> {
    const { gate, counts } = this;
    if (!gate || !counts || this.servedEntry?.id !== modelId) return undefined;
    const side = counts.countsSide(`inside-the-model ${documentKey}`, tokenizer);
    try {
      side.sync(textBeforeCursor);
      return { gate, ngram: await side.distribution(textBeforeCursor) };
    } finally {
      side.dispose();
    }
  }

  /** The engine, loading it on first use (never at activation). */
  getEngine(): Promise<ServingEngine | undefined> {
    if (this.engine) return Promise.resolve(this.engine);
    this.loading ??= this.load(this.generation);
    return this.loading;
  }

  /** Records a suggestion's latency for the status bar. */
  recordLatency(ms: number): void {
    this.lastLatencyMs = ms;
    this.fire();
  }

  async setEnabled(enabled: boolean): Promise<void> {
    const inspect = vscode.workspace.getConfiguration('seqlab').inspect<boolean>('completions.enabled');
    const target =
      inspect?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : inspect?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration('seqlab').update('completions.enabled', enabled, target);
    this.config = readConfig();
    this.fire();
  }

  /** Pauses completions for `minutes` (0 or less resumes them now). */
  async snooze(minutes: number): Promise<number | undefined> {
    const until = minutes > 0 ? Date.now() + minutes * 60_000 : undefined;
    await this.context.globalState.update(SNOOZE_KEY, until);
    this.armSnoozeTimer();
    this.fire();
    return until;
  }

  snoozedUntil(): number | undefined {
    const until = this.context.globalState.get<number>(SNOOZE_KEY);
    return until !== undefined && until > Date.now() ? until : undefined;
  }

  /** Whether a model is training in this window (shown in the status bar). */
  setTraining(training: boolean): void {
    this.training = training;
    this.fire();
  }

  dispose(): void {
    this.generation++;
    clearTimeout(this.snoozeTimer);
    clearTimeout(this.recountTimer);
    this.releaseEngine();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private async load(generation: number): Promise<ServingEngine | undefined> {
    const started = performance.now();
    this.loadingState = true;
    this.error = undefined;
    this.fire();
    let engine: ServingEngine | undefined;
    let model: CompletionModel | undefined;
    let entry: ModelEntry | undefined;
    let counts: WorkspaceNgram | undefined;
    let gate: HybridGate | undefined;
    try {
      const choice = await this.servingChoice();
      entry = choice.entry;
      gate = choice.gate;
      this.explainNotServing(choice.notServing);
      if (entry) {
        const bytes = await readFile(entry.file);
        model = await completionRuntime().loadCompletionModel(bytes, entry.card.name);
        if (gate) counts = await this.startWorkspaceNgram();
        engine = model.createEngine(decodingOptions(this.config), hybridServing(gate, counts));
      }
    } catch (e) {
      this.error = `could not load ${entry?.card.name ?? 'the active model'}: ${(e as Error).message}`;
      this.log.error(`${this.error}; the workspace n-gram serves instead`);
      model?.dispose();
      counts?.dispose();
      model = undefined;
      counts = undefined;
      gate = undefined;
      entry = undefined;
    }
    try {
      if (!engine) engine = await this.startWorkspaceNgram();
    } catch (e) {
      this.error = (e as Error).message;
      this.log.error(this.error);
    }
    if (generation !== this.generation) {
      // Something else became active meanwhile: this load is stale.
      engine?.dispose();
      model?.dispose();
      counts?.dispose();
      return this.getEngine();
    }
    this.engine = engine;
    this.model = model;
    this.counts = counts;
    this.gate = gate;
    this.servedEntry = entry;
    this.loading = undefined;
    this.loadingState = false;
    if (engine) this.log.info(`completions from ${engine.label} (${engine.runtime}), ready in ${(performance.now() - started).toFixed(0)} ms`);
    this.fire();
    return engine;
  }

  /**
   * The registry's model that serves, or undefined for the workspace n-gram: with source 'auto',
   * a shipped model serves only when someone chose it (the workspace's own n-gram knows the
   * user's code; the shipped model knows four JavaScript libraries).
   */
  async modelToServe(): Promise<ModelEntry | undefined> {
    return (await this.servingChoice()).entry;
  }

  /** Logs and shows (status bar tooltip) why the active model is not serving, once per change. */
  private explainNotServing(why: string | undefined): void {
    if (why === this.notServing) return;
    this.notServing = why;
    if (why) this.log.info(`completions: not serving ${why}`);
    this.fire();
  }

  /**
   * With source 'auto' a trained model serves as whichever of the three saved the most keystrokes
   * on validation, measured at the end of its training: mixed with the workspace n-gram (the
   * hybrid; `gate` set), alone, or not at all (the workspace n-gram alone).
   */
  private async servingChoice(): Promise<{ entry?: ModelEntry; gate?: HybridGate; notServing?: string }> {
    const source = this.config.completions.source;
    if (source === 'workspaceNgram') return {};
    const entry = await this.registry.getActive();
    const measured = entry?.card.validationCompletion;
    if (!entry || source !== 'auto') {
      // The model chosen to serve goes with the counts when that measured better than it alone.
      const hybrid = measured?.hybrid;
      return hybrid && hybrid.keystrokeSavings >= measured.keystrokeSavings ? { entry, gate: hybrid.gate } : { entry };
    }
    if (entry.builtIn) return this.registry.isChosen(entry.id) ? { entry } : {};
    const decision = decideAutoServing(measured);
    if (decision.serve === 'hybrid') return { entry, gate: decision.gate };
    return decision.serve === 'model' ? { entry } : { notServing: `${entry.card.name}: ${decision.reason}` };
  }

  private async startWorkspaceNgram(): Promise<WorkspaceNgram> {
    const files = await this.workspaceFiles();
    const ngram = WorkspaceNgram.start({ files, decoding: decodingOptions(this.config) });
    try {
      const built = await ngram.built;
      this.log.info(
        `workspace n-gram: ${built.files} files, ${built.characters.toLocaleString('en-US')} characters counted in ${built.ms.toFixed(0)} ms` +
          (built.skipped ? ` (${built.skipped} skipped: too large, binary, unreadable or secret)` : ''),
      );
      return ngram;
    } catch (e) {
      ngram.dispose();
      throw e;
    }
  }

  /**
   * The workspace n-gram follows saves: a fresh one is counted in its own worker while the
   * current one goes on serving, and replaces it once built (unless something else took over).
   */
  private async recountWorkspaceNgram(): Promise<void> {
    const generation = this.generation;
    let next: WorkspaceNgram;
    try {
      next = await this.startWorkspaceNgram();
    } catch (e) {
      this.log.warn(`counting the workspace again failed: ${(e as Error).message}`);
      return;
    }
    const current = this.engine;
    if (generation !== this.generation || !(current instanceof WorkspaceNgram || this.counts)) {
      next.dispose();
      return;
    }
    if (this.counts && this.model && current) {
      // The hybrid: the model stays, its engine is rebuilt over the new counts.
      const old = this.counts;
      this.counts = next;
      this.engine = this.model.createEngine(decodingOptions(this.config), hybridServing(this.gate, next));
      current.dispose();
      old.dispose();
    } else {
      this.engine = next;
      current?.dispose();
    }
    this.controller.reset();
    this.fire();
  }

  /** Workspace files on disk to count, open ones first: the training corpus's enumeration and path policy. */
  private async workspaceFiles(): Promise<WorkspaceFile[]> {
    const { candidates } = await enumerateWorkspace({ include: this.config.include, exclude: this.config.exclude, maxCandidates: MAX_WORKSPACE_FILES });
    const found = candidates.filter((c) => c.uri.scheme === 'file');
    // Files open in editors first (they are read first if the total is capped); nothing outside the workspace.
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.fsPath));
    const first = found.filter((c) => open.has(c.uri.fsPath));
    const rest = found.filter((c) => !open.has(c.uri.fsPath));
    return [...first, ...rest].map((c) => ({ absolute: c.uri.fsPath, relative: c.relative }));
  }

  /** Disposes the serving engine, its model and its counts. */
  private releaseEngine(): void {
    this.engine?.dispose();
    this.model?.dispose();
    this.counts?.dispose();
    this.engine = undefined;
    this.model = undefined;
    this.counts = undefined;
  }

  /** `loadNow`: a model the user just made active loads at once, so the status bar can name it. */
  private replaceEngine(why: string, loadNow = false): void {
    this.generation++;
    const wasServing = this.engine !== undefined || this.loading !== undefined;
    this.releaseEngine();
    this.gate = undefined;
    this.servedEntry = undefined;
    this.loading = undefined;
    this.loadingState = false;
    this.error = undefined;
    this.controller.reset();
    this.log.info(`completions: ${why}`);
    // Completions were in use, or a model was just made active: load the new engine now rather
    // than on the next keystroke.
    if (wasServing || loadNow) void this.getEngine();
    this.fire();
  }

  private decodingChanged(before: SeqlabConfig): void {
    const a = decodingOptions(before);
    const b = decodingOptions(this.config);
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    this.controller.reset();
    if (this.engine instanceof WorkspaceNgram) this.engine.configure(b);
    else if (this.model && this.engine) {
      this.engine.dispose();
      this.engine = this.model.createEngine(b, hybridServing(this.gate, this.counts));
    }
  }

  private armSnoozeTimer(): void {
    clearTimeout(this.snoozeTimer);
    const until = this.snoozedUntil();
    if (until !== undefined) this.snoozeTimer = setTimeout(() => this.fire(), until - Date.now() + 50);
  }

  private fire(): void {
    this.changed.fire(this.status());
  }
}


/** The hybrid's serving parts, or undefined when the model serves alone. */
function hybridServing(gate: HybridGate | undefined, counts: WorkspaceNgram | undefined): HybridServing | undefined {
  return gate && counts ? { gate, countsFor: (documentKey, tokenizer) => counts.countsSide(documentKey, tokenizer) } : undefined;
}
