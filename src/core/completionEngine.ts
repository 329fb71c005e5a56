// One interface for "continue this text", whatever model is behind it, so that the CLI's
// `complete`, evaluation's keystroke savings and editor completions ask the same way.
//
// The neural adapter is built for being asked again and again as the user types: it keeps the
// model state for the text consumed so far and feeds only what was typed since (a recurrent
// step per character, not a re-run of the prefix), and it keeps the states of its last
// suggestion, so typing along a suggestion costs no model step at all. A prefix that does not
// extend the previous one (another file, a jump) starts again from its last `contextChars`
// characters.
//
// Word-level tokenizers split "fun" and "function" differently, so the piece still being typed
// is not fed as tokens: generation starts before it and may only choose tokens that agree with
// it ("token healing"); only what comes after it is suggested.
import type { ModelState, SequenceModel } from './models/sequenceModel';
import { disposeState } from './models/sequenceModel';
import type { NgramModel } from './ngram';
import { chooseToken } from './generation/sampling';
import { createRng, type Rng } from './random';
import { preTokenize } from './tokenizers/preTokenize';
import type { Tokenizer } from './tokenizers/tokenizer';

export interface Suggestion {
  /** The continuation, without the prefix; '' when the engine has nothing to offer. */
  readonly text: string;
  /** Mean model probability of the tokens (or characters) that make up `text`; 0 when empty. */
  readonly meanProbability: number;
}

export interface CompletionEngine {
  /**
   * A continuation of `prefix`, at most `maxChars` UTF-16 code units (and at most the engine's
   * token limit), ending before the first line break unless the engine is multi-line.
   * With `expected`, the engine may stop as soon as its suggestion is no longer a prefix of
   * `expected` (an evaluation that only accepts exact prefixes needs to know no more).
   */
  suggest(prefix: string, maxChars?: number, expected?: string): Suggestion;
  /** Frees model state held between calls. */
  dispose(): void;
}

export interface EngineOptions {
  /** Most tokens (characters for the n-gram model) per suggestion. Default 64. */
  readonly maxTokens?: number;
  /** 0 (default) is greedy: the most likely token each time. */
  readonly temperature?: number;
  /** When sampling (temperature > 0), draw only from the k most likely tokens. Default: all. */
  readonly topK?: number;
  /** Continue past line breaks. Default false: one line. */
  readonly multiline?: boolean;
  /** Seed of the sampler when temperature > 0. Default 0. */
  readonly seed?: number;
  /**
   * End the suggestion before a token (n-gram: character) the model gives less than this
   * probability: shorter suggestions that are right more often. Default 0.
   */
  readonly minProbability?: number;
}

export interface NeuralEngineOptions extends EngineOptions {
  /** How much of a new prefix primes the model (characters). Default 256. */
  readonly contextChars?: number;
}

export const DEFAULT_MAX_TOKENS = 64;
export const DEFAULT_CONTEXT_CHARS = 256;

function isLineBreak(ch: string): boolean {
  return ch === '\n' || ch === '\r';
}

/** `text` up to its first line break. */
export function firstLine(text: string): string {
  const n = text.search(/[\r\n]/);
  return n < 0 ? text : text.slice(0, n);
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}

// ---- n-gram -----------------------------------------------------------------------------

export function ngramEngine(ngram: NgramModel, options: EngineOptions = {}): CompletionEngine {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const temperature = options.temperature ?? 0;
  const topK = options.topK;
  const multiline = options.multiline ?? false;
  const minProbability = options.minProbability ?? 0;
  const rng = createRng(options.seed ?? 0);
  // The model reads at most order − 1 characters back; twice as many code units always hold them.
  const contextUnits = 2 * Math.max(1, ngram.order - 1);
  const tail = (text: string) => text.slice(Math.max(0, text.length - contextUnits));

  return {
    suggest(prefix, maxChars = Infinity, expected) {
      const limit = Math.max(0, Math.min(maxTokens, maxChars, expected === undefined ? Infinity : expected.length + 1));
      if (temperature === 0) {
        const c = ngram.complete(tail(prefix), { maxChars: limit, stopAtNewline: !multiline, minProbability });
        return { text: c.text, meanProbability: mean(c.probabilities) };
      }
      let text = '';
      const probabilities: number[] = [];
      while (probabilities.length < limit) {
        const d = ngram.distribution(tail(prefix + text));
        const logits = Array.from(d.probs, (p) => Math.log(p));
        const { id } = chooseToken(logits, { temperature, topK }, rng);
        const ch = d.chars[id];
        if (!multiline && isLineBreak(ch)) break;
        if (d.probs[id] < minProbability) break;
        if (text.length + ch.length > maxChars) break;
        text += ch;
        probabilities.push(d.probs[id]);
      }
      return { text, meanProbability: mean(probabilities) };
    },
    dispose() {},
  };
}

