// How good a model is on held-out text, as numbers a person can compare across models:
//
// - bits per character: the cross-entropy of the text, −Σ log2 P(next) / characters. The n-gram
//   model scores every character of a file from its start; a neural model scores every token
//   but a file's first (it has nothing to predict that one from), the characters of a token
//   being the code points it decodes to (as in training, metrics.ts).
// - top-1 accuracy: how often the most likely next character is the actual one. A word model
//   predicts tokens, so at each token boundary its most likely token's first character is
//   compared with the actual next character (positions inside a token are not counted).
// - keystroke savings: a simulated user types each file into an empty document, through the
//   editor's own request path (completion/controller.ts: windows, the ghost text already shown,
//   the gates, the engine's cut-off), asking at every position as the editor does; wherever
//   what is shown is at least two characters and exactly how the line goes on, they accept it
//   with one keystroke, and otherwise type one character. Savings are 1 − keystrokes / characters.
// - precision: of the suggestions shown (each counted once, however many keystrokes it stays on
//   screen while the user types along it), the share that were exactly how the line goes on;
//   accepted characters per shown suggestion.
// - latency: wall time of the requests that asked the model.
//
// Nothing here does I/O; progress is reported through callbacks.
import { CompletionController, DEFAULT_CONTROLLER_SETTINGS, type ControllerSettings, type DocumentView } from './completion/controller';
import type { ServingEngine } from './completion/servingEngine';
import { argmax, logSumExp } from './generation/sampling';
import type { SequenceModel } from './models/sequenceModel';
import { disposeState } from './models/sequenceModel';
import type { NgramModel } from './ngram/ngram';
import type { Tokenizer } from './tokenizers/tokenizer';
import { charsPerTokenOf } from './training/metrics';

export interface PredictionScores {
  readonly bitsPerChar: number;
  readonly top1Accuracy: number;
  /** Characters the cross-entropy is averaged over. */
  readonly scoredCharacters: number;
  /** Positions top-1 accuracy is counted over. */
  readonly top1Positions: number;
}

/** Called now and then with how much of the work is done. */
export type ProgressCallback = (done: number, total: number) => void;

/** Shortest suggestion worth a keystroke to accept. */
export const MIN_ACCEPTED_CHARS = 2;

/** Number of code points in `text`. */
export function codePointCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i += codePointLengthAt(text, i)) n++;
  return n;
}

/** 2 at the start of a surrogate pair, else 1. */
function codePointLengthAt(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 2;
  }
  return 1;
}

/**
 * The start of each of `texts`, at most `perFile` code points of each and `limit` in all, in
 * order; texts past the limit are dropped.
 */
export function limitCharacters(texts: readonly string[], limit: number, perFile = Infinity): string[] {
  const out: string[] = [];
  let left = limit;
  for (const text of texts) {
    if (left <= 0) break;
    let i = 0;
    let n = 0;
    while (i < text.length && n < Math.min(left, perFile)) {
      i += codePointLengthAt(text, i);
      n++;
    }
    out.push(text.slice(0, i));
    left -= n;
  }
  return out;
}

/** Cross-entropy and top-1 accuracy of the n-gram model, each text scored from its start. */
export function scoreNgram(ngram: NgramModel, texts: readonly string[], onProgress?: ProgressCallback): PredictionScores {
  const index = new Map(ngram.chars.map((ch, i) => [ch, i]));
  const contextUnits = 2 * Math.max(1, ngram.order - 1);
  const total = texts.reduce((s, t) => s + t.length, 0);
  let done = 0;
  let bits = 0;
  let characters = 0;
  let correct = 0;
  for (const text of texts) {
    for (let i = 0; i < text.length; ) {
      const length = codePointLengthAt(text, i);
      const actual = text.slice(i, i + length);
      const d = ngram.distribution(text.slice(Math.max(0, i - contextUnits), i));
      const at = index.get(actual);
      bits -= Math.log2(at === undefined ? d.unknown : d.probs[at]);
      if (d.probs.length > 0 && argmax(d.probs) === at) correct++;
      characters++;
      i += length;
      if (++done % 4096 === 0) onProgress?.(done, total);
    }
  }
  onProgress?.(total, total);
  return { bitsPerChar: bits / characters, top1Accuracy: correct / characters, scoredCharacters: characters, top1Positions: characters };
}

/**
 * First character of each token's text, or '' where the token stands for no character of its
 * own (<unk>, a lone byte of a multi-byte character).
 */
export function firstCharacters(tokenizer: Pick<Tokenizer, 'vocabSize' | 'decode'>): string[] {
  const out: string[] = [];
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const text = tokenizer.decode([id]);
    const first = text.length ? String.fromCodePoint(text.codePointAt(0)!) : '';
    out.push(first === '\uFFFD' ? '' : first);
  }
  return out;
}

/**
 * Cross-entropy and top-1 accuracy of a neural model: each text is fed token by token from the
 * initial state (`model.step`), so every prediction sees the whole file before it.
 */
