// The neural completion engine over an asynchronous stepper (ONNX Runtime's session.run is
// asynchronous), with the behaviour of the core neural engine (src/core/completionEngine.ts):
// a root state for the text committed so far and the states of the last suggestion's tokens,
// so that typing along a suggestion costs no model call and typing one more character costs
// one; a prefix that does not extend the last one is primed afresh from its last
// `contextChars` characters — in one call (a chunk of tokens), not one call per token; token
// healing for word tokenizers. No runtime imports: tests drive it with a stepper of their own.
import { firstLine, stableTokenLength, type Suggestion } from '../../core/completionEngine';
import { chooseToken } from '../../core/generation/sampling';
import { createRng } from '../../core/random';
import { preTokenize } from '../../core/tokenizers/preTokenize';
import type { Tokenizer } from '../../core/tokenizers/tokenizer';
import type { DecodingOptions } from './servingEngine';

export interface StepOutput<S> {
  readonly state: S;
  /** Next-token logits after the last token fed. */
  readonly logits: Float32Array;
}

/** A model that consumes tokens after a state, any number at a time. */
export interface Stepper<S> {
  initialState(): S;
  /** Feeds `ids` (at least one) after `state`, which stays usable. */
  feed(state: S, ids: readonly number[]): Promise<StepOutput<S>>;
}

export interface AsyncCompletionEngine {
  suggest(prefix: string, maxChars?: number): Promise<Suggestion>;
  dispose(): void;
}

export type EngineTokenizer = Pick<Tokenizer, 'kind' | 'vocabSize' | 'encode' | 'decode'>;

interface Node<S> {
  readonly id: number;
  readonly state: S;
  readonly logits: Float32Array;
}

/** Start of the last `contextChars` code units of `text`, not inside a surrogate pair. */
function contextStart(text: string, contextChars: number): number {
  let start = Math.max(0, text.length - contextChars);
  const unit = text.charCodeAt(start);
  if (start > 0 && unit >= 0xdc00 && unit <= 0xdfff) start++;
  return start;
}

/** softmax(logits)[id] in float64. */
function tokenProbability(logits: Float32Array, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return Math.exp(logits[id] - max) / sum;
}

/** The engine was asked again before an earlier suggestion finished: the earlier one gives up. */
export class Superseded extends Error {
  constructor() {
    super('a newer suggestion was asked for');
    this.name = 'Superseded';
  }
}

export function steppedEngine<S>(
  stepper: Stepper<S>,
  tokenizer: EngineTokenizer,
  decoding: DecodingOptions,
  contextChars: number,
): AsyncCompletionEngine {
  const rng = createRng(decoding.seed);
  const tokenTexts: string[] = [];
  const suggestible: boolean[] = [];
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const text = tokenizer.decode([id]);
    tokenTexts.push(text);
    suggestible.push(text.length > 0 && !text.includes('\uFFFD'));
  }
  let rootState = stepper.initialState();
  let rootLogits: Float32Array | null = null;
  let nodes: Node<S>[] = [];
  let committedPrefix: string | null = null;
  /** Bumped by every call: a call that sees a newer one waiting gives up between model calls. */
  let turn = 0;
  /** Calls run one after another (they share the state trail). */
  let queue: Promise<unknown> = Promise.resolve();

  const logitsAt = (k: number) => (k === 0 ? rootLogits : nodes[k - 1].logits);

  /** Feeds `id` after the first k path tokens, reusing the path when it already goes there. */
  async function follow(k: number, id: number): Promise<void> {
    if (nodes[k]?.id === id) return;
    const from = k === 0 ? rootState : nodes[k - 1].state;
    const out = await stepper.feed(from, [id]);
    nodes = nodes.slice(0, k);
    nodes.push({ id, state: out.state, logits: out.logits });
  }

  /** Makes `ids` part of the root: along the path while it agrees, the rest in one chunk. */
  async function commit(ids: readonly number[]): Promise<void> {
    let i = 0;
    while (i < ids.length && nodes[0]?.id === ids[i]) {
      rootState = nodes[0].state;
      rootLogits = nodes[0].logits;
      nodes = nodes.slice(1);
      i++;
    }
    if (i === ids.length) return;
    nodes = [];
    const out = await stepper.feed(rootState, ids.slice(i));
    rootState = out.state;
    rootLogits = out.logits;
  }

  function reset(): void {
    nodes = [];
    rootState = stepper.initialState();
    rootLogits = null;
    committedPrefix = null;
  }

  function choose(logits: Float32Array, heal: string): number | null {
    const allowed = (id: number) => suggestible[id] && (heal === '' || tokenTexts[id].startsWith(heal) || heal.startsWith(tokenTexts[id]));
    if (decoding.temperature === 0) {
      let best = -1;
      for (let id = 0; id < logits.length; id++) if (allowed(id) && (best < 0 || logits[id] > logits[best])) best = id;
      return best < 0 ? null : best;
    }
    const masked = Float32Array.from(logits, (v, id) => (allowed(id) ? v : -Infinity));
    if (!masked.some((v) => v > -Infinity)) return null;
    return chooseToken(masked, { temperature: decoding.temperature, topK: decoding.topK }, rng).id;
  }

  async function run(prefix: string, maxChars: number, mine: number): Promise<Suggestion> {
    if (mine !== turn) throw new Superseded();
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
      if (maxChars <= 0) return { text: '', meanProbability: 0 };

      const pieces = tokenizer.kind === 'char' ? [] : preTokenize(pending);
      const heal = pieces.length ? pieces[pieces.length - 1] : pending;
      const feedIds = tokenizer.encode(pending.slice(0, pending.length - heal.length));
      for (let k = 0; k < feedIds.length; k++) await follow(k, feedIds[k]);
      let k = feedIds.length;

      const ids: number[] = [];
      const spans: Array<{ start: number; end: number; probability: number }> = [];
      let suggestion = '';
      for (let t = 0; t < decoding.maxTokens; t++) {
        const logits = logitsAt(k);
        if (!logits) break;
        const generated = tokenizer.decode(ids);
        const id = choose(logits, generated.length < heal.length ? heal.slice(generated.length) : '');
        if (id === null) break;
        const probability = tokenProbability(logits, id);
        if (probability < decoding.minProbability) break;
        ids.push(id);
        const text = tokenizer.decode(ids);
        spans.push({ start: generated.length - heal.length, end: text.length - heal.length, probability });
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
        if (done) break;
        await follow(k, id);
        k++;
        if (mine !== turn) throw new Superseded();
      }
      const kept = spans.filter((s) => s.end > 0 && s.start < suggestion.length).map((s) => s.probability);
      const mean = kept.length ? kept.reduce((a, b) => a + b, 0) / kept.length : 0;
      return { text: suggestion, meanProbability: suggestion ? mean : 0 };
    } catch (e) {
      // A failed model call may leave the trail half-updated: start afresh next time.
      if (!(e instanceof Superseded)) reset();
      throw e;
    }
  }

  return {
    suggest(prefix, maxChars = Infinity) {
      const mine = ++turn;
      const result = queue.then(() => run(prefix, maxChars, mine));
      queue = result.catch(() => undefined);
      return result;
    },
    dispose() {
      turn++;
      reset();
    },
  };
}
