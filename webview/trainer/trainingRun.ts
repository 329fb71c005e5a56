// One training run inside the trainer webview: the core Trainer (the same loop the CLI and the
// tests drive) on the best tfjs backend this browser offers. Progress, evaluations and samples
// go to the host and the page; every evaluation (and at least every `checkpointSeconds`) a model
// file with the training checkpoint goes to the host, its buffer transferred. If a GPU backend
// fails mid-run (a lost WebGL context), the run continues from the last checkpoint on the next
// backend and says so.
import * as tf from '@tensorflow/tfjs';
// Registers the 'webgpu' backend (a hardware adapter is tried first; software ones are skipped).
import '@tensorflow/tfjs-backend-webgpu';
import { useBackend, type BackendName, type WasmPaths } from '../../src/core/backend/backend';
import type { BackendProbe, TrainingBackend } from '../../src/core/backend/choice';
import { backendCandidates } from '../../src/core/backend/fallback';
import { generate } from '../../src/core/generation/generate';
import { loadModelFile, saveModelFile, type ModelMetadata } from '../../src/core/modelFile';
import { createModel, presetConfig, type SequenceModel } from '../../src/core/models';
import { MIN_VALIDATION_REPLAY_CHARS, type ValidationCompletion } from '../../src/core/completion/autoServing';
import { measureValidationCompletion } from '../../src/core/completion/validationCompletion';
import { tokenizerFromJson, type Tokenizer } from '../../src/core/tokenizers';
import type { TrainingCheckpoint } from '../../src/core/training/checkpoint';
import type { GradientWorker } from '../../src/core/training/dataParallel';
import type { ModelConfig } from '../../src/core/models';
import { charsPerTokenOf } from '../../src/core/training/metrics';
import type { Document } from '../../src/core/training/tokenStream';
import { Trainer, TrainingControl, type EvalReport, type StepProgress, type TrainResult } from '../../src/core/training/trainer';
import type { TrainerFromWebviewMessage, TrainStartMessage } from '../../src/protocol';

/** tfjs backends this bundle can start, best first. */
export const BUNDLED_BACKENDS: readonly TrainingBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface RunView {
  /** `resumedAt`: the step this backend starts from (0, or the last checkpoint's). */
  backend(backend: TrainingBackend, reason: string, fallbackFrom: string | null, resumedAt: number): void;
  progress(p: StepProgress, fraction: number, etaMs: number | null): void;
  evaluation(r: Omit<EvalReport, 'gradientFlow'>): void;
  sample(step: number, prompt: string, text: string, temperature: number): void;
  finished(steps: number, elapsedMs: number): void;
  /** After the run: what tfjs still holds (0 tensors when everything was freed). */
  released(tensors: number, bytes: number): void;
  state(state: 'starting' | 'running' | 'paused' | 'stopping' | 'done' | 'error', detail: string): void;
  /** Where the steps run: `threads` computing each step's gradients, the loop on `where`. */
  threads(threads: number, where: string, note: string): void;
}

/** Where the run executes and what it may use there. */
export interface RunEnvironment {
  /** Overrides the start message's folder URL (a worker gets blob: URLs). */
  readonly wasmPaths?: WasmPaths;
  /** 'the page' or 'a worker': shown with the thread count. */
  readonly thread?: string;
  /** Data-parallel gradient workers for a CPU backend (wasm, cpu); none when absent. */
  readonly startGradientWorkers?: (config: ModelConfig, backend: BackendName) => Promise<GradientWorker[]>;
}

/** One evaluation, as core/visualization/trainingCurves.ts reads `metadata.history`. */
interface HistoryEntry {
  readonly step: number;
  readonly trainLoss: number;
  readonly validationLoss: number;
  readonly validationBitsPerChar: number;
  readonly gradNorm: number;
  readonly learningRate: number;
  readonly tokensPerSecond: number;
}

type Post = (message: TrainerFromWebviewMessage, transfer?: Transferable[]) => void;

class BackendLost extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendLost';
  }
}

export class TrainingRun {
  readonly control = new TrainingControl();
  temperature = 0.8;
  private sampleRequested = false;
  private lastCheckpoint: Uint8Array | null;
  private lastCheckpointStep = -1;
  private lastCheckpointAt = 0;
  private backendName: TrainingBackend = 'cpu';
  private get onGpu(): boolean {
    return this.backendName === 'webgl' || this.backendName === 'webgpu';
  }
  private start: TrainStartMessage | null;
  private readonly tokenizer: Tokenizer;
  private readonly prompt: string;

