// What the completion controller asks a model through, whichever runtime serves it: the core
// engines in the host (n-gram; tfjs), the workspace n-gram in a worker thread, ONNX Runtime.
// No vscode here and no runtime imports (types only), so the host bundle stays light.
import type { EngineOptions, Suggestion } from '../../core/completionEngine';

export type { Suggestion };

/** How suggestions are decoded (from the `seqlab.completions.*` settings). */
export interface DecodingOptions extends Required<Pick<EngineOptions, 'maxTokens' | 'temperature' | 'multiline' | 'minProbability'>> {
  /** When sampling, only the k most likely tokens; undefined: all. */
  readonly topK: number | undefined;
  readonly seed: number;
}

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
   * most `maxChars` UTF-16 code units.
   */
  suggest(documentKey: string, prefix: string, maxChars: number): Promise<Suggestion>;
  /** Drops the state kept for a document (closed). */
  forget(documentKey: string): void;
  dispose(): void;
}

/** A core engine (synchronous) or a stepped one (asynchronous): what PerDocumentEngines holds. */
export interface DocumentEngine {
  suggest(prefix: string, maxChars?: number): Suggestion | Promise<Suggestion>;
  dispose(): void;
}

/**
 * An engine per document (the most recent `maxDocuments`), so that switching between files
 * keeps each file's model state: coming back costs the characters typed there since, not a
 * fresh priming.
 */
export class PerDocumentEngines implements ServingEngine {
  private readonly engines = new Map<string, DocumentEngine>();

  constructor(
    readonly label: string,
    readonly runtime: ServingEngine['runtime'],
    readonly contextChars: number,
    private readonly create: () => DocumentEngine,
    private readonly maxDocuments = 4,
  ) {}

  async suggest(documentKey: string, prefix: string, maxChars: number): Promise<Suggestion> {
    return this.engineFor(documentKey).suggest(prefix, maxChars);
  }

  /** The engine of a document, created on first use; the least recently used one goes past the limit. */
  engineFor(documentKey: string): DocumentEngine {
    let engine = this.engines.get(documentKey);
    if (engine) this.engines.delete(documentKey);
    else engine = this.create();
    this.engines.set(documentKey, engine);
    if (this.engines.size > this.maxDocuments) {
      const [oldest, evicted] = this.engines.entries().next().value as [string, DocumentEngine];
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

/** Engine options of the core engines from decoding options. */
export function engineOptions(decoding: DecodingOptions): EngineOptions {
  return {
    maxTokens: decoding.maxTokens,
    temperature: decoding.temperature,
    topK: decoding.topK,
    multiline: decoding.multiline,
    minProbability: decoding.minProbability,
    seed: decoding.seed,
  };
}
