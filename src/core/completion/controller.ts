// One completion request, start to end, without vscode (the editor's provider adapts VS Code's
// objects to these interfaces; `seqlab eval`, the benchmark and unit tests call it directly, so
// that what they measure is what the editor shows):
//   gate (enabled, snoozed, scheme, language) → the ghost text already shown, if the user typed
//   its next characters (no model step, no debounce) → debounce → engine (loaded lazily) →
//   suggestion over the document's window before the cursor → lines, suffix, confidence.
// The cancellation token is checked after every await.
import {
  fitToSuffix,
  GhostTextMemory,
  limitLines,
  passesConfidence,
} from './suggestionText';
import type { ServingEngine } from './servingEngine';

export interface ControllerSettings {
  readonly enabled: boolean;
  readonly disabledLanguages: readonly string[];
  readonly maxLines: number;
  readonly minConfidence: number;
  readonly debounceMs: number;
}

/** The document and cursor of a request, as the controller needs them. */
export interface DocumentView {
  /** Identifies the document (its URI). */
  readonly key: string;
  readonly scheme: string;
  readonly languageId: string;
  /** The cursor, as a UTF-16 offset into the document. */
  readonly offset: number;
  /** The document's text between two offsets. */
  text(start: number, end: number): string;
  /** Text after the cursor up to the end of its line. */
  readonly restOfLine: string;
  /**
   * Evaluation only: the text the simulated user is about to type. The engine may stop decoding
   * once its suggestion departs from it; what is shown is unchanged (CompletionEngine.suggest).
   */
  readonly expected?: string;
}

export interface CancellationLike {
  readonly isCancellationRequested: boolean;
}

export type SkipReason =
  | 'disabled'
  | 'snoozed'
  | 'scheme'
  | 'language'
  | 'cancelled'
  | 'no-engine'
  | 'low-confidence'
  | 'empty'
  | 'error';

export type Outcome =
  | {
      readonly kind: 'suggestion';
      readonly text: string;
      /** Mean token probability of the model's suggestion (1 for a remembered one, already gated). */
      readonly meanProbability: number;
      /** The model's chance that the suggestion is exactly right (1 for a remembered one). */
      readonly probability: number;
      /** 'memory': the rest of the ghost text already shown; 'model': computed now. */
      readonly source: 'memory' | 'model';
      readonly latencyMs: number;
    }
  | { readonly kind: 'none'; readonly reason: SkipReason; readonly detail?: string };

export interface ControllerStats {
  /** Requests received. */
  requests: number;
  /** Requests that asked the model. */
  computations: number;
  /** Requests answered from the ghost text already shown. */
  memoryHits: number;
  cancelled: number;
}

export interface ControllerDeps {
  settings(): ControllerSettings;
  /** Why completions are paused ('disabled', 'snoozed'), or undefined when they are on. */
  paused(): 'disabled' | 'snoozed' | undefined;
  /** The serving engine, loading it on first use; undefined when none can serve. */
  engine(): Promise<ServingEngine | undefined>;
  /** Resolves after `ms`; default setTimeout. */
  sleep?(ms: number): Promise<void>;
  now?(): number;
}

/** The extension's defaults (package.json `seqlab.completions.*`). */
export const DEFAULT_CONTROLLER_SETTINGS: ControllerSettings = {
  enabled: true,
  disabledLanguages: ['plaintext', 'markdown'],
  maxLines: 1,
  minConfidence: 0.35,
  // None of our own: VS Code asks for inline completions 50 ms after the last keystroke
  // (its InlineCompletionsDebounce) and cancels the request when another key comes; a wait here
  // only added to every new suggestion's time to the screen.
  debounceMs: 0,
};

/** Schemes of the documents completions are offered in: files on disk and untitled editors. */
export const COMPLETION_SCHEMES: readonly string[] = ['file', 'untitled'];
/**
 * Longest window (UTF-16 code units) a document's model state may grow to before it is primed
 * afresh. Long: priming afresh forgets what a recurrent model carried (a loss against `eval`,
 * which feeds whole files), and the per-keystroke cost of a long window is a string compare.
 */
export const MAX_WINDOW_CHARS = 65536;

/**
 * Where the model's window starts in each document. A fresh window holds the engine's context
 * before the cursor; typing on extends it (the engine keeps its state and steps only the new
 * text) until it is MAX_WINDOW_CHARS long. Edits wholly before the window shift it; an edit
 * across its start drops it; an edit inside it changes the prefix, which the engine notices
 * (its prefix no longer extends the last one) and primes afresh.
 */
export class PrefixWindows {
  private readonly anchors = new Map<string, number>();

  constructor(private readonly maxChars = MAX_WINDOW_CHARS) {}