  private readonly id: string;
  /** Increases with each backend tried; see trainOnce. */
  private attempt = 0;
  /** Every evaluation of the run (a resumed run's earlier ones first), saved as metadata.history. */
  private history: HistoryEntry[] = [];

  constructor(
    start: TrainStartMessage,
    private readonly post: Post,
    private readonly view: RunView,
    private readonly env: RunEnvironment = {},
  ) {
    this.id = start.runId;
    this.start = start;
    this.lastCheckpoint = asBytes(start.resumeFrom);
    this.tokenizer = tokenizerFromJson(start.tokenizer);
    this.prompt = this.pickPrompt();
  }

  get runId(): string {
    return this.id;
  }

  get paused(): boolean {
    return this.control.paused;
  }

  pause(): void {
    if (this.control.stopped) return;
    this.control.pause();
    this.setState('paused', 'paused');
  }

  resume(): void {
    if (this.control.stopped) return;
    this.control.resume();
    this.setState('running', 'training');
  }

  stop(): void {
    if (this.control.stopped) return;
    this.control.stop();
    this.setState('stopping', 'stopping after this step, then saving');
  }

  /** Generate a sample at the next step boundary. */
  requestSample(): void {
    this.sampleRequested = true;
  }

  private setState(state: 'starting' | 'running' | 'paused' | 'stopping', detail: string): void {
    this.post({ type: 'trainState', runId: this.runId, state });
    this.view.state(state, detail);
  }

  /** The start of the first validation document: what every sample continues. */
  private pickPrompt(): string {
    const s = this.start!;
    const d = s.data;
    let offset = 0;
    for (let i = 0; i < d.lengths.length; i++) {
      if (i >= d.trainDocuments && d.lengths[i] >= 8) {
        const ids = Array.from(d.tokens.subarray(offset, offset + Math.min(d.lengths[i], 24)));
        return this.tokenizer.decode(ids);
      }
      offset += d.lengths[i];
    }
    return '\n';
  }

  /** Trains until done; tries the next backend when one fails. `probe`: what this browser offers. */
  async run(probe: BackendProbe): Promise<void> {
    const start = this.start!;
    this.setState('starting', 'choosing a backend');
    const candidates = backendCandidates(probe, start.preferredBackend, BUNDLED_BACKENDS);
    let failure: { backend: TrainingBackend; error: string } | null = null;
    for (const candidate of candidates) {
      try {
        this.backendName = await useBackend(candidate.backend, { wasmPaths: this.env.wasmPaths ?? start.wasmPaths });
      } catch (error) {
        failure = { backend: candidate.backend, error: message(error) };
        continue;
      }
      const resumedAt = this.lastCheckpointStep >= 0 ? this.lastCheckpointStep : 0;
      const reason = failure ? `${failure.backend} failed (${failure.error}); ${candidate.reason}` : candidate.reason;
      this.post({
        type: 'trainBackend',
        runId: start.runId,
        backend: this.backendName,
        reason,
        probe,
        fallbackFrom: failure ? { ...failure, resumedAtStep: resumedAt } : null,
      });
      this.view.backend(this.backendName, reason, failure ? `${failure.backend}: ${failure.error}` : null, resumedAt);
      try {
        await this.trainOnce();
        this.release();
        return;
      } catch (error) {
        if (!(error instanceof BackendLost) && !this.onGpu) {
          this.fail(message(error));
          return;
        }
        failure = { backend: this.backendName, error: message(error) };
      }
    }
    this.fail(`no backend could train here${failure ? ` (last: ${failure.backend}: ${failure.error})` : ''}`);
  }

  private fail(error: string): void {
    this.post({ type: 'trainError', runId: this.runId, message: error });
    this.view.state('error', error);
    this.release();
  }

  /** Drops the corpus and everything on the device once the run has ended. */
  private release(): void {
    this.start = null;
    this.lastCheckpoint = null;
    const memory = tf.memory();
    this.view.released(memory.numTensors, memory.numBytes);
  }