// ---- neural -----------------------------------------------------------------------------

interface TrailNode {
  readonly id: number;
  readonly state: ModelState;
  readonly logits: Float32Array;
}

/**
 * A root state (the committed text) and the states of a path of tokens fed after it. Feeding
 * the same tokens again walks the path instead of stepping the model.
 */
class StateTrail {
  private rootState: ModelState;
  private rootLogits: Float32Array | null = null;
  private nodes: TrailNode[] = [];

  constructor(private readonly model: SequenceModel) {
    this.rootState = model.initialState();
  }

  /** Next-token logits after the root and the first k path tokens; null before any token. */
  logitsAt(k: number): Float32Array | null {
    return k === 0 ? this.rootLogits : this.nodes[k - 1].logits;
  }

  /** Feeds `id` after the first k path tokens: the existing node when it is that token, else a new step. */
  follow(k: number, id: number): void {
    if (this.nodes[k]?.id === id) return;
    this.truncate(k);
    const from = k === 0 ? this.rootState : this.nodes[k - 1].state;
    const { state, logits } = this.model.step(from, id);
    this.nodes.push({ id, state, logits });
  }

  /** Makes `ids` part of the root, reusing the path where it agrees. */
  commit(ids: readonly number[]): void {
    for (const id of ids) {
      this.follow(0, id);
      const [first] = this.nodes.splice(0, 1);
      disposeState(this.rootState);
      this.rootState = first.state;
      this.rootLogits = first.logits;
    }
  }

  reset(): void {
    this.truncate(0);
    disposeState(this.rootState);
    this.rootState = this.model.initialState();
    this.rootLogits = null;
  }

  dispose(): void {
    this.truncate(0);
    disposeState(this.rootState);
  }

  private truncate(k: number): void {
    for (const node of this.nodes.splice(k)) disposeState(node.state);
  }
}

/**
 * Characters needed after a word piece before its boundary can no longer move: the longest
 * way a piece grows through a following character sequence is a number's exponent ("1e+5")
 * or an operator like "..." after ".".
 */
const PIECE_LOOKAHEAD = 4;

/**
 * Length of the start of `text` whose tokens will not change whatever is typed after it: all
 * of it for a character tokenizer (bar a dangling high surrogate), whole pieces followed by at
 * least PIECE_LOOKAHEAD characters and another piece for a word tokenizer.
 */
export function stableTokenLength(kind: Tokenizer['kind'], text: string): number {
  if (kind === 'char') {
    const last = text.charCodeAt(text.length - 1);
    return last >= 0xd800 && last <= 0xdbff ? text.length - 1 : text.length;
  }
  let stable = 0;
  let end = 0;
  const pieces = preTokenize(text);
  for (let i = 0; i < pieces.length - 1; i++) {
    end += pieces[i].length;
    if (text.length - end >= PIECE_LOOKAHEAD) stable = end;
  }
  return stable;
}

/** Start of the last `contextChars` code units of `text`, not inside a surrogate pair. */
function contextStart(text: string, contextChars: number): number {
  let start = Math.max(0, text.length - contextChars);
  const unit = text.charCodeAt(start);
  if (start > 0 && unit >= 0xdc00 && unit <= 0xdfff) start++;
  return start;
}

/** The model's probability of token `id`: softmax(logits)[id], in float64. */
function tokenProbability(logits: Float32Array, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return Math.exp(logits[id] - max) / sum;
}

