// Model loading for completions; part of the lazily loaded dist/completionRuntime.js (re-exported
// by src/extension/completionRuntime.ts), so ONNX Runtime is only read when the first completion
// asks for a model, and tfjs never: a neural model file's weight arrays (read by the tfjs-free
// container) are exported to the ONNX step graph (src/core/onnx) and served by ONNX Runtime
// (onnxruntime-web, wasm, one thread) through the one neural engine of
// src/core/completion/engine.ts. (The benchmark compares it with the tfjs stepper.)
import type { DecodingOptions, EngineTokenizer } from '../../core/completion/engine';
import { neuralServing, ngramServing, type ServingEngine } from '../../core/completion/servingEngine';
import { ngramBlend, type CountsSide, type HybridGate } from '../../core/completion/hybrid';
import { readModelFile } from '../../core/modelFile/container';
import { exportGraph } from '../../core/onnx/export';
import { loadOnnxRuntime } from '../../node/onnxRuntime';
import { createOnnxStepper } from '../../node/onnxStepper';

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
  readonly runtime: 'ngram' | 'onnx';
  /** Model calls so far (ONNX session runs); undefined for the n-gram. */
  modelCalls(): number | undefined;
  /**
   * A fresh engine (it keeps per-document state); the model stays loaded. With `hybrid` (a
   * character model), each document's engine mixes in the counts it is given by the gate.
   */
  createEngine(decoding: DecodingOptions, hybrid?: HybridServing): ServingEngine;
  /** Frees the model. */
  dispose(): void;
}

/** Loads a `.seqlab` file for completions: an n-gram model as it is, a neural one on ONNX Runtime. */
export async function loadCompletionModel(bytes: Uint8Array, name: string): Promise<CompletionModel> {
  const file = readModelFile(bytes);
  if (file.kind === 'ngram') {
    const ngram = file.ngram;
    return {
      kind: 'ngram',
      description: `n-gram order ${ngram.order}`,
      runtime: 'ngram',
      modelCalls: () => undefined,
      createEngine: (decoding) => ngramServing(name, ngram, decoding),
      dispose() {},
    };
  }
  const { config, tokenizer } = file;
  const preset = typeof file.metadata.preset === 'string' ? ` ${file.metadata.preset}` : '';
  const stepper = await createOnnxStepper(await loadOnnxRuntime(), exportGraph(file, 'step'), config);
  return {
    kind: 'neural',
    description: `${config.arch}${preset}`,
    runtime: 'onnx',
    modelCalls: () => stepper.runs,
    createEngine: (decoding, hybrid) => neuralServing(hybrid ? `${name} + workspace n-gram` : name, 'onnx', stepper, { config }, tokenizer, decoding, blendsOf(hybrid, tokenizer)),
    dispose: () => void stepper.release(),
  };
}

/** Each document's blend of the hybrid; undefined (the model alone) without one or for a word-level model. */
function blendsOf(hybrid: HybridServing | undefined, tokenizer: EngineTokenizer) {
  if (!hybrid || tokenizer.kind !== 'char') return undefined;
  return (documentKey: string) => ngramBlend(hybrid.countsFor(documentKey, tokenizer), hybrid.gate);
}
