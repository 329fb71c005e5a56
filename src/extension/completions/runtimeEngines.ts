// Model loading for completions; part of the lazily loaded dist/modelRuntime.js (re-exported by
// src/extension/modelRuntime.ts), so tfjs and ONNX Runtime are only read when the first
// completion asks for a model.
//
// A neural model is served by ONNX Runtime (onnxruntime-web, wasm, one thread): the model file
// is loaded with tfjs on its cpu backend (no kernels run: only the weights are read), exported to
// the ONNX step graph (src/core/onnx), and the tfjs model is disposed. The `tfjs` runtime keeps
// the model in tfjs instead and steps it through the tfjs stepper (the benchmark compares). Both
// are the one neural engine of src/core/completion/engine.ts over a different Stepper.
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../core/backend/backend';
import type { DecodingOptions, EngineTokenizer } from '../../core/completion/engine';
import { neuralServing, ngramServing, type ServingEngine } from '../../core/completion/servingEngine';
import { tfjsStepper } from '../../core/completion/stepper';
import { ngramBlend, type CountsSide, type HybridGate } from '../../core/completion/hybrid';
import { describeModelFile, loadModelFile } from '../../core/modelFile';
import { exportOnnx } from '../../core/onnx/export';
import { loadOnnxRuntime } from '../../node/onnxRuntime';
import { createOnnxStepper, type OnnxStepper } from '../../node/onnxStepper';
import { nodeWasmPaths } from '../../node/wasmPaths';

export type NeuralRuntime = 'onnx' | 'tfjs';

/** The hybrid as served: the gate trained with the model, and the counts of each document. */
export interface HybridServing {
  readonly gate: HybridGate;
  countsFor(documentKey: string, tokenizer: EngineTokenizer): CountsSide;
}

/** A loaded model file, ready to make engines for any decoding options. */
export interface CompletionModel {
  readonly kind: 'neural' | 'ngram';
  /** "lstm small", "n-gram order 6". */
  readonly description: string;
  readonly runtime: 'ngram' | NeuralRuntime;
  /** Model calls so far (ONNX session runs); undefined for the other runtimes. */
  modelCalls(): number | undefined;
  /**
   * A fresh engine (it keeps per-document state); the model stays loaded. With `hybrid` (a
   * character model), each document's engine mixes in the counts it is given by the gate.
   */
  createEngine(decoding: DecodingOptions, hybrid?: HybridServing): ServingEngine;
  /** Frees the model. */
  dispose(): void;
}

/**
 * Loads a `.seqlab` file for completions: an n-gram model as it is; a neural one on ONNX
 * Runtime (default) or tfjs.
 */
export async function loadCompletionModel(bytes: Uint8Array, name: string, runtime: NeuralRuntime = 'onnx'): Promise<CompletionModel> {
  const kind = describeModelFile(bytes).kind;
  if (kind === 'neural') {
    // ONNX only needs the weights read: tfjs's cpu backend does that without loading any wasm.
    const wanted = runtime === 'onnx' ? 'cpu' : 'wasm';
    const current = tf.engine().backendName;
    if (current !== wanted && !(runtime === 'onnx' && current)) await useBackend(wanted, { wasmPaths: nodeWasmPaths() });
  }
  const loaded = loadModelFile(bytes);
  if (loaded.kind === 'ngram') {
    const ngram = loaded.ngram;
    return {
      kind: 'ngram',
      description: `n-gram order ${ngram.order}`,
      runtime: 'ngram',
      modelCalls: () => undefined,
      createEngine: (decoding) => ngramServing(name, ngram, decoding),
      dispose() {},
    };
  }
  const { model, tokenizer } = loaded;
  const config = model.config;
  const preset = typeof loaded.metadata.preset === 'string' ? ` ${loaded.metadata.preset}` : '';
  const description = `${config.arch}${preset}`;
  if (runtime === 'tfjs') {
    return {
      kind: 'neural',
      description,
      runtime,
      modelCalls: () => undefined,
      createEngine: (decoding, hybrid) => neuralServing(hybrid ? `${name} + workspace n-gram` : name, 'tfjs', tfjsStepper(model), model, tokenizer, decoding, blendsOf(hybrid, tokenizer)),
      dispose: () => model.dispose(),
    };
  }
  let stepper: OnnxStepper;
  try {
    const { step } = exportOnnx(model);
    stepper = await createOnnxStepper(await loadOnnxRuntime(), step, config);
  } finally {
    model.dispose();
  }
  return {
    kind: 'neural',
    description,
    runtime,
    modelCalls: () => stepper.runs,
    createEngine: (decoding, hybrid) => neuralServing(hybrid ? `${name} + workspace n-gram` : name, 'onnx', stepper, model, tokenizer, decoding, blendsOf(hybrid, tokenizer)),
    dispose: () => void stepper.release(),
  };
}

/** Each document's blend of the hybrid; undefined (the model alone) without one or for a word-level model. */
function blendsOf(hybrid: HybridServing | undefined, tokenizer: EngineTokenizer) {
  if (!hybrid || tokenizer.kind !== 'char') return undefined;
  return (documentKey: string) => ngramBlend(hybrid.countsFor(documentKey, tokenizer), hybrid.gate);
}
