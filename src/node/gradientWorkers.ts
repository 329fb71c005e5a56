// Data-parallel gradient workers on worker_threads, for the CLI, benchmarks and tests: each
// thread runs dist/gradientWorker.js with a tfjs backend of its own.
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../core/backend/backend';
import type { ModelConfig } from '../core/models';
import { RemoteGradientWorker, type FromShardMessage, type GradientWorker, type ShardChannel } from '../core/training/dataParallel';

/** Cores this process may use: what `--workers auto` means. */
export function coreCount(): number {
  return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
}

/** dist/gradientWorker.js: beside this bundle (dist/), or in dist/ above it (out/test, out/bench). */
export function gradientWorkerScript(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, 'gradientWorker.js'), path.join(dir, 'dist', 'gradientWorker.js')]) {
      if (existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir) throw new Error('dist/gradientWorker.js not found: run npm run build');
  }
}

function channelOf(worker: Worker): ShardChannel {
  let onMessage: (m: FromShardMessage) => void = () => undefined;
  let onError: (e: Error) => void = () => undefined;
  worker.on('message', (m: FromShardMessage) => onMessage(m));
  worker.on('error', (e) => onError(e));
  worker.on('exit', (code) => onError(new Error(`gradient worker exited (${code})`)));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer ?? []),
    onMessage: (handler) => (onMessage = handler),
    onError: (handler) => (onError = handler),
    terminate: () => void worker.terminate(),
  };
}

/** `count` workers holding a model of `config` on `backend`, ready to compute gradients. */
export async function startGradientWorkers(count: number, config: ModelConfig, backend: BackendName): Promise<GradientWorker[]> {
  const script = gradientWorkerScript();
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => RemoteGradientWorker.start(channelOf(new Worker(script)), { config, backend })),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    for (const w of workers) w.dispose();
    throw (failed as PromiseRejectedResult).reason;
  }
  return workers;
}
