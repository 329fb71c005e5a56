// The completion engine: "continue this text", whatever model is behind it. The CLI's `complete`
// and `eval`, the benchmark and the editor all ask through it.
//
// The neural engine is written once over a Stepper (stepper.ts: tfjs `step`, or ONNX Runtime's
// step graph). It is built for being asked again and again as the user types: it keeps the model
// state for the text committed so far and feeds only what was typed since, and it keeps the
// states of its last suggestion's tokens, so typing along a suggestion costs no model call and
// one more character costs one. A prefix that does not extend the previous one (another file, a
// jump) is primed afresh from its last `contextChars` characters, in one feed (a chunk).
//
// Word-level tokenizers split "fun" and "function" differently, so the piece still being typed
// is not fed as tokens: generation starts before it and may only choose tokens that agree with
// it ("token healing"); only what comes after it is suggested.
//
// Shown only when right: every suggestion carries `probability`, the model's chance that it is
// exactly right (the product of its tokens' probabilities), and decoding ends before the token
// that would bring that chance under `minSuggestionProbability`; an empty suggestion is shown
// as nothing.
import { chooseToken, softmax, tokenProbability } from '../generation/sampling';
import type { ModelConfig } from '../models/sequenceModel';
import { CachedNgram } from '../ngram/cachedNgram';
import type { DocumentCacheOptions } from '../ngram/documentCache';
import type { NgramModel } from '../ngram/ngram';
import { createRng } from '../random';
import { preTokenize } from '../tokenizers/preTokenize';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { MEASURED_ADAPTATION_RATE, OutputAdaptation } from './dynamicEvaluation';
import type { NextTokenBlend } from './hybrid';
import type { Stepper } from './stepper';

export interface Suggestion {
  /** The continuation, without the prefix; '' when the engine has nothing to offer. */
  readonly text: string;
  /** Mean model probability of the tokens (or characters) that make up `text`; 0 when empty. */
  readonly meanProbability: number;
  /** Product of those probabilities: the model's chance that `text` is exactly right; 0 when empty. */
  readonly probability: number;
}

/** How suggestions are decoded (the `seqlab.completions.*` settings). */
export interface DecodingOptions {
  /** Most tokens (characters for the n-gram model) per suggestion. */
  readonly maxTokens: number;
  /** 0 is greedy: the most likely token each time. */
  readonly temperature: number;
  /** When sampling, only the k most likely tokens; undefined: all. */
  readonly topK: number | undefined;
  /** Continue past line breaks. */
  readonly multiline: boolean;
  /** End before a token the model gives less than this probability. */
  readonly minProbability: number;
  /** End before the token that would bring the product of the token probabilities below this. */
  readonly minSuggestionProbability: number;
  /** Seed of the sampler when temperature > 0. */
  readonly seed: number;
  /**
   * η of dynamic evaluation (dynamicEvaluation.ts): a recurrent network keeps learning each
   * document from the characters it reads one at a time; 0 is off. The n-gram ignores it.
   */
  readonly adaptationRate: number;
  /**
   * Not the extension's rule (docs/completions.md, "Where the savings are lost"): decode to
   * minSuggestionProbability, then end where the product times the keystrokes accepting saves
   * (characters − 1) is greatest, and show nothing when that product is under `minShown`. It
   * looks past where the text departs, so `expected` does not stop decoding early under it.
   */
  readonly expectedGainCut?: { readonly minShown: number };
}

/** Tokens of a suggestion per line. */
export const TOKENS_PER_LINE = 40;
/** Tokens typed between two requests that dynamic evaluation still learns from one by one (a step each). */
const ONE_AT_A_TIME_TOKENS = 16;
/** Characters a fresh window primes a recurrent model with (one chunk: ≈ 10 ms on ONNX Runtime for `small`). */
export const DEFAULT_CONTEXT_CHARS = 1024;

/**
 * The extension's defaults (package.json `seqlab.completions.*`), which `seqlab eval`, `complete`
 * and the benchmark use too. minSuggestionProbability 0.3: of 0, 0.2, 0.3 and 0.5 it saved the most
 * keystrokes on held-out files of two codebases (n-gram and LSTM), at 3-4 points more precision
 * than 0.2 (docs/completions.md has the sweep). adaptationRate: dynamicEvaluation.ts.
 */