  private documents(): { train: Document[]; validation: Document[] } {
    const d = this.start!.data;
    const train: Document[] = [];
    const validation: Document[] = [];
    let offset = 0;
    for (let i = 0; i < d.lengths.length; i++) {
      const doc = { name: d.names[i], tokens: d.tokens.subarray(offset, offset + d.lengths[i]) };
      (i < d.trainDocuments ? train : validation).push(doc);
      offset += d.lengths[i];
    }
    return { train, validation };
  }

  private async trainOnce(): Promise<void> {
    const start = this.start!;
    const spec = start.spec;
    let model: SequenceModel;
    let resume: TrainingCheckpoint | undefined;
    if (this.lastCheckpoint) {
      const loaded = loadModelFile(this.lastCheckpoint);
      if (loaded.kind !== 'neural') throw new Error('the checkpoint is not a neural model');
      model = loaded.model;
      resume = loaded.checkpoint;
      const step = resume?.progress.step ?? 0;
      this.lastCheckpointStep = Math.max(this.lastCheckpointStep, step);
      const saved = Array.isArray(loaded.metadata.history) ? (loaded.metadata.history as HistoryEntry[]) : [];
      this.history = (this.history.length ? this.history : saved).filter((h) => typeof h?.step === 'number' && h.step <= step);
    } else if (start.startFrom) {
      const base = loadModelFile(asBytes(start.startFrom)!);
      if (base.kind !== 'neural') throw new Error('the base model is not a neural model');
      model = base.model;
    } else {
      model = createModel(presetConfig(spec.arch, spec.preset, this.tokenizer.vocabSize, { seed: spec.seed }));
    }
    let trainer: Trainer | null = null;
    const gradientWorkers = await this.startGradientWorkers(model.config);
    // Callbacks of an abandoned attempt (a GPU lost mid-step) must not reach the page or the host.
    const attempt = ++this.attempt;
    const current = () => attempt === this.attempt;
    const lost = this.watchGpu();
    try {
      trainer = new Trainer(
        model,
        { ...this.documents(), splitBy: start.data.splitBy },
        {
          batchSize: spec.batchSize,
          seqLen: spec.seqLen,
          seed: spec.seed,
          maxSteps: spec.maxSteps ?? undefined,
          maxTimeMs: spec.maxTimeMs ?? undefined,
          evalEvery: spec.evalEvery,
          progressEvery: spec.progressEvery,
          charsPerToken: charsPerTokenOf(this.tokenizer),
          control: this.control,
          signal: lost.signal,
          resume,
          gradientWorkers,
          onProgress: (p) => current() && this.onProgress(trainer!, model, p),
          onEval: (r) => current() && this.onEval(trainer!, model, r),
        },
      );
      this.lastCheckpointAt = performance.now();
      if (!this.control.paused) this.setState('running', 'training');
      // A lost context can leave a read-back waiting forever: do not wait for the loop then.
      const running = trainer.run();
      running.catch(() => undefined); // an abandoned loop may fail later on the dead backend
      const result = await Promise.race([running, lost.whenLost]);
      if (result === null || lost.signal.aborted) {
        this.attempt++;
        throw new BackendLost(lost.reason());
      }
      // A run the user stopped saves at once, as it stands (Resume continues it exactly). One that
      // ran its budget keeps its best evaluated weights, then measures how the model completes.
      if (result.reason !== 'stopped') {
        const kept = trainer.restoreBest();
        if (kept) this.setState('stopping', `kept the weights of step ${kept.step}, where validation was best (${kept.validationBitsPerChar.toFixed(3)} bits/char)`);
      }
      const measured = result.reason === 'stopped' ? undefined : await this.measureCompletion(model, lost.signal);
      this.checkpoint(trainer, model, true, measured);
      this.done(trainer, result);
    } finally {
      lost.dispose();
      for (const w of gradientWorkers) w.dispose();
      try {
        trainer?.dispose();
        model.dispose();
      } catch {
        // A lost GPU context cannot free its textures; they go with it.
      }
    }
  }

