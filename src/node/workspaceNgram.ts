// The workspace n-gram: a Kneser-Ney character model counted over the workspace's own files in a
// worker thread (dist/ngramWorker.js) within seconds of the first completion request, serving
// completions before any model is trained. Host side: a ServingEngine whose suggestions are
// messages to the worker. No vscode here (the file list comes from the caller).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BuiltReply, WorkerReply, WorkerRequest, WorkspaceFile } from './ngramWorker';
import type { DecodingOptions, EngineTokenizer } from '../core/completion/engine';
import { indexOfIds, projectOntoIds, type CountsSide } from '../core/completion/hybrid';
import type { ServingEngine, Suggestion } from '../core/completion/servingEngine';
import { WORKSPACE_NGRAM_ORDER } from '../core/completion/autoServing';
import { MAX_WINDOW_CHARS } from '../core/completion/controller';

export const WORKSPACE_NGRAM_MAX_FILE_BYTES = 512 * 1024;
export const WORKSPACE_NGRAM_MAX_CHARS = 3_000_000;
/** Code units of context a distribution request carries: more than the n-gram and its cache read. */
const CONTEXT_UNITS = 32;

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
  private readonly pendingDistributions = new Map<number, { resolve: (p: Float64Array) => void; reject: (e: Error) => void }>();
  private disposed = false;
  /** The n-gram's characters, once built. */
  private chars: readonly string[] | undefined;
  /** Resolves with what was counted once the model is built; rejects if building failed. */
  readonly built: Promise<BuiltReply>;

  private buildSettle!: { resolve: (r: BuiltReply) => void; reject: (e: Error) => void };

  private constructor(options: WorkspaceNgramOptions) {
    this.built = new Promise((resolve, reject) => (this.buildSettle = { resolve, reject }));
    this.worker = new Worker(options.workerScript ?? path.join(__dirname, 'ngramWorker.js'));
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'built') {
        this.chars = reply.chars;
        this.buildSettle.resolve(reply);
      }
      else if (reply.type === 'suggestion') this.settle(reply.id)?.resolve({ text: reply.text, meanProbability: reply.meanProbability, probability: reply.probability });
      else if (reply.type === 'distribution') this.settleDistribution(reply.id)?.resolve(reply.probs);
      else if (reply.id === undefined) this.fail(new Error(`building the workspace n-gram failed: ${reply.message}`));
      else (this.settle(reply.id) ?? this.settleDistribution(reply.id))?.reject(new Error(reply.message));
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

  /**
   * The counting side of the hybrid (core/completion/hybrid.ts) for one document: each
   * distribution is a message to the worker, the document's text going with the first one after
   * each sync. Only once `built` has resolved.
   */
  countsSide(documentKey: string, tokenizer: EngineTokenizer): CountsSide {
    if (!this.chars) throw new Error('the workspace n-gram is not built yet');
    const index = indexOfIds(this.chars, tokenizer);
    let unsent: string | undefined;
    return {
      sync: (prefix) => void (unsent = prefix),
      distribution: (context) => {
        if (this.disposed) return Promise.reject(new Error('the workspace n-gram was disposed'));
        const id = this.nextId++;
        const prefix = unsent;
        unsent = undefined;
        return new Promise<Float64Array>((resolve, reject) => {
          this.pendingDistributions.set(id, { resolve: (probs) => resolve(projectOntoIds(probs, index)), reject });
          this.post({ type: 'distribution', id, documentKey, prefix, context: context.slice(Math.max(0, context.length - CONTEXT_UNITS)) });
        });
      },
      dispose: () => this.forget(documentKey),
    };
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

  private settleDistribution(id: number) {
    const p = this.pendingDistributions.get(id);
    this.pendingDistributions.delete(id);
    return p;
  }

  /** Rejects the build (if still pending) and every pending request. */
  private fail(e: Error): void {
    this.buildSettle.reject(e);
    for (const p of [...this.pending.values(), ...this.pendingDistributions.values()]) p.reject(e);
    this.pending.clear();
    this.pendingDistributions.clear();
  }
}
