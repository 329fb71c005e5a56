// What the completion controller asks a model through, whichever runtime serves it: the engines
// of engine.ts in the host (n-gram; neural over tfjs or ONNX Runtime) or the workspace n-gram in a
// worker thread. No vscode and no runtime imports here.
import type { SequenceModel } from '../models/sequenceModel';
import { DEFAULT_DOCUMENT_CACHE, type DocumentCacheOptions } from '../ngram/documentCache';
import type { NgramModel } from '../ngram/ngram';
import { MAX_WINDOW_CHARS } from './controller';
import { contextCharsFor, neuralEngine, ngramEngine, type CompletionEngine, type DecodingOptions, type EngineTokenizer, type Suggestion } from './engine';
import type { NextTokenBlend } from './hybrid';
import type { Stepper } from './stepper';

export type { Suggestion };

export interface ServingEngine {
  /** What serves, for people: "lstm small · ONNX Runtime", "workspace n-gram". */
  readonly label: string;
  /** Which runtime computes: the status bar and the benchmark report it. */
  readonly runtime: 'ngram' | 'ngram-worker' | 'tfjs' | 'onnx';
  /**
   * Characters before the cursor a fresh window gives the model. The engine then keeps state
   * per document: a later prefix that extends the last one costs only what was typed since.
   */
  readonly contextChars: number;
  /**
   * A continuation of `prefix` (the window of the document `documentKey` before the cursor), at
   * most `maxChars` UTF-16 code units; `expected` as in CompletionEngine.suggest (evaluation).
   */
  suggest(documentKey: string, prefix: string, maxChars: number, expected?: string): Promise<Suggestion>;
  /** Drops the state kept for a document (closed). */
  forget(documentKey: string): void;
  dispose(): void;
}

/**
 * An engine per document (the most recent `maxDocuments`), so that switching between files
 * keeps each file's model state: coming back costs the characters typed there since, not a
 * fresh priming.
 */
export class PerDocumentEngines implements ServingEngine {
  private readonly engines = new Map<string, CompletionEngine>();

  constructor(
    readonly label: string,
    readonly runtime: ServingEngine['runtime'],
    readonly contextChars: number,
    private readonly create: (documentKey: string) => CompletionEngine,
    private readonly maxDocuments = 4,
  ) {}

  suggest(documentKey: string, prefix: string, maxChars: number, expected?: string): Promise<Suggestion> {
    return this.engineFor(documentKey).suggest(prefix, maxChars, expected);
  }

  /** The engine of a document, created on first use; the least recently used one goes past the limit. */
  engineFor(documentKey: string): CompletionEngine {
    let engine = this.engines.get(documentKey);
    if (engine) this.engines.delete(documentKey);
    else engine = this.create(documentKey);
    this.engines.set(documentKey, engine);
    if (this.engines.size > this.maxDocuments) {
      const [oldest, evicted] = this.engines.entries().next().value as [string, CompletionEngine];
      this.engines.delete(oldest);
      evicted.dispose();
    }
    return engine;
  }

  forget(documentKey: string): void {
    this.engines.get(documentKey)?.dispose();
    this.engines.delete(documentKey);
  }

  dispose(): void {
    for (const engine of this.engines.values()) engine.dispose();
    this.engines.clear();
  }
}

/**
 * An n-gram model as served: by default with the document cache (ngram/documentCache.ts), each
 * document its own engine given its text before the cursor, up to the controller's longest
 * window; with `null`, one stateless engine for every document.
 */
export function ngramServing(
  label: string,
  ngram: NgramModel,
  decoding: DecodingOptions,
  documentCache: DocumentCacheOptions | null = DEFAULT_DOCUMENT_CACHE,
): ServingEngine {
  if (!documentCache) return new PerDocumentEngines(label, 'ngram', 2 * ngram.order, () => ngramEngine(ngram, decoding), 1);
  return new PerDocumentEngines(label, 'ngram', MAX_WINDOW_CHARS, () => ngramEngine(ngram, decoding, documentCache));
}

/**
 * A neural model over `stepper` (tfjs or ONNX Runtime), an engine per document. With `blendFor`
 * (the hybrid, hybrid.ts), each document's engine mixes its own blend in; the window it is given
 * is then the controller's longest, which the blend's document cache counts (the network still
 * primes from its own context length).
 */
export function neuralServing<S>(
  label: string,
  runtime: 'tfjs' | 'onnx',
  stepper: Stepper<S>,
  model: { readonly config: SequenceModel['config'] },
  tokenizer: EngineTokenizer,
  decoding: DecodingOptions,
  blendFor?: (documentKey: string) => NextTokenBlend,
): ServingEngine {
  const contextChars = contextCharsFor(model.config, tokenizer.kind);
  const window = blendFor ? Math.max(contextChars, MAX_WINDOW_CHARS) : contextChars;
  return new PerDocumentEngines(label, runtime, window, (documentKey) => neuralEngine(stepper, tokenizer, decoding, contextChars, blendFor?.(documentKey)));
}
