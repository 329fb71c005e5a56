// One training run, seen from the extension host: it hands the tokenized corpus to the trainer
// webview, shows a progress notification (Cancel stops the run) and a status-bar item, writes
// every checkpoint the webview sends into the model registry (atomically: a temporary file, then
// a rename), and at the end makes the model the active one, so completions and Inside the Model
// use it at once. Closing the panel stops the run; the last checkpoint is what is kept.
import * as vscode from 'vscode';
import type { TrainingBackend } from '../../core/backend/choice';
import type { CorpusDescription } from '../../core/corpus/summary';
import type { TokenizerJson } from '../../core/tokenizers/tokenizer';
import type { BaseModelRecord } from '../../core/training/baseModel';
import type { EvalReport, StepProgress, StopReason } from '../../core/training/trainer';
import type { TrainerFromWebviewMessage, TrainingData, TrainingSpec } from '../../protocol';
import type { ModelRegistry } from '../models/modelRegistry';
import { readConfig } from '../config';
import { TrainerPanel } from './trainerPanel';
import { describeValidationCompletion } from '../../core/completion/autoServing';

export interface TrainingPlan {
  readonly spec: TrainingSpec;
  readonly tokenizer: TokenizerJson;
  readonly data: TrainingData;
  readonly corpus: CorpusDescription;
  /** A model file with a checkpoint to continue from. */
  readonly resumeFrom: Uint8Array | null;
  /** A new run's starting weights (the base model's file), and the record of that base. */
  readonly startFrom: Uint8Array | null;
  readonly base: BaseModelRecord | null;
  /** Registry entry the checkpoints replace (resuming); otherwise a new entry is added. */
  readonly modelId: string | null;
  readonly backend?: 'auto' | TrainingBackend;
}

export type SessionEnd = StopReason | 'panel-closed' | 'error';

export interface TrainingOutcome {
  /** The registry entry holding the last checkpoint, if any was saved. */
  readonly modelId: string | undefined;
  readonly end: SessionEnd;
  readonly steps: number;
  readonly backend: TrainingBackend | undefined;
  readonly validationBitsPerChar: number | undefined;
  /** What the user was told. */
  readonly message: string;
}

export type SessionState = 'starting' | 'running' | 'paused' | 'stopping' | 'done';

type Eval = Omit<EvalReport, 'gradientFlow'>;

export class TrainingSession implements vscode.Disposable {
  private static active: TrainingSession | undefined;
  private static readonly activeChanged = new vscode.EventEmitter<TrainingSession | undefined>();
  /** Fires when a run starts or ends (completions pause the model while one trains). */
  static readonly onDidChangeCurrent = TrainingSession.activeChanged.event;