export function scoreNeural(
  model: SequenceModel,
  tokenizer: Tokenizer,
  texts: readonly string[],
  onProgress?: ProgressCallback,
): PredictionScores {
  const charsOf = charsPerTokenOf(tokenizer);
  const firstChar = firstCharacters(tokenizer);
  const encoded = texts.map((t) => tokenizer.encode(t));
  const total = encoded.reduce((s, ids) => s + ids.length, 0);
  let done = 0;
  let nats = 0;
  let characters = 0;
  let positions = 0;
  let correct = 0;
  encoded.forEach((ids, doc) => {
    const chars = Array.from(texts[doc]);
    let offset = 0; // code point where the next token starts
    let state = model.initialState();
    try {
      for (let t = 0; t < ids.length; t++) {
        offset += charsOf[ids[t]];
        if (t + 1 < ids.length) {
          const { logits, state: next } = model.step(state, ids[t]);
          disposeState(state);
          state = next;
          const target = ids[t + 1];
          nats += logSumExp(logits) - logits[target];
          characters += charsOf[target];
          if (charsOf[target] > 0) {
            positions++;
            if (firstChar[argmax(logits)] === chars[offset]) correct++;
          }
        }
        if (++done % 256 === 0) onProgress?.(done, total);
      }
    } finally {
      disposeState(state);
    }
  });
  onProgress?.(total, total);
  return {
    bitsPerChar: nats / characters / Math.LN2,
    top1Accuracy: correct / positions,
    scoredCharacters: characters,
    top1Positions: positions,
  };
}

export interface KeystrokeOptions {
  /** The controller's settings; default the extension's (debounce 0: a replay does not wait). */
  readonly settings?: Partial<ControllerSettings>;
  /** Clock in milliseconds. Default performance.now. */
  readonly now?: () => number;
  readonly onProgress?: ProgressCallback;
}

export interface KeystrokeResult {
  /** Characters (code points) replayed. */
  readonly characters: number;
  readonly keystrokes: number;
  /** 1 − keystrokes / characters. */
  readonly savings: number;
  readonly acceptedSuggestions: number;
  /** Characters entered by accepting suggestions. */
  readonly acceptedCharacters: number;
  /** Suggestions shown, each counted once however long it stays on screen. */
  readonly shownSuggestions: number;
  /** Shown suggestions that were exactly how the line goes on. */
  readonly rightSuggestions: number;
  /** rightSuggestions / shownSuggestions (NaN when nothing was shown). */
  readonly precision: number;
  /** acceptedCharacters / shownSuggestions (NaN when nothing was shown). */
  readonly acceptedCharsPerShown: number;
  /** Wall time of the requests that asked the model, in replay order. */
  readonly latenciesMs: number[];
}

/** Whether the simulated user takes `suggestion` when the line goes on with `restOfLine`. */
export function isAcceptable(suggestion: string, restOfLine: string): boolean {
  return codePointCount(suggestion) >= MIN_ACCEPTED_CHARS && restOfLine.startsWith(suggestion);
}

/** Index of the line break ending the line that `from` is on (text.length if none). */
export function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 10 || unit === 13) return i;
  }
  return text.length;
}

const NOT_CANCELLED = { isCancellationRequested: false } as const;

/**
 * Replays `texts` keystroke by keystroke through a CompletionController over `engine`, as the
 * editor would ask it (see the header for the rules). Each text is typed into a document of its own.
 */
export async function keystrokeSavings(engine: ServingEngine, texts: readonly string[], options: KeystrokeOptions = {}): Promise<KeystrokeResult> {
  const now = options.now ?? (() => performance.now());
  const settings: ControllerSettings = { ...DEFAULT_CONTROLLER_SETTINGS, debounceMs: 0, ...options.settings };
  const controller = new CompletionController({ settings: () => settings, paused: () => undefined, engine: async () => engine, now });
  const total = texts.reduce((s, t) => s + codePointCount(t), 0);
  let done = 0;
  let reported = 0;
  let keystrokes = 0;
  let acceptedSuggestions = 0;
  let acceptedCharacters = 0;
  let shownSuggestions = 0;
  let rightSuggestions = 0;
  const latenciesMs: number[] = [];

  for (const [n, text] of texts.entries()) {
    const key = `replay:${n}`;
    let end = -1;
    for (let i = 0; i < text.length; ) {
      if (i > end) end = lineEnd(text, i);
      const rest = text.slice(i, end);
      keystrokes++;
      const view: DocumentView = {
        key,
        scheme: 'untitled',
        languageId: 'replay',
        offset: i,
        text: (a, b) => text.slice(a, b),
        restOfLine: '',
        expected: rest,
      };
      const outcome = await controller.complete(view, NOT_CANCELLED);
      const suggestion = outcome.kind === 'suggestion' ? outcome.text : '';
      if (outcome.kind === 'suggestion' && outcome.source === 'model') {
        shownSuggestions++;
        if (rest.startsWith(suggestion)) rightSuggestions++;
        latenciesMs.push(outcome.latencyMs);
      }
      // What is typed (or accepted) is an edit at the cursor, reported as the editor reports it.
      const accepted = isAcceptable(suggestion, rest);
      const typed = accepted ? suggestion : text.slice(i, i + codePointLengthAt(text, i));
      controller.documentEdited(key, i, i, typed.length);
      if (accepted) {
        const count = codePointCount(suggestion);
        acceptedSuggestions++;
        acceptedCharacters += count;
        done += count;
      } else {
        done++;
      }
      i += typed.length;
      if (done - reported >= 512) {
        reported = done;
        options.onProgress?.(done, total);
      }
    }
    controller.documentClosed(key);
    engine.forget(key);
  }
  options.onProgress?.(total, total);
  return {
    characters: total,
    keystrokes,
    savings: total > 0 ? 1 - keystrokes / total : 0,
    acceptedSuggestions,
    acceptedCharacters,
    shownSuggestions,
    rightSuggestions,
    precision: shownSuggestions > 0 ? rightSuggestions / shownSuggestions : NaN,
    acceptedCharsPerShown: shownSuggestions > 0 ? acceptedCharacters / shownSuggestions : NaN,
    latenciesMs,
  };
}

/** The p-th percentile (0 < p ≤ 100) by the nearest-rank method; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
