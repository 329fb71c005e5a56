// Worker thread (dist/gradientWorker.js): one data-parallel gradient worker
// (core/training/dataParallel.ts) with a tfjs backend of its own.
import { parentPort } from 'node:worker_threads';
import { useBackend } from '../core/backend/backend';
import { createShardHandler, type ToShardMessage } from '../core/training/dataParallel';
import { nodeWasmPaths } from './wasmPaths';

const port = parentPort;
if (!port) throw new Error('gradientWorker.js runs as a worker thread');
const handle = createShardHandler(
  (message, transfer) => port.postMessage(message, transfer ?? []),
  (name, wasmPaths) => useBackend(name, { wasmPaths: wasmPaths ?? nodeWasmPaths() }),
);
// One message at a time, in order: a request never overtakes the init before it.
let queue = Promise.resolve();
port.on('message', (message: ToShardMessage) => {
  queue = queue.then(() => handle(message));
});