  /**
   * Keystroke savings on the validation documents, the model against an n-gram of the training
   * documents (decoded back to text); undefined when stopped meanwhile or when it failed.
   */
  private async measureCompletion(model: SequenceModel, lost: AbortSignal): Promise<ValidationCompletion | undefined> {
    const { train, validation } = this.documents();
    const text = (docs: Document[]) => docs.map((d) => this.tokenizer.decode(Array.from(d.tokens)));
    this.setState('stopping', 'measuring completions on validation text');
    const control = this.control;
    try {
      return await measureValidationCompletion(model, this.tokenizer, text(train), text(validation), {
        ...(this.onGpu ? { maxChars: MIN_VALIDATION_REPLAY_CHARS } : {}),
        signal: { get aborted() { return control.stopped || lost.aborted; } },
        onProgress: (done, total) => this.setState('stopping', `measuring completions on validation text (${Math.round((100 * done) / total)}%)`),
      });
    } catch (error) {
      if (!control.stopped && !lost.aborted) this.setState('stopping', `could not measure completions: ${message(error)}`);
      return undefined;
    }
  }

  /** Data parallel on a CPU backend when the environment offers workers; one thread otherwise. */
  private async startGradientWorkers(config: ModelConfig): Promise<GradientWorker[]> {
    const where = this.env.thread ?? 'the page';
    const cpu = this.backendName === 'wasm' || this.backendName === 'cpu';
    if (!cpu || !this.env.startGradientWorkers) {
      this.view.threads(1, where, cpu ? '' : 'a GPU backend computes on the GPU');
      return [];
    }
    try {
      const workers = await this.env.startGradientWorkers(config, this.backendName);
      this.view.threads(workers.length + 1, where, workers.length ? 'data parallel: each step\'s rows shared, gradients averaged' : '');
      return workers;
    } catch (error) {
      this.view.threads(1, where, `the gradient workers did not start (${message(error)})`);
      return [];
    }
  }

  /**
   * Notices a lost WebGL context (the GPU was reset or taken away): by its event, or by polling
   * `isContextLost()` once a second. `signal` then stops the loop at its next check and
   * `whenLost` resolves to null, so the run need not wait for a read-back that never comes.
   */
  private watchGpu(): { signal: AbortSignal; whenLost: Promise<null>; reason: () => string; dispose: () => void } {
    const abort = new AbortController();
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
    const canvas = gl?.canvas as HTMLCanvasElement | OffscreenCanvas | undefined;
    let resolveLost: (value: null) => void = () => undefined;
    const whenLost = new Promise<null>((resolve) => (resolveLost = resolve));
    const onLost = () => {
      if (abort.signal.aborted) return;
      abort.abort();
      resolveLost(null);
    };
    canvas?.addEventListener('webglcontextlost', onLost as EventListener);
    const poll = gl ? setInterval(() => gl.isContextLost() && onLost(), 1000) : undefined;
    return {
      signal: abort.signal,
      whenLost,
      reason: () => 'the WebGL context was lost',
      dispose: () => {
        canvas?.removeEventListener('webglcontextlost', onLost as EventListener);
        if (poll !== undefined) clearInterval(poll);
      },
    };
  }

  private fraction(p: { step: number; elapsedMs: number }): number {
    const spec = this.start!.spec;
    return Math.min(
      1,
      Math.max(spec.maxSteps ? p.step / spec.maxSteps : 0, spec.maxTimeMs ? p.elapsedMs / spec.maxTimeMs : 0),
    );
  }

  private eta(p: StepProgress): number | null {
    const spec = this.start!.spec;
    const byTime = spec.maxTimeMs ? Math.max(0, spec.maxTimeMs - p.elapsedMs) : Infinity;
    const stepsPerMs = p.tokensPerSecond / 1000 / (spec.batchSize * spec.seqLen);
    const bySteps = spec.maxSteps && stepsPerMs > 0 ? Math.max(0, spec.maxSteps - p.step) / stepsPerMs : Infinity;
    const eta = Math.min(byTime, bySteps);
    return Number.isFinite(eta) ? eta : null;
  }

  private onProgress(trainer: Trainer, model: SequenceModel, p: StepProgress): void {
    const start = this.start!;
    if (!Number.isFinite(p.loss) && this.onGpu) {
      // A lost context reads back garbage before (or instead of) firing its event.
      const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
      if (gl?.isContextLost()) this.control.stop();
    }
    const fraction = this.fraction(p);
    const etaMs = this.eta(p);
    this.post({ type: 'trainProgress', runId: start.runId, progress: p, fraction, etaMs });
    this.view.progress(p, fraction, etaMs);
    const spec = start.spec;
    const dueByTime = performance.now() - this.lastCheckpointAt >= spec.checkpointSeconds * 1000;
    // At an evaluation boundary the evaluation (which checkpoints) has not run yet: leave it to it.
    if (dueByTime && p.step % spec.evalEvery !== 0) this.checkpoint(trainer, model, false);
    if (this.sampleRequested || (spec.sampleEvery > 0 && p.step % spec.sampleEvery === 0)) this.sample(model, p.step);
  }