  private static setActive(session: TrainingSession | undefined): void {
    if (TrainingSession.active === session) return;
    TrainingSession.active = session;
    TrainingSession.activeChanged.fire(session);
  }
  readonly runId = `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  /** What this run trains and how. */
  readonly spec: TrainingSpec;
  private stateValue: SessionState = 'starting';
  private panel: TrainerPanel | undefined;
  private plan: TrainingPlan | undefined;
  private modelId: string | undefined;
  private savedStep = -1;
  private writes: Promise<void> = Promise.resolve();
  private lastProgress: StepProgress | undefined;
  private lastFraction = 0;
  private lastEta: number | null = null;
  private lastEvalReport: Eval | undefined;
  private backend: TrainingBackend | undefined;
  private finalSteps = 0;
  private readonly statusBar: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires on progress, evaluations, checkpoints and state changes (tests and UI follow it). */
  readonly onDidChange = this.changed.event;
  private resolveDone!: (outcome: TrainingOutcome) => void;
  /** Resolves when the run has ended and its last checkpoint is stored. */
  readonly done: Promise<TrainingOutcome>;
  private finished = false;

  /** The run in progress, if any. */
  static get current(): TrainingSession | undefined {
    return TrainingSession.active;
  }

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly registry: ModelRegistry,
    plan: TrainingPlan,
  ) {
    this.plan = plan;
    this.spec = plan.spec;
    this.modelId = plan.modelId ?? undefined;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.statusBar = vscode.window.createStatusBarItem('seqlab.training', vscode.StatusBarAlignment.Left, 50);
    this.statusBar.name = 'Sequence Lab Training';
    this.statusBar.command = 'seqlab.showTraining';
    this.disposables.push(this.statusBar, this.changed);
  }

  get state(): SessionState {
    return this.stateValue;
  }
  get progress(): StepProgress | undefined {
    return this.lastProgress;
  }
  get lastEval(): Eval | undefined {
    return this.lastEvalReport;
  }
  get savedModelId(): string | undefined {
    return this.modelId;
  }
  get checkpointStep(): number {
    return this.savedStep;
  }
  get trainingBackend(): TrainingBackend | undefined {
    return this.backend;
  }

  /** Opens the trainer panel, starts the run and resolves when it has ended (see `done`). */
  async start(): Promise<TrainingOutcome> {
    if (TrainingSession.active && TrainingSession.active !== this) throw new Error('another training run is in progress');
    TrainingSession.setActive(this);
    const plan = this.plan!;
    void vscode.commands.executeCommand('setContext', 'seqlab.training', true);
    this.updateStatusBar();
    this.statusBar.show();
    const panel = TrainerPanel.createOrShow(this.context);
    this.panel = panel;
    this.disposables.push(
      panel.onMessage((m) => this.receive(m)),
      panel.onDidClose(() => this.onPanelClosed()),
    );
    panel.post({
      type: 'trainStart',
      runId: this.runId,
      spec: plan.spec,
      tokenizer: plan.tokenizer,
      data: plan.data,
      corpus: plan.corpus,
      resumeFrom: plan.resumeFrom,
      startFrom: plan.startFrom,
      base: plan.base,
      wasmPaths: panel.wasmFolder(this.context.extensionUri),
      preferredBackend: plan.backend ?? readConfig().training.backend,
      extensionVersion: String(this.context.extension.packageJSON.version),
    });
    // The token ids now belong to the webview's message; the host keeps no reference.
    this.plan = undefined;
    void this.showNotification();
    return this.done;
  }

  pause(): void {
    if (this.stateValue === 'running') this.panel?.post({ type: 'trainControl', runId: this.runId, action: 'pause' });
  }

  resume(): void {
    if (this.stateValue === 'paused') this.panel?.post({ type: 'trainControl', runId: this.runId, action: 'resume' });
  }

  /** Ends the run after the current step; resolves once its final checkpoint is stored. */
  stop(): Promise<TrainingOutcome> {
    if (!this.finished && this.stateValue !== 'stopping') {
      this.setState('stopping');
      this.panel?.post({ type: 'trainControl', runId: this.runId, action: 'stop' });
    }
    return this.done;
  }

  reveal(): void {
    this.panel?.reveal();
  }

  private showNotification(): Thenable<void> {
    const spec = this.spec;
    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Sequence Lab: training ${spec.arch.toUpperCase()} ${spec.preset}`,
        cancellable: true,
      },
      (progress, token) => {
        token.onCancellationRequested(() => void this.stop());
        let reported = 0;
        const listener = this.onDidChange(() => {
          const percent = Math.floor(100 * Math.min(1, this.lastFraction));
          progress.report({ increment: Math.max(0, percent - reported), message: this.describeProgress() });
          reported = Math.max(reported, percent);
        });
        return this.done.then(
          () => listener.dispose(),
          () => listener.dispose(),
        );
      },
    );
  }

  private describeProgress(): string {
    if (this.stateValue === 'starting') return 'starting…';
    if (this.stateValue === 'stopping') return 'stopping and saving…';
    const parts: string[] = [];
    if (this.lastProgress) parts.push(`step ${this.lastProgress.step}`, `loss ${this.lastProgress.loss.toFixed(3)}`);
    if (this.lastEvalReport) parts.push(`${this.lastEvalReport.validationBitsPerChar.toFixed(2)} bits/char`);
    if (this.lastEta !== null && this.stateValue === 'running') parts.push(`${formatDuration(this.lastEta)} left`);
    if (this.stateValue === 'paused') parts.push('paused');
    return parts.join(' · ');
  }

  private updateStatusBar(): void {
    const icon = this.stateValue === 'paused' ? '$(debug-pause)' : '$(loading~spin)';
    const percent = `${Math.floor(100 * Math.min(1, this.lastFraction))}%`;
    this.statusBar.text = `${icon} ${this.spec.arch.toUpperCase()} ${percent}`;
    this.statusBar.tooltip = `Sequence Lab training: ${this.describeProgress() || 'starting'}. Click to show the training panel.`;
    this.statusBar.accessibilityInformation = { label: `Sequence Lab training ${percent}, ${this.describeProgress()}` };
  }

  private setState(state: SessionState): void {
    this.stateValue = state;
    this.updateStatusBar();
    this.changed.fire();
  }

  private receive(m: TrainerFromWebviewMessage): void {
    if (m.runId !== this.runId || this.finished) return;
    switch (m.type) {
      case 'trainBackend':
        this.backend = m.backend;
        if (m.fallbackFrom) {
          const where = m.fallbackFrom.resumedAtStep > 0 ? `from the checkpoint at step ${m.fallbackFrom.resumedAtStep}` : 'from the start';
          void vscode.window.showWarningMessage(
            `Sequence Lab: the ${m.fallbackFrom.backend} backend failed (${m.fallbackFrom.error}); training resumed ${where} on ${m.backend}.`,
          );
        }
        this.changed.fire();
        break;
      case 'trainState':
        if (this.stateValue !== 'stopping' || m.state === 'stopping') this.setState(m.state);
        break;
      case 'trainProgress':
        this.lastProgress = m.progress;
        this.lastFraction = m.fraction;
        this.lastEta = m.etaMs;
        this.updateStatusBar();
        this.changed.fire();
        break;
      case 'trainEval':
        this.lastEvalReport = m.report;
        this.updateStatusBar();
        this.changed.fire();
        break;
      case 'trainSample':
        break;
      case 'trainCheckpoint':
        this.saveCheckpoint(m.bytes, m.step, m.final);
        break;
      case 'trainDone':
        this.finalSteps = m.steps;
        this.lastEvalReport = m.lastEval ?? this.lastEvalReport;
        void this.finish(m.reason);
        break;
      case 'trainError':
        void this.finish('error', m.message);
        break;
    }
  }

  /** Checkpoints are written one after another, in the order they arrive. */
  private saveCheckpoint(bytes: Uint8Array, step: number, final: boolean): void {
    const name = this.spec.name;
    this.writes = this.writes.then(async () => {
      try {
        const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes as ArrayBufferLike);
        const entry = this.modelId ? await this.registry.update(this.modelId, data) : await this.registry.add(data, name);
        this.modelId = entry.id;
        this.savedStep = step;
        this.panel?.post({ type: 'checkpointSaved', runId: this.runId, step, modelId: entry.id, final });
        this.changed.fire();
      } catch (error) {
        void vscode.window.showErrorMessage(`Sequence Lab: could not save the checkpoint at step ${step}: ${errorText(error)}`);
      }
    });
  }

  private onPanelClosed(): void {
    this.panel = undefined;
    if (!this.finished) void this.finish('panel-closed');
  }

  private async finish(end: SessionEnd, error?: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.writes;
    if (this.modelId) await this.registry.setActive(this.modelId);
    const steps = end === 'panel-closed' || end === 'error' ? Math.max(0, this.savedStep) : this.finalSteps;
    const bits = this.lastEvalReport?.validationBitsPerChar;
    const name = this.spec.name;
    const measured = this.modelId ? (await this.registry.get(this.modelId))?.card.validationCompletion : undefined;
    const saved = this.modelId
      ? `"${name}" is saved${this.savedStep >= 0 ? ` (step ${this.savedStep}` + (bits !== undefined ? `, ${bits.toFixed(2)} bits/char held out)` : ')') : ''} and is now the active model` +
        (measured ? `; ${describeValidationCompletion(measured)}.` : '.')
      : 'Nothing was saved: the run ended before its first checkpoint.';
    let message: string;
    switch (end) {
      case 'panel-closed':
        message = `Sequence Lab: training stopped because its panel was closed. ${saved}`;
        break;
      case 'error':
        message = `Sequence Lab: training failed: ${error}. ${saved}`;
        break;
      case 'stopped':
        message = `Sequence Lab: training stopped at step ${steps}. ${saved}`;
        break;
      default:
        message = `Sequence Lab: training finished after ${steps} steps (${end === 'time' ? 'time budget reached' : end === 'steps' ? 'step budget reached' : 'no further improvement'}). ${saved}`;
    }
    if (end === 'error') void vscode.window.showErrorMessage(message);
    else void vscode.window.showInformationMessage(message);
    this.stateValue = 'done';
    this.changed.fire();
    if (TrainingSession.active === this) TrainingSession.setActive(undefined);
    void vscode.commands.executeCommand('setContext', 'seqlab.training', false);
    this.resolveDone({
      modelId: this.modelId,
      end,
      steps,
      backend: this.backend,
      validationBitsPerChar: bits,
      message,
    });
    this.dispose();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    if (!this.finished) {
      // Disposed with the extension while running: stop the webview's loop too.
      this.panel?.post({ type: 'trainControl', runId: this.runId, action: 'stop' });
      if (TrainingSession.active === this) TrainingSession.setActive(undefined);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
