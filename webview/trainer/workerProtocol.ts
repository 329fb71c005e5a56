// Messages between the trainer page and its training worker (worker.ts). The page keeps the
// DOM (chart, buttons, host channel); the worker runs the TrainingRun, so a step on wasm never
// holds up the page. View updates cross as one call per RunView method; host messages are
// forwarded as they are (model files transferred).
import type { WasmPaths } from '../../src/core/backend/backend';
import type { BackendProbe } from '../../src/core/backend/choice';
import type { ToShardMessage } from '../../src/core/training/dataParallel';
import type { TrainerFromWebviewMessage, TrainStartMessage } from '../../src/protocol';
import type { RunView } from './trainingRun';

export interface WorkerStart {
  readonly kind: 'start';
  readonly start: TrainStartMessage;
  readonly probe: BackendProbe;
  /** blob: URLs of the .wasm files, fetched by the page (the worker cannot reach webview resources). */
  readonly wasmPaths: WasmPaths;
  /** This worker's own script URL, for the data-parallel gradient workers it starts. */
  readonly workerUrl: string;
}

export type ToTrainerWorker =
  | WorkerStart
  | { readonly kind: 'control'; readonly action: 'pause' | 'resume' | 'stop' }
  | { readonly kind: 'temperature'; readonly value: number }
  | { readonly kind: 'sample' };

/** One RunView call: its method name and arguments. */
export type ViewCall = { [K in keyof RunView]: { readonly method: K; readonly args: Parameters<RunView[K]> } }[keyof RunView];

export type FromTrainerWorker =
  | { readonly kind: 'host'; readonly message: TrainerFromWebviewMessage }
  | { readonly kind: 'view'; readonly call: ViewCall }
  | { readonly kind: 'failed'; readonly message: string };

/** The same script serves as a training worker and as a gradient worker (dataParallel.ts). */
export type ToWorker = ToTrainerWorker | ToShardMessage;

export function isShardMessage(m: ToWorker): m is ToShardMessage {
  return 'type' in m;
}
