// Shared by unit tests that touch tensors: the backend under test (wasm unless
// SEQLAB_TEST_BACKEND says otherwise) and a guard that a block leaks no tensors.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend, type BackendName } from '../../src/core/backend/backend';
import { nodeWasmPaths } from '../../src/node/wasmPaths';

export const testBackend = (process.env.SEQLAB_TEST_BACKEND ?? 'wasm') as BackendName;

export async function useTestBackend(): Promise<void> {
  await useBackend(testBackend, { wasmPaths: nodeWasmPaths() });
}

/** Runs `fn` and asserts that the number of live tensors is the same after it as before. */
export async function assertNoLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return result;
}
