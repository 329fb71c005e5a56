// How good a model is on held-out text, as numbers a person can compare across models:
//
// - bits per character: the cross-entropy of the text, −Σ log2 P(next) / characters. The n-gram
//   model scores every character of a file from its start; a neural model scores every token
//   but a file's first (it has nothing to predict that one from), the characters of a token
//   being the code points it decodes to (as in training, metrics.ts).
// - top-1 accuracy: how often the most likely next character is the actual one. A word model
//   predicts tokens, so at each token boundary its most likely token's first character is
//   compared with the actual next character (positions inside a token are not counted).
// - keystroke savings: a simulated user types each file; wherever the engine offers a
//   single-line suggestion of at least two characters that is exactly how the line goes on,
//   they accept it with one keystroke, and otherwise type one character. Savings are
//   1 − keystrokes / characters.
// - latency: wall time of single-line suggestions, sampled evenly over the replay.
//
// Everything here is synchronous and does no I/O; progress is reported through callbacks.
import type { CompletionEngine } from './completionEngine';
import { argmax } from './generation/sampling';
import type { SequenceModel } from './models/sequenceModel';
import { disposeState } from './models/sequenceModel';
import type { NgramModel } from './ngram';
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
export const DEFAULT_MAX_SUGGESTION_CHARS = 80;
export const DEFAULT_LATENCY_SAMPLES = 100;

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

/** At most `limit` code points of `texts` in total, in order; texts past the limit are dropped. */
export function limitCharacters(texts: readonly string[], limit: number): string[] {
  const out: string[] = [];
  let left = limit;
  for (const text of texts) {
    if (left <= 0) break;
    let i = 0;
    let n = 0;
    while (i < text.length && n < left) {
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

/** log Σ exp(logits), in float64. */
function logSumExp(logits: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return max + Math.log(sum);
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
  /** Longest suggestion asked for (UTF-16 code units). Default 80. */
  readonly maxSuggestionChars?: number;
  /** How many suggestions to time, spread evenly over the text. Default 100; 0 times none. */
  readonly latencySamples?: number;
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
  /** Wall time of the timed suggestions, in replay order. */
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

/** Replays `texts` keystroke by keystroke against `engine` (see the header for the rules). */
export function keystrokeSavings(engine: CompletionEngine, texts: readonly string[], options: KeystrokeOptions = {}): KeystrokeResult {
  const maxChars = options.maxSuggestionChars ?? DEFAULT_MAX_SUGGESTION_CHARS;
  const now = options.now ?? (() => performance.now());
  const total = texts.reduce((s, t) => s + codePointCount(t), 0);
  const samples = options.latencySamples ?? DEFAULT_LATENCY_SAMPLES;
  const sampleEvery = samples > 0 ? Math.max(1, Math.floor(total / samples)) : Infinity;
  let nextSample = samples > 0 ? 0 : Infinity;
  let done = 0;
  let reported = 0;
  let keystrokes = 0;
  let acceptedSuggestions = 0;
  let acceptedCharacters = 0;
  const latenciesMs: number[] = [];

  for (const text of texts) {
    let end = -1;
    for (let i = 0; i < text.length; ) {
      if (i > end) end = lineEnd(text, i);
      const rest = text.slice(i, end);
      keystrokes++;
      let suggestion = '';
      // Nothing shorter than two characters can be accepted: no need to ask.
      if (codePointCount(rest.slice(0, 4)) >= MIN_ACCEPTED_CHARS) {
        if (done >= nextSample) {
          const started = now();
          suggestion = engine.suggest(text.slice(0, i), maxChars).text;
          latenciesMs.push(now() - started);
          nextSample += sampleEvery;
        } else {
          suggestion = engine.suggest(text.slice(0, i), maxChars, rest).text;
        }
      }
      if (isAcceptable(suggestion, rest)) {
        const n = codePointCount(suggestion);
        acceptedSuggestions++;
        acceptedCharacters += n;
        done += n;
        i += suggestion.length;
      } else {
        done++;
        i += codePointLengthAt(text, i);
      }
      if (done - reported >= 512) {
        reported = done;
        options.onProgress?.(done, total);
      }
    }
  }
  options.onProgress?.(total, total);
  return {
    characters: total,
    keystrokes,
    savings: total > 0 ? 1 - keystrokes / total : 0,
    acceptedSuggestions,
    acceptedCharacters,
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