export const DEFAULT_DECODING: DecodingOptions = {
  maxTokens: TOKENS_PER_LINE,
  temperature: 0,
  topK: undefined,
  multiline: false,
  minProbability: 0.5,
  minSuggestionProbability: 0.3,
  seed: 0,
  adaptationRate: MEASURED_ADAPTATION_RATE,
};

export interface CompletionEngine {
  /**
   * A continuation of `prefix`, at most `maxChars` UTF-16 code units (and at most the engine's
   * token limit), ending before the first line break unless the engine is multi-line.
   * With `expected`, the engine may stop as soon as its suggestion is no longer a prefix of
   * `expected`: the text up to and including the first token that departs is the same as
   * without it, so whether it is right and what is shown while typing along it are unchanged.
   */
  suggest(prefix: string, maxChars?: number, expected?: string): Promise<Suggestion>;
  /** Frees model state held between calls. */
  dispose(): void;
}

/** The engine was asked again before an earlier suggestion finished: the earlier one gives up. */
export class Superseded extends Error {
  constructor() {
    super('a newer suggestion was asked for');
    this.name = 'Superseded';
  }
}

const NOTHING: Suggestion = { text: '', meanProbability: 0, probability: 0 };

/** End of each code unit of `text` (one piece per character; the n-gram's pieces). */
function charEnds(text: string): number[] {
  return Array.from({ length: text.length }, (_, i) => i + 1);
}

/** `text` up to its first line break. */
export function firstLine(text: string): string {
  const n = text.search(/[\r\n]/);
  return n < 0 ? text : text.slice(0, n);
}

/**
 * The end (in code units of `text`) where the chance of being exactly right times the keystrokes
 * accepting saves (code points − 1) is greatest; `ends[i]` is where piece i ends, `probabilities[i]` its probability.
 */
export function expectedGainEnd(text: string, ends: readonly number[], probabilities: readonly number[]): { end: number; count: number; probability: number } {
  let best = { end: 0, count: 0, probability: 0 };
  let bestGain = 0;
  let product = 1;
  for (let i = 0; i < ends.length; i++) {
    product *= probabilities[i];
    const points = Array.from(text.slice(0, ends[i])).length;
    const gain = product * (points - 1);
    if (gain > bestGain) {
      bestGain = gain;
      best = { end: ends[i], count: i + 1, probability: product };
    }
  }
  return best;
}

function cutForGain(text: string, ends: readonly number[], probabilities: readonly number[], minShown: number): Suggestion {
  const cut = expectedGainEnd(text, ends, probabilities);
  if (cut.count === 0 || cut.probability < minShown) return NOTHING;
  return summarize(text.slice(0, cut.end), probabilities.slice(0, cut.count));
}

function summarize(text: string, probabilities: readonly number[]): Suggestion {
  if (text === '' || probabilities.length === 0) return NOTHING;
  let sum = 0;
  let product = 1;
  for (const p of probabilities) {
    sum += p;
    product *= p;
  }
  return { text, meanProbability: sum / probabilities.length, probability: product };
}

/** Characters a fresh window primes a model with: a Transformer attends over no more than its context. */
export function contextCharsFor(config: ModelConfig, tokenizerKind: Tokenizer['kind']): number {
  if (config.arch !== 'transformer') return DEFAULT_CONTEXT_CHARS;
  return tokenizerKind === 'char' ? config.contextSize : Math.min(DEFAULT_CONTEXT_CHARS, config.contextSize * 4);
}

// ---- n-gram -----------------------------------------------------------------------------

/**
 * The n-gram as an engine. With `documentCache`, the engine keeps counting the text before the
 * cursor (the prefix it is given, which the controller keeps anchored as the user types) and
 * mixes those counts over the model's distribution at each character it suggests; the prefix
 * is counted after it was scored, never before. One engine per document then.
 */
