// Data parallelism: each step's batch is split by rows among the trainer and its gradient
// workers (worker threads in Node, web workers in a browser), each with a model of its own on a
// backend of its own. Every worker gets the current weights, computes the gradient of the mean
// loss over its rows, and sends it back; the trainer combines them into the gradient of the mean
// loss over the whole batch and takes one optimiser step. Because
//
//   L = Σ_i w_i·nll_i / W  =  Σ_s (W_s / W) · L_s,   L_s = Σ_{i∈s} w_i·nll_i / W_s,
//
// ∇L = Σ_s (W_s/W)·∇L_s exactly (W_s = real targets in shard s), so N workers give the weights
// one worker gives on the same global batch, up to float rounding.
//
// Transport-neutral: a worker is anything that can post and receive these messages
// (src/node/gradientWorkers.ts for worker_threads, webview/trainer for web workers).
import * as tf from '@tensorflow/tfjs';
import type { BackendName, WasmPaths } from '../backend/backend';
import { createModel, type ModelConfig, type SequenceModel } from '../models';
import { crossEntropy } from './loss';
import type { Batch } from './tokenStream';

export interface InitShardMessage {
  readonly type: 'initShard';
  readonly config: ModelConfig;
  readonly backend: BackendName;
  readonly wasmPaths?: WasmPaths;
}

export interface ShardGradientsRequest {
  readonly type: 'shardGradients';
  readonly id: number;
  /** Every weight, flattened in `model.weights` order. */
  readonly weights: Float32Array;
  readonly batch: Batch;
}

export type ToShardMessage = InitShardMessage | ShardGradientsRequest | { readonly type: 'disposeShard' };

export interface ShardReadyMessage {
  readonly type: 'shardReady';
  /** The backend the worker actually runs on. */
  readonly backend: BackendName;
}

export interface ShardGradientsReply {
  readonly type: 'shardGradients';
  readonly id: number;
  /** ∇ of the shard's mean loss, flattened in `model.weights` order. */
  readonly grads: Float32Array;
  /** Σ w·nll over the shard (nats) and Σ w (real targets). */
  readonly lossSum: number;
  readonly weightSum: number;
}

export interface ShardErrorMessage {
  readonly type: 'shardError';
  readonly id: number | null;
  readonly message: string;
}

export type FromShardMessage = ShardReadyMessage | ShardGradientsReply | ShardErrorMessage;

/** The result of one shard, wherever it was computed. */
export interface ShardResult {
  readonly grads: Float32Array;
  readonly lossSum: number;
  readonly weightSum: number;
}

/** Computes a shard's gradients somewhere else (a worker thread, a web worker). */
export interface GradientWorker {
  gradients(weights: Float32Array, batch: Batch): Promise<ShardResult>;
  dispose(): void;
}

/** Both ends of a message channel, as worker_threads and web workers each provide one. */
export interface ShardChannel {
  post(message: ToShardMessage, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (message: FromShardMessage) => void): void;
  onError(handler: (error: Error) => void): void;
  terminate(): void;
}

/** The trainer's side of one worker: requests paired with replies by id. */
export class RemoteGradientWorker implements GradientWorker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: ShardResult) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  private constructor(private readonly channel: ShardChannel) {
    channel.onMessage((m) => {
      if (m.type === 'shardGradients') this.settle(m.id, null, m);
      else if (m.type === 'shardError') this.settle(m.id, new Error(`gradient worker: ${m.message}`), null);
    });
    channel.onError((e) => this.failAll(e));
  }

  /** Starts the worker's model on `backend` and resolves once it is ready. */
  static async start(channel: ShardChannel, init: Omit<InitShardMessage, 'type'>): Promise<RemoteGradientWorker> {
    const ready = new Promise<void>((resolve, reject) => {
      channel.onMessage((m) => {
        if (m.type === 'shardReady') resolve();
        else if (m.type === 'shardError' && m.id === null) reject(new Error(`gradient worker: ${m.message}`));
      });
      channel.onError(reject);
    });
    channel.post({ type: 'initShard', ...init });
    try {
      await ready;
    } catch (error) {
      channel.terminate();
      throw error;
    }
    return new RemoteGradientWorker(channel);
  }

  gradients(weights: Float32Array, batch: Batch): Promise<ShardResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<ShardResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.channel.post({ type: 'shardGradients', id, weights, batch });
    });
  }

  dispose(): void {
    this.failAll(new Error('gradient worker disposed'));
    this.channel.terminate();
  }

  private settle(id: number | null, error: Error | null, result: ShardResult | null): void {
    if (id === null) return this.failAll(error ?? new Error('gradient worker failed'));
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (error) p.reject(error);
    else p.resolve(result!);
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

/**
 * Loss (the shard mean) and gradients of every weight, in `variables` order, for one batch.
 * The one gradient computation of training: the trainer's own rows and every worker's run it.
 * Call inside tf.tidy.
 */
export function batchGradients(model: SequenceModel, variables: readonly tf.Variable[], batch: Batch): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const shape: [number, number] = [batch.batchSize, batch.seqLen];
  const ids = tf.tensor2d(batch.inputs, shape, 'int32');
  const targets = tf.tensor2d(batch.targets, shape, 'int32');
  const weights = tf.tensor2d(batch.weights, shape, 'float32');
  const { value, grads } = tf.variableGrads(
    () => crossEntropy(model.forward(ids, { training: true }), targets, weights),
    variables as tf.Variable[],
  );
  return { loss: value, grads: variables.map((v) => grads[v.name]) };
}