export function neuralEngine(model: SequenceModel, tokenizer: Tokenizer, options: NeuralEngineOptions = {}): CompletionEngine {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const temperature = options.temperature ?? 0;
  const topK = options.topK;
  const multiline = options.multiline ?? false;
  const minProbability = options.minProbability ?? 0;
  const contextChars = options.contextChars ?? DEFAULT_CONTEXT_CHARS;
  const rng: Rng = createRng(options.seed ?? 0);
  const trail = new StateTrail(model);
  // Text of each token, and whether it may be suggested: not <unk>, not a lone non-ASCII byte.
  const tokenTexts: string[] = [];
  const suggestible: boolean[] = [];
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const text = tokenizer.decode([id]);
    tokenTexts.push(text);
    suggestible.push(text.length > 0 && !text.includes('\uFFFD'));
  }
  /**
   * The prefix the root state stands for (the model saw its end, from where priming began);
   * null before the first suggestion.
   */
  let committedPrefix: string | null = null;

  /** Brings the root up to the stable part of `prefix`; returns the rest, which is not committed. */
  function sync(prefix: string): string {
    if (committedPrefix === null || !prefix.startsWith(committedPrefix)) {
      trail.reset();
      committedPrefix = prefix.slice(0, contextStart(prefix, contextChars));
    }
    const pending = prefix.slice(committedPrefix.length);
    const stable = stableTokenLength(tokenizer.kind, pending);
    if (stable > 0) {
      trail.commit(tokenizer.encode(pending.slice(0, stable)));
      committedPrefix = prefix.slice(0, committedPrefix.length + stable);
    }
    return pending.slice(stable);
  }

  /** Best (or sampled) token agreeing with `heal`, the text it must start with, or null if none does. */
  function choose(logits: Float32Array, heal: string): number | null {
    const allowed = (id: number) =>
      suggestible[id] && (heal === '' || tokenTexts[id].startsWith(heal) || heal.startsWith(tokenTexts[id]));
    if (temperature === 0) {
      let best = -1;
      for (let id = 0; id < logits.length; id++) if (allowed(id) && (best < 0 || logits[id] > logits[best])) best = id;
      return best < 0 ? null : best;
    }
    const masked = Float32Array.from(logits, (v, id) => (allowed(id) ? v : -Infinity));
    if (!masked.some((v) => v > -Infinity)) return null;
    return chooseToken(masked, { temperature, topK }, rng).id;
  }

  return {
    suggest(prefix, maxChars = Infinity, expected) {
      const pending = sync(prefix);
      if (maxChars <= 0) return { text: '', meanProbability: 0 };
      // All pending pieces but the last are fed as they are; the last one is healed.
      const pieces = tokenizer.kind === 'char' ? [] : preTokenize(pending);
      const heal = pieces.length ? pieces[pieces.length - 1] : pending;
      const feedIds = tokenizer.encode(pending.slice(0, pending.length - heal.length));
      feedIds.forEach((id, k) => trail.follow(k, id));
      let k = feedIds.length;

      const ids: number[] = [];
      const spans: Array<{ start: number; end: number; probability: number }> = [];
      let suggestion = '';
      for (let t = 0; t < maxTokens; t++) {
        const logits = trail.logitsAt(k);
        if (!logits) break;
        const generated = tokenizer.decode(ids);
        const id = choose(logits, generated.length < heal.length ? heal.slice(generated.length) : '');
        if (id === null) break;
        const probability = tokenProbability(logits, id);
        if (probability < minProbability) break;
        ids.push(id);
        const text = tokenizer.decode(ids);
        spans.push({ start: generated.length - heal.length, end: text.length - heal.length, probability });
        suggestion = text.slice(heal.length);
        let done = false;
        if (!multiline && /[\r\n]/.test(suggestion)) {
          suggestion = firstLine(suggestion);
          done = true;
        }
        if (suggestion.length >= maxChars) {
          suggestion = suggestion.slice(0, maxChars);
          done = true;
        }
        if (expected !== undefined && !expected.startsWith(suggestion)) done = true;
        if (done) break;
        trail.follow(k, id);
        k++;
      }
      const kept = spans.filter((s) => s.end > 0 && s.start < suggestion.length).map((s) => s.probability);
      return { text: suggestion, meanProbability: suggestion ? mean(kept) : 0 };
    },
    dispose() {
      trail.dispose();
    },
  };
}
