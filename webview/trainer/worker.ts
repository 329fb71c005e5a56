// The trainer webview's worker (dist/webview/trainer/worker.js, started from a blob: URL).
// First message `start`: it runs the TrainingRun and reports to the page (workerProtocol.ts),
// with navigator.hardwareConcurrency − 1 more copies of itself as data-parallel gradient
// workers. First message `initShard`: it is one of those gradient workers.
import '@tensorflow/tfjs-backend-webgpu';
import { useBackend, type BackendName } from '../../src/core/backend/backend';
import { createShardHandler, RemoteGradientWorker, type FromShardMessage, type GradientWorker, type ShardChannel } from '../../src/core/training/dataParallel';
import type { ModelConfig } from '../../src/core/models';
import { TrainingRun, type RunView } from './trainingRun';
import { isShardMessage, type FromTrainerWorker, type ToWorker, type ViewCall, type WorkerStart } from './workerProtocol';

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;
const send = (m: FromTrainerWorker, transfer?: Transferable[]) => scope.postMessage(m, transfer ?? []);

let run: TrainingRun | null = null;
let shard: ((m: Parameters<ReturnType<typeof createShardHandler>>[0]) => Promise<void>) | null = null;
let queue = Promise.resolve();

function viewProxy(): RunView {
  const call = (c: ViewCall) => send({ kind: 'view', call: c });
  return {
    backend: (...args) => call({ method: 'backend', args }),
    progress: (...args) => call({ method: 'progress', args }),
    evaluation: (...args) => call({ method: 'evaluation', args }),
    sample: (...args) => call({ method: 'sample', args }),
    finished: (...args) => call({ method: 'finished', args }),
    released: (...args) => call({ method: 'released', args }),
    state: (...args) => call({ method: 'state', args }),
    threads: (...args) => call({ method: 'threads', args }),
  };
}

function channelOf(worker: Worker): ShardChannel {
  return {
    post: (message, transfer) => worker.postMessage(message, transfer ?? []),
    onMessage: (handler) => (worker.onmessage = (e: MessageEvent<FromShardMessage>) => handler(e.data)),
    onError: (handler) => (worker.onerror = (e: ErrorEvent) => handler(new Error(e.message || 'gradient worker failed to load'))),
    terminate: () => worker.terminate(),
  };
}

function gradientWorkerStarter(m: WorkerStart, count: number) {
  return async (config: ModelConfig, backend: BackendName): Promise<GradientWorker[]> => {
    const started = await Promise.allSettled(
      Array.from({ length: count }, () => RemoteGradientWorker.start(channelOf(new Worker(m.workerUrl)), { config, backend, wasmPaths: m.wasmPaths })),
    );
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      for (const w of workers) w.dispose();
      throw failed.reason;
    }
    return workers;
  };
}

function onStart(m: WorkerStart): void {
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  const count = m.start.spec.gradientWorkers ?? cores - 1;
  run = new TrainingRun(m.start, (message, transfer) => send({ kind: 'host', message }, transfer), viewProxy(), {
    wasmPaths: m.wasmPaths,
    thread: 'a worker',
    startGradientWorkers: count > 0 ? gradientWorkerStarter(m, count) : undefined,
  });
  run.run(m.probe).catch((error: unknown) => send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }));
}

scope.onmessage = (event) => {
  const m = event.data;
  if (isShardMessage(m)) {
    shard ??= createShardHandler(
      (reply, transfer) => scope.postMessage(reply, transfer ?? []),
      (name, wasmPaths) => useBackend(name, { wasmPaths }),
    );
    const handle = shard;
    queue = queue.then(() => handle(m));
    return;
  }
  if (m.kind === 'start') onStart(m);
  else if (!run) return;
  else if (m.kind === 'control') {
    if (m.action === 'pause') run.pause();
    else if (m.action === 'resume') run.resume();
    else run.stop();
  } else if (m.kind === 'temperature') run.temperature = m.value;
  else run.requestSample();
};