/** Total element count of `variables`. */
export function flatSize(variables: readonly tf.Variable[]): number {
  return variables.reduce((s, v) => s + v.size, 0);
}

/** Every variable's values, one after another. */
export function flattenVariables(variables: readonly tf.Variable[]): Float32Array {
  const out = new Float32Array(flatSize(variables));
  let offset = 0;
  for (const v of variables) {
    out.set(v.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  return out;
}

/** Splits a batch by rows into at most `parts` non-empty shards of near-equal size. */
export function splitBatchRows(batch: Batch, parts: number): Batch[] {
  const n = Math.max(1, Math.min(parts, batch.batchSize));
  const T = batch.seqLen;
  const shards: Batch[] = [];
  let row = 0;
  for (let s = 0; s < n; s++) {
    const rows = Math.floor(batch.batchSize / n) + (s < batch.batchSize % n ? 1 : 0);
    const weights = batch.weights.slice(row * T, (row + rows) * T);
    let targetCount = 0;
    for (let i = 0; i < weights.length; i++) targetCount += weights[i];
    shards.push({
      batchSize: rows,
      seqLen: T,
      inputs: batch.inputs.slice(row * T, (row + rows) * T),
      targets: batch.targets.slice(row * T, (row + rows) * T),
      weights,
      targetCount,
    });
    row += rows;
  }
  return shards;
}

/**
 * The worker's side: a model of its own, set to the weights each request brings. `post` sends a
 * reply (with the gradient buffer to transfer); `useBackend` starts the backend the message names.
 */
export function createShardHandler(
  post: (message: FromShardMessage, transfer?: ArrayBuffer[]) => void,
  useBackend: (name: BackendName, wasmPaths?: WasmPaths) => Promise<BackendName>,
): (message: ToShardMessage) => Promise<void> {
  let model: SequenceModel | null = null;
  let variables: tf.Variable[] = [];
  return async (message) => {
    try {
      if (message.type === 'initShard') {
        const backend = await useBackend(message.backend, message.wasmPaths);
        model?.dispose();
        model = createModel(message.config);
        variables = [...model.weights.values()];
        post({ type: 'shardReady', backend });
      } else if (message.type === 'shardGradients') {
        if (!model) throw new Error('no model: initShard first');
        const grads = new Float32Array(flatSize(variables));
        const lossSum = tf.tidy(() => {
          let offset = 0;
          for (const v of variables) {
            v.assign(tf.tensor(message.weights.subarray(offset, offset + v.size), v.shape, 'float32'));
            offset += v.size;
          }
          const result = batchGradients(model!, variables, message.batch);
          offset = 0;
          for (const g of result.grads) {
            grads.set(g.dataSync() as Float32Array, offset);
            offset += g.size;
          }
          return result.loss.dataSync()[0] * message.batch.targetCount;
        });
        post({ type: 'shardGradients', id: message.id, grads, lossSum, weightSum: message.batch.targetCount }, [grads.buffer]);
      } else {
        model?.dispose();
        model = null;
        variables = [];
      }
    } catch (error) {
      post({ type: 'shardError', id: message.type === 'shardGradients' ? message.id : null, message: error instanceof Error ? error.message : String(error) });
    }
  };
}
