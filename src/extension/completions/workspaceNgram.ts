// The workspace n-gram: a Kneser-Ney character model counted over the workspace's own files in a
// worker thread (dist/ngramWorker.js) within seconds of the first completion request, serving
// completions before any model is trained. Host side: a ServingEngine whose suggestions are
// messages to the worker. No vscode here (the file list comes from the caller).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BuiltReply, WorkerReply, WorkerRequest, WorkspaceFile } from './ngramWorker';
import type { DecodingOptions } from '../../core/completion/engine';
import type { ServingEngine, Suggestion } from '../../core/completion/servingEngine';
import { WORKSPACE_NGRAM_ORDER } from '../../core/completion/autoServing';
import { MAX_WINDOW_CHARS } from '../../core/completion/controller';

export const WORKSPACE_NGRAM_MAX_FILE_BYTES = 512 * 1024;
export const WORKSPACE_NGRAM_MAX_CHARS = 3_000_000;

export interface WorkspaceNgramOptions {
  readonly files: readonly WorkspaceFile[];
  readonly decoding: DecodingOptions;
  readonly order?: number;
  readonly maxFileBytes?: number;
  readonly maxTotalChars?: number;
  /** The worker script; default dist/ngramWorker.js beside this bundle. */
  readonly workerScript?: string;
}

export class WorkspaceNgram implements ServingEngine {
  readonly label = 'workspace n-gram';
  readonly runtime = 'ngram-worker';
  /** The document cache counts the text before the cursor: the whole window goes to the worker. */
  readonly contextChars = MAX_WINDOW_CHARS;
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (s: Suggestion) => void; reject: (e: Error) => void }>();
  private disposed = false;
  /** Resolves with what was counted once the model is built; rejects if building failed. */
  readonly built: Promise<BuiltReply>;

  private buildSettle!: { resolve: (r: BuiltReply) => void; reject: (e: Error) => void };

  private constructor(options: WorkspaceNgramOptions) {
    this.built = new Promise((resolve, reject) => (this.buildSettle = { resolve, reject }));
    this.worker = new Worker(options.workerScript ?? path.join(__dirname, 'ngramWorker.js'));
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'built') this.buildSettle.resolve(reply);
      else if (reply.type === 'suggestion') this.settle(reply.id)?.resolve({ text: reply.text, meanProbability: reply.meanProbability, probability: reply.probability });
      else if (reply.id === undefined) this.fail(new Error(`building the workspace n-gram failed: ${reply.message}`));
      else this.settle(reply.id)?.reject(new Error(reply.message));
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the n-gram worker stopped (exit code ${code})`)));
    this.post({
      type: 'build',
      files: options.files,
      order: options.order ?? WORKSPACE_NGRAM_ORDER,
      maxFileBytes: options.maxFileBytes ?? WORKSPACE_NGRAM_MAX_FILE_BYTES,
      maxTotalChars: options.maxTotalChars ?? WORKSPACE_NGRAM_MAX_CHARS,
      decoding: options.decoding,
    });
  }

  /** Starts counting `files` in a worker; the engine answers once `built` has resolved. */
  static start(options: WorkspaceNgramOptions): WorkspaceNgram {
    const engine = new WorkspaceNgram(options);
    engine.built.catch(() => undefined); // observed by whoever awaits it
    return engine;
  }

  configure(decoding: DecodingOptions): void {
    this.post({ type: 'configure', decoding });
  }

  suggest(documentKey: string, prefix: string, maxChars: number): Promise<Suggestion> {
    if (this.disposed) return Promise.reject(new Error('the workspace n-gram was disposed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'suggest', id, documentKey, prefix, maxChars: Number.isFinite(maxChars) ? maxChars : 1e6 });
    });
  }

  forget(documentKey: string): void {
    if (!this.disposed) this.post({ type: 'forget', documentKey });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.worker.terminate();
    this.fail(new Error('the workspace n-gram was disposed'));
  }

  private post(request: WorkerRequest): void {
    this.worker.postMessage(request);
  }

  private settle(id: number) {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  /** Rejects the build (if still pending) and every pending suggestion. */
  private fail(e: Error): void {
    this.buildSettle.reject(e);
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