export function ngramEngine(ngram: NgramModel, decoding: DecodingOptions = DEFAULT_DECODING, documentCache?: DocumentCacheOptions): CompletionEngine {
  const rng = createRng(decoding.seed);
  const counts = new CachedNgram(ngram, documentCache);

  function suggestNow(prefix: string, maxChars: number, expected: string | undefined): Suggestion {
    counts.sync(prefix);
    const limit = Math.max(0, Math.min(decoding.maxTokens, maxChars, expected === undefined || decoding.expectedGainCut ? Infinity : expected.length + 1));
    if (decoding.temperature === 0 && !counts.cached) {
      const c = ngram.complete(counts.tail(prefix), {
        maxChars: limit,
        stopAtNewline: !decoding.multiline,
        minProbability: decoding.minProbability,
        minProduct: decoding.minSuggestionProbability,
      });
      if (decoding.expectedGainCut) return cutForGain(c.text, charEnds(c.text), c.probabilities, decoding.expectedGainCut.minShown);
      return summarize(c.text, c.probabilities);
    }
    // The prefix may be a whole window (the cache's): only its tail is joined to what is suggested.
    const recent = counts.tail(prefix);
    let text = '';
    let product = 1;
    const probabilities: number[] = [];
    while (probabilities.length < limit) {
      const d = counts.distribution(recent + text);
      if (d.probs.length === 0) break; // nothing was counted: no character to suggest
      let id = 0;
      if (decoding.temperature === 0) {
        for (let k = 1; k < d.probs.length; k++) if (d.probs[k] > d.probs[id]) id = k;
      } else {
        id = chooseToken(Array.from(d.probs, (p) => Math.log(p)), { temperature: decoding.temperature, topK: decoding.topK }, rng).id;
      }
      const ch = d.chars[id];
      const p = d.probs[id];
      if (!decoding.multiline && (ch === '\n' || ch === '\r')) break;
      if (p < decoding.minProbability || product * p < decoding.minSuggestionProbability) break;
      if (text.length + ch.length > maxChars) break;
      text += ch;
      product *= p;
      probabilities.push(p);
    }
    if (decoding.expectedGainCut) return cutForGain(text, charEnds(text), probabilities, decoding.expectedGainCut.minShown);
    return summarize(text, probabilities);
  }

  return {
    suggest: (prefix, maxChars = Infinity, expected) => Promise.resolve(suggestNow(prefix, maxChars, expected)),
    dispose: () => counts.clear(),
  };
}

// ---- neural -----------------------------------------------------------------------------

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
export function contextStart(text: string, contextChars: number): number {
  let start = Math.max(0, text.length - contextChars);
  const unit = text.charCodeAt(start);
  if (start > 0 && unit >= 0xdc00 && unit <= 0xdfff) start++;
  return start;
}

export type EngineTokenizer = Pick<Tokenizer, 'kind' | 'vocabSize' | 'encode' | 'decode'>;

interface TrailNode<S> {
  readonly id: number;
  readonly state: S;
  readonly logits: Float32Array;
  readonly hidden: Float32Array | undefined;
}

/**
 * The neural engine. Calls run one after another (they share the state trail); a call that a
 * newer one supersedes stops between model calls with `Superseded`. With `blend` (hybrid.ts, a
 * character tokenizer), each character is chosen from the network's distribution mixed with
 * the blend's.
 */