  private onEval(trainer: Trainer, model: SequenceModel, r: EvalReport): void {
    const { gradientFlow: _omit, ...report } = r;
    this.history = this.history.filter((h) => h.step !== r.step);
    this.history.push({
      step: r.step,
      trainLoss: r.trainLoss,
      validationLoss: r.validationLoss,
      validationBitsPerChar: r.validationBitsPerChar,
      gradNorm: r.gradNorm,
      learningRate: r.learningRate,
      tokensPerSecond: r.tokensPerSecond,
    });
    this.post({ type: 'trainEval', runId: this.runId, report });
    this.view.evaluation(report);
    if (r.step % this.start!.spec.evalEvery === 0) this.checkpoint(trainer, model, false);
    if (this.start!.spec.sampleEvery === 0) this.sample(model, r.step);
  }

  private sample(model: SequenceModel, step: number): void {
    this.sampleRequested = false;
    try {
      const g = generate(model, this.tokenizer, this.prompt, { maxTokens: 160, temperature: this.temperature, seed: step });
      this.post({ type: 'trainSample', runId: this.runId, step, temperature: this.temperature, prompt: this.prompt, text: g.text });
      this.view.sample(step, this.prompt, g.text, this.temperature);
    } catch (error) {
      this.view.sample(step, this.prompt, `(no sample: ${message(error)})`, this.temperature);
    }
  }

  /** A model file with the training checkpoint, sent to the host (its buffer transferred). */
  private checkpoint(trainer: Trainer, model: SequenceModel, final: boolean, validationCompletion?: ValidationCompletion): void {
    const start = this.start!;
    const summary = trainer.summary();
    const corpus = {
      ...summary.corpus,
      description: start.corpus.folders.join(', '),
      files: start.corpus.files,
      characters: start.corpus.characters,
      languages: start.corpus.languages,
      excluded: start.corpus.excluded,
    };
    const metadata: Partial<ModelMetadata> = {
      backend: this.backendName,
      corpus,
      training: summary.training,
      preset: start.spec.preset,
      name: start.spec.name,
      history: this.history,
      trainedWith: `Sequence Lab ${start.extensionVersion}`,
      ...(start.base ? { base: start.base } : {}),
      ...(validationCompletion ? { validationCompletion } : {}),
    };
    const bytes = saveModelFile({ model, tokenizer: this.tokenizer, metadata, checkpoint: trainer.checkpoint() });
    // Keep a copy to resume from if the backend fails; the original's buffer goes to the host.
    this.lastCheckpoint = bytes.slice();
    this.lastCheckpointStep = trainer.step;
    this.lastCheckpointAt = performance.now();
    this.post({ type: 'trainCheckpoint', runId: start.runId, step: trainer.step, bytes, final }, [bytes.buffer]);
  }

  private done(trainer: Trainer, result: TrainResult): void {
    const summary = trainer.summary();
    // The weights saved: the best evaluation's when restoreBest kept them, else the last.
    const kept = summary.training.lastEval;
    const lastEval = kept ? (({ gradientFlow: _omit, ...rest }) => rest)(kept) : null;
    this.post({
      type: 'trainDone',
      runId: this.runId,
      reason: result.reason,
      steps: result.steps,
      elapsedMs: result.elapsedMs,
      tokensSeen: summary.training.tokensSeen,
      backend: this.backendName,
      lastEval,
    });
    this.view.finished(result.steps, summary.training.elapsedMs);
    this.view.state('done', `finished after ${result.steps} steps (${describeReason(result.reason)})`);
  }
}

function describeReason(reason: TrainResult['reason']): string {
  switch (reason) {
    case 'steps':
      return 'step budget reached';
    case 'time':
      return 'time budget reached';
    case 'plateau':
      return 'no further improvement';
    case 'stopped':
      return 'stopped';
  }
}

/** Model-file bytes as posted: a Uint8Array, or its ArrayBuffer. */
function asBytes(value: Uint8Array | ArrayBuffer | null): Uint8Array | null {
  if (value === null || value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new Error('the checkpoint to resume from did not arrive as bytes');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