  /**
   * Start of the window for the cursor at `offset`; `lowSurrogateAt` keeps a pair whole. An
   * empty window (the cursor at its start, as at the start of an empty document) is not kept:
   * text typed at the cursor would count as an edit before it and shift it along, so the window
   * would stay empty and the engine would never see what was typed.
   */
  start(key: string, offset: number, contextChars: number, lowSurrogateAt: (offset: number) => boolean = () => false): number {
    const anchor = this.anchors.get(key);
    if (anchor !== undefined && anchor < offset && offset - anchor <= this.maxChars) return anchor;
    let start = Math.max(0, offset - contextChars);
    if (start > 0 && start < offset && lowSurrogateAt(start)) start++;
    if (start < offset) this.anchors.set(key, start);
    else this.anchors.delete(key);
    return start;
  }

  /** The document had [start, end) replaced by `insertedLength` code units. */
  edited(key: string, start: number, end: number, insertedLength: number): void {
    const anchor = this.anchors.get(key);
    if (anchor === undefined) return;
    if (end <= anchor) this.anchors.set(key, anchor + insertedLength - (end - start));
    else if (start < anchor) this.anchors.delete(key);
  }

  forget(key: string): void {
    this.anchors.delete(key);
  }

  clear(): void {
    this.anchors.clear();
  }
}

export class CompletionController {
  readonly stats: ControllerStats = { requests: 0, computations: 0, memoryHits: 0, cancelled: 0 };
  private readonly windows = new PrefixWindows();
  private readonly memory = new GhostTextMemory();
  private windowsFor: ServingEngine | undefined;

  constructor(private readonly deps: ControllerDeps) {}

  async complete(doc: DocumentView, token: CancellationLike, options: { explicit?: boolean } = {}): Promise<Outcome> {
    this.stats.requests++;
    const now = this.deps.now ?? (() => performance.now());
    const started = now();
    const paused = this.deps.paused();
    if (paused) return { kind: 'none', reason: paused };
    if (!COMPLETION_SCHEMES.includes(doc.scheme)) return { kind: 'none', reason: 'scheme' };
    const settings = this.deps.settings();
    if (settings.disabledLanguages.includes(doc.languageId)) return { kind: 'none', reason: 'language' };

    const engine = await this.deps.engine();
    if (token.isCancellationRequested) return this.cancelled();
    if (!engine) return { kind: 'none', reason: 'no-engine' };
    if (engine !== this.windowsFor) {
      // Windows and remembered ghost text belong to the engine that made them.
      this.windows.clear();
      this.memory.clear();
      this.windowsFor = engine;
    }

    const start = this.windows.start(doc.key, doc.offset, engine.contextChars, (at) => isLowSurrogate(doc.text(at, at + 1)));
    const prefix = doc.text(start, doc.offset);

    const rest = this.memory.recall(doc.key, prefix);
    if (rest !== undefined) {
      const text = fitToSuffix(rest, doc.restOfLine);
      if (text === '') return { kind: 'none', reason: 'empty' };
      this.stats.memoryHits++;
      return { kind: 'suggestion', text, meanProbability: 1, probability: 1, source: 'memory', latencyMs: now() - started };
    }
    this.memory.forget(doc.key);

    if (settings.debounceMs > 0 && !options.explicit) {
      await (this.deps.sleep ?? sleep)(settings.debounceMs);
      if (token.isCancellationRequested) return this.cancelled();
    }

    this.stats.computations++;
    let suggestion;
    try {
      suggestion = await engine.suggest(doc.key, prefix, Infinity, doc.expected);
    } catch (e) {
      // A newer request superseding this one also cancels it.
      if (token.isCancellationRequested) return this.cancelled();
      return { kind: 'none', reason: 'error', detail: (e as Error).message };
    }
    if (token.isCancellationRequested) return this.cancelled();
    if (suggestion.text.trim() === '') return { kind: 'none', reason: 'empty' };
    if (!passesConfidence(suggestion.meanProbability, settings.minConfidence)) {
      return { kind: 'none', reason: 'low-confidence', detail: suggestion.text };
    }
    const text = fitToSuffix(limitLines(suggestion.text, settings.maxLines), doc.restOfLine);
    if (text.trim() === '') return { kind: 'none', reason: 'empty' };
    this.memory.remember(doc.key, prefix, text);
    return {
      kind: 'suggestion',
      text,
      meanProbability: suggestion.meanProbability,
      probability: suggestion.probability,
      source: 'model',
      latencyMs: now() - started,
    };
  }

  /** The document had [start, end) replaced by `insertedLength` code units. */
  documentEdited(key: string, start: number, end: number, insertedLength: number): void {
    this.windows.edited(key, start, end, insertedLength);
  }

  documentClosed(key: string): void {
    this.windows.forget(key);
    this.memory.forget(key);
  }

  /** Forgets every window and ghost text (settings changed). */
  reset(): void {
    this.windows.clear();
    this.memory.clear();
  }

  private cancelled(): Outcome {
    this.stats.cancelled++;
    return { kind: 'none', reason: 'cancelled' };
  }
}

function isLowSurrogate(unit: string): boolean {
  const c = unit.charCodeAt(0);
  return c >= 0xdc00 && c <= 0xdfff;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
