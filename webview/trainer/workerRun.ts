// The page's side of a run that trains in a worker (worker.ts): it fetches the worker script and
// the .wasm files (which only the page may load from the webview's resources) into blob: URLs,
// starts the worker, forwards the host's controls to it and its messages to the host and the view.
import type { BackendProbe } from '../../src/core/backend/choice';
import type { TrainerFromWebviewMessage, TrainStartMessage } from '../../src/protocol';
import type { RunView } from './trainingRun';
import type { FromTrainerWorker, ToTrainerWorker } from './workerProtocol';

/** What the page drives, wherever the run executes (TrainingRun on the page, or this). */
export interface RunHandle {
  readonly runId: string;
  readonly paused: boolean;
  temperature: number;
  pause(): void;
  resume(): void;
  stop(): void;
  requestSample(): void;
}

/** tfjs-backend-wasm's binaries: which one loads depends on SIMD and thread support. */
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

async function blobUrl(url: string, type: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return URL.createObjectURL(new Blob([await response.arrayBuffer()], { type }));
}

export class WorkerRun implements RunHandle {
  private state = '';
  private temperatureValue = 0.8;

  private constructor(
    private readonly worker: Worker,
    private readonly urls: string[],
    readonly runId: string,
  ) {}

  /** Starts `start` in a new worker; rejects (and leaves nothing running) if the worker cannot start. */
  static async start(
    start: TrainStartMessage,
    probe: BackendProbe,
    workerScript: string,
    post: (message: TrainerFromWebviewMessage, transfer?: Transferable[]) => void,
    view: RunView,
  ): Promise<WorkerRun> {
    const urls: string[] = [];
    try {
      const [workerUrl, ...wasm] = await Promise.all([
        blobUrl(workerScript, 'text/javascript'),
        ...WASM_FILES.map((f) => blobUrl(`${start.wasmPaths}${f}`, 'application/wasm')),
      ]);
      urls.push(workerUrl, ...wasm);
      const worker = new Worker(workerUrl);
      const run = new WorkerRun(worker, urls, start.runId);
      worker.onmessage = (event: MessageEvent<FromTrainerWorker>) => run.onMessage(event.data, post, view);
      worker.onerror = (event) => {
        view.state('error', `the training worker failed: ${event.message}`);
        post({ type: 'trainError', runId: start.runId, message: `the training worker failed: ${event.message}` });
        run.end();
      };
      run.send({ kind: 'start', start, probe, wasmPaths: Object.fromEntries(WASM_FILES.map((f, i) => [f, wasm[i]])), workerUrl });
      return run;
    } catch (error) {
      for (const u of urls) URL.revokeObjectURL(u);
      throw error;
    }
  }

  get paused(): boolean {
    return this.state === 'paused';
  }
  get temperature(): number {
    return this.temperatureValue;
  }
  set temperature(value: number) {
    this.temperatureValue = value;
    this.send({ kind: 'temperature', value });
  }
  pause(): void {
    this.send({ kind: 'control', action: 'pause' });
  }
  resume(): void {
    this.send({ kind: 'control', action: 'resume' });
  }
  stop(): void {
    this.send({ kind: 'control', action: 'stop' });
  }
  requestSample(): void {
    this.send({ kind: 'sample' });
  }

  private send(m: ToTrainerWorker): void {
    this.worker.postMessage(m);
  }

  private onMessage(m: FromTrainerWorker, post: (message: TrainerFromWebviewMessage, transfer?: Transferable[]) => void, view: RunView): void {
    if (m.kind === 'host') {
      post(m.message, m.message.type === 'trainCheckpoint' ? [m.message.bytes.buffer as ArrayBuffer] : undefined);
    } else if (m.kind === 'view') {
      const call = m.call;
      if (call.method === 'state') this.state = call.args[0];
      (view[call.method] as (...args: unknown[]) => void)(...call.args);
      // The run has freed everything: nothing more will come.
      if (call.method === 'released') this.end();
    } else {
      view.state('error', m.message);
      this.end();
    }
  }

  private end(): void {
    this.worker.terminate();
    for (const u of this.urls.splice(0)) URL.revokeObjectURL(u);
  }
}
