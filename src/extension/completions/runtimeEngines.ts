// Model loading for completions; part of the lazily loaded dist/modelRuntime.js (re-exported by
// src/extension/modelRuntime.ts), so tfjs is only read when the first completion asks for a model.
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../core/backend';
import { DEFAULT_CONTEXT_CHARS, neuralEngine, ngramEngine } from '../../core/completionEngine';
import { describeModelFile, loadModelFile } from '../../core/modelFile';
import { nodeWasmPaths } from '../../node/wasmPaths';
import { engineOptions, PerDocumentEngines, type DecodingOptions, type ServingEngine } from './servingEngine';

/** A loaded model file, ready to make engines for any decoding options. */
export interface CompletionModel {
  readonly kind: 'neural' | 'ngram';
  /** "lstm small", "ngram order 6". */
  readonly description: string;
  /** A fresh engine (it keeps per-document state); the model stays loaded. */
  createEngine(decoding: DecodingOptions): ServingEngine;
  /** Frees the model's weights. */
  dispose(): void;
}

/**
 * Loads a `.seqlab` file for completions: an n-gram model as it is; a neural one on tfjs's wasm
 * backend (started here unless tfjs already runs on wasm or cpu), stepped one token at a time
 * by the core neural engine with state carried per document.
 */
export async function loadCompletionModel(bytes: Uint8Array, name: string): Promise<CompletionModel> {
  const loadedKind = describeModelFile(bytes).kind;
  if (loadedKind === 'neural' && !['wasm', 'cpu'].includes(tf.getBackend() ?? '')) {
    await useBackend('wasm', { wasmPaths: nodeWasmPaths() });
  }
  const loaded = loadModelFile(bytes);
  if (loaded.kind === 'ngram') {
    const ngram = loaded.ngram;
    return {
      kind: 'ngram',
      description: `n-gram order ${ngram.order}`,
      createEngine: (decoding) =>
        new PerDocumentEngines(name, 'ngram', 2 * ngram.order, () => ngramEngine(ngram, engineOptions(decoding)), 1),
      dispose() {},
    };
  }
  const { model, tokenizer } = loaded;
  const preset = typeof loaded.metadata.preset === 'string' ? ` ${loaded.metadata.preset}` : '';
  return {
    kind: 'neural',
    description: `${model.config.arch}${preset}`,
    createEngine: (decoding) =>
      new PerDocumentEngines(name, 'tfjs', DEFAULT_CONTEXT_CHARS, () =>
        neuralEngine(model, tokenizer, { ...engineOptions(decoding), contextChars: DEFAULT_CONTEXT_CHARS }),
      ),
    dispose: () => model.dispose(),
  };
}