export function neuralEngine<S>(
  stepper: Stepper<S>,
  tokenizer: EngineTokenizer,
  decoding: DecodingOptions = DEFAULT_DECODING,
  contextChars = DEFAULT_CONTEXT_CHARS,
  blend?: NextTokenBlend,
): CompletionEngine {
  if (blend && tokenizer.kind !== 'char') throw new Error('a blend mixes characters: it needs a character tokenizer');
  const rng = createRng(decoding.seed);
  // Text of each token, and whether it may be suggested: not <unk>, not a lone non-ASCII byte.
  const tokenTexts: string[] = [];
  const suggestible: boolean[] = [];
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const text = tokenizer.decode([id]);
    tokenTexts.push(text);
    suggestible.push(text.length > 0 && !text.includes('\uFFFD'));
  }
  const release = (state: S) => stepper.releaseState?.(state);
  let rootState = stepper.initialState();
  let rootLogits: Float32Array | null = null;
  let rootHidden: Float32Array | undefined;
  let nodes: TrailNode<S>[] = [];
  // The document's own correction to the output layer: it outlives a fresh priming (a jump in
  // the same document) and goes with the engine.
  const adaptation = decoding.adaptationRate > 0 ? new OutputAdaptation(tokenizer.vocabSize, decoding.adaptationRate) : null;
  /** The prefix the root state stands for (from where priming began); null before the first call. */
  let committedPrefix: string | null = null;
  /** Bumped by every call: a call that sees a newer one waiting gives up between model calls. */
  let turn = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;
  let running = false;

  /** The logits after the first k path tokens, with the document's correction. */
  function logitsAt(k: number): Float32Array | null {
    const [logits, hidden] = k === 0 ? [rootLogits, rootHidden] : [nodes[k - 1].logits, nodes[k - 1].hidden];
    return logits && hidden && adaptation ? adaptation.adjust(logits, hidden) : logits;
  }

  /** The root reads `id` next: the correction learns it where the root's output is known. */
  function learnAtRoot(id: number): void {
    if (adaptation && rootLogits && rootHidden) adaptation.learn(rootLogits, rootHidden, id);
  }

  function truncate(k: number): void {
    for (const node of nodes.splice(k)) release(node.state);
  }

  /** Feeds `id` after the first k path tokens, reusing the path when it already goes there. */
  async function follow(k: number, id: number): Promise<void> {
    if (nodes[k]?.id === id) return;
    const from = k === 0 ? rootState : nodes[k - 1].state;
    const out = await stepper.feed(from, [id]);
    truncate(k);
    nodes.push({ id, state: out.state, logits: out.logits, hidden: out.hidden });
  }

  /**
   * Makes `ids` part of the root: along the path while it agrees, then the rest. Each token read
   * after a known output is learned from.
   */
  async function commit(ids: readonly number[]): Promise<void> {
    let i = 0;
    while (i < ids.length && nodes[0]?.id === ids[i]) {
      learnAtRoot(ids[i]);
      const [first] = nodes.splice(0, 1);
      release(rootState);
      rootState = first.state;
      rootLogits = first.logits;
      rootHidden = first.hidden;
      i++;
    }
    if (i === ids.length) return;
    truncate(0);
    // A few keys typed between two requests are read one at a time, so that what the document
    // teaches does not depend on how fast it was typed; a long chunk (a fresh window, a paste)
    // is read in one model call and teaches only its first token.
    const chunks = adaptation && ids.length - i <= ONE_AT_A_TIME_TOKENS ? ids.slice(i).map((id) => [id]) : [ids.slice(i)];
    for (const chunk of chunks) {
      learnAtRoot(chunk[0]);
      const out = await stepper.feed(rootState, chunk);
      release(rootState);
      rootState = out.state;
      rootLogits = out.logits;
      rootHidden = out.hidden;
    }
  }

  function reset(): void {
    truncate(0);
    release(rootState);
    rootState = stepper.initialState();
    rootLogits = null;
    rootHidden = undefined;
    committedPrefix = null;
  }

  /**
   * Best (or sampled) token agreeing with `heal`, the text it must start with, and its
   * probability; null if none agrees. While healing, the probability is conditional on the
   * tokens that agree with what was typed (the model's chance that the token is right given it).
   */
  function choose(logits: Float32Array, heal: string): { id: number; probability: number } | null {
    const allowed = (id: number) => suggestible[id] && (heal === '' || tokenTexts[id].startsWith(heal) || heal.startsWith(tokenTexts[id]));
    let id: number;
    if (decoding.temperature === 0) {
      let best = -1;
      for (let i = 0; i < logits.length; i++) if (allowed(i) && (best < 0 || logits[i] > logits[best])) best = i;
      if (best < 0) return null;
      id = best;
    } else {
      const masked = Float32Array.from(logits, (v, i) => (allowed(i) ? v : -Infinity));
      if (!masked.some((v) => v > -Infinity)) return null;
      id = chooseToken(masked, { temperature: decoding.temperature, topK: decoding.topK }, rng).id;
    }
    if (heal === '') return { id, probability: tokenProbability(logits, id) };
    const masked = Float32Array.from(logits, (v, i) => (allowed(i) ? v : -Infinity));
    return { id, probability: tokenProbability(masked, id) };
  }

  /** The best (or sampled) suggestible token of the blended distribution after `context`. */
  async function chooseBlended(logits: Float32Array, context: string): Promise<{ id: number; probability: number } | null> {
    const probs = await blend!.mix(context, softmax(logits));
    let id = -1;
    if (decoding.temperature === 0) {
      for (let i = 0; i < probs.length; i++) if (suggestible[i] && (id < 0 || probs[i] > probs[id])) id = i;
    } else {
      const logProbs = Array.from(probs, (p, i) => (suggestible[i] && p > 0 ? Math.log(p) : -Infinity));
      if (logProbs.some((v) => v > -Infinity)) id = chooseToken(logProbs, { temperature: decoding.temperature, topK: decoding.topK }, rng).id;
    }
    return id < 0 ? null : { id, probability: probs[id] };
  }

  async function run(prefix: string, maxChars: number, expected: string | undefined, mine: number): Promise<Suggestion> {
    if (mine !== turn || disposed) throw new Superseded();
    running = true;
    try {
      // Bring the root up to the stable part of the prefix.
      if (committedPrefix === null || !prefix.startsWith(committedPrefix)) {
        reset();
        committedPrefix = prefix.slice(0, contextStart(prefix, contextChars));
      }
      let pending = prefix.slice(committedPrefix.length);
      const stable = stableTokenLength(tokenizer.kind, pending);
      if (stable > 0) {
        await commit(tokenizer.encode(pending.slice(0, stable)));
        committedPrefix = prefix.slice(0, committedPrefix.length + stable);
        pending = pending.slice(stable);
      }
      if (maxChars <= 0) return NOTHING;
      await blend?.sync(prefix);

      // All pending pieces but the last are fed as they are; the last one is healed.
      const pieces = tokenizer.kind === 'char' ? [] : preTokenize(pending);
      const heal = pieces.length ? pieces[pieces.length - 1] : pending;
      const feedIds = tokenizer.encode(pending.slice(0, pending.length - heal.length));
      for (let k = 0; k < feedIds.length; k++) await follow(k, feedIds[k]);
      let k = feedIds.length;

      const ids: number[] = [];
      const spans: Array<{ start: number; end: number; probability: number }> = [];
      let product = 1;
      let suggestion = '';
      for (let t = 0; t < decoding.maxTokens; t++) {
        const logits = logitsAt(k);
        if (!logits) break;
        const generated = tokenizer.decode(ids);
        const healing = generated.length < heal.length ? heal.slice(generated.length) : '';
        const choice = blend && healing === '' ? await chooseBlended(logits, prefix + generated.slice(heal.length)) : choose(logits, healing);
        if (mine !== turn) throw new Superseded();
        if (choice === null) break;
        if (choice.probability < decoding.minProbability || product * choice.probability < decoding.minSuggestionProbability) break;
        product *= choice.probability;
        ids.push(choice.id);
        const text = tokenizer.decode(ids);
        spans.push({ start: generated.length - heal.length, end: text.length - heal.length, probability: choice.probability });
        suggestion = text.slice(heal.length);
        let done = false;
        if (!decoding.multiline && /[\r\n]/.test(suggestion)) {
          suggestion = firstLine(suggestion);
          done = true;
        }
        if (suggestion.length >= maxChars) {
          suggestion = suggestion.slice(0, maxChars);
          done = true;
        }
        if (expected !== undefined && !decoding.expectedGainCut && !expected.startsWith(suggestion)) done = true;
        if (done) break;
        await follow(k, choice.id);
        k++;
        if (mine !== turn) throw new Superseded();
      }
      const keptSpans = spans.filter((s) => s.end > 0 && s.start < suggestion.length);
      const kept = keptSpans.map((s) => s.probability);
      if (decoding.expectedGainCut) return cutForGain(suggestion, keptSpans.map((s) => Math.min(s.end, suggestion.length)), kept, decoding.expectedGainCut.minShown);
      return summarize(suggestion, kept);
    } catch (e) {
      // A failed model call may leave the trail half-updated: start afresh next time.
      if (!(e instanceof Superseded)) reset();
      throw e;
    } finally {
      running = false;
      if (disposed) free();
    }
  }

  function free(): void {
    truncate(0);
    release(rootState);
    rootLogits = null;
    blend?.dispose();
  }

  return {
    suggest(prefix, maxChars = Infinity, expected) {
      const mine = ++turn;
      const result = queue.then(() => run(prefix, maxChars, expected, mine));
      queue = result.catch(() => undefined);
      return result;
    },
    dispose() {
      if (disposed) return;
      turn++;
      disposed = true;
      // A call in flight frees the states when it ends, so that none is freed under it.
      if (!running) free();
    },
  };
}
