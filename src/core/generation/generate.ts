// Autoregressive generation: feed the prompt one token at a time through `model.step` (state
// carried, so each token costs one step, not a re-run of the prefix), then repeatedly choose a
// token (sampling.ts), feed it back, and check the stopping criteria (stopping.ts). Every
// state is disposed as soon as the next one exists, and the last one when generation ends, even
// if the caller stops iterating early.
//
// Each generated token comes with two probabilities: `probability`, under the model's own
// distribution softmax(logits) (temperature 1, no truncation) — the model's confidence, which is
// what `meanProbability` averages and what a completion confidence gate should use — and
// `samplingProbability`, under the distribution actually sampled from.
import type { ModelState, SequenceModel } from '../models/sequenceModel';
import { disposeState } from '../models/sequenceModel';
import { createRng, type Rng } from '../random';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { chooseToken, type SamplingOptions } from './sampling';
import { firstStop, maxTokens, stopSequences, stopTokens, type StopReason, type StoppingCriterion } from './stopping';

export interface GenerateOptions extends SamplingOptions {
  /** Most tokens to generate. Default 64. */
  readonly maxTokens?: number;
  /** Stop (and cut the text) where any of these appears, e.g. ['\n'] for one line. */
  readonly stop?: readonly string[];
  /** Stop when one of these ids is generated (its text is not kept). */
  readonly stopTokens?: readonly number[];
  /** Further criteria, checked after the built-in ones. */
  readonly stopping?: readonly StoppingCriterion[];
  /** Feed only the last N prompt tokens (bounds latency for long prompts). Default: all. */
  readonly contextTokens?: number;
  /** Source of randomness; or a seed for one. Default: a random seed. Unused when greedy. */
  readonly rng?: Rng;
  readonly seed?: number;
}

export interface GeneratedToken {
  readonly id: number;
  /** This token's share of the returned text (cut short if a stop sequence began inside it). */
  readonly text: string;
  readonly probability: number;
  readonly samplingProbability: number;
}

export interface Generation {
  /** The generated text, without the prompt and without any stop sequence. */
  readonly text: string;
  /** The tokens making up `text`, in order (their texts concatenate to `text`). */
  readonly tokens: GeneratedToken[];
  readonly stopReason: StopReason;
  /** Mean of `probability` over `tokens` (0 when there are none). */
  readonly meanProbability: number;
  /** Prompt tokens fed to the model. */
  readonly promptTokens: number;
}

type TextCodec = Pick<Tokenizer, 'encode' | 'decode'>;

/**
 * Generates token by token, yielding each token as soon as it is chosen (the yielded token's
 * text is provisional: a later stop sequence may cut it); the return value is the final result.
 * Stopping iteration early disposes the model state too.
 */
export function* generateTokens(
  model: SequenceModel,
  tokenizer: TextCodec,
  prompt: string,
  options: GenerateOptions = {},
): Generator<GeneratedToken, Generation, void> {
  let promptIds = tokenizer.encode(prompt);
  if (options.contextTokens !== undefined) promptIds = promptIds.slice(Math.max(0, promptIds.length - options.contextTokens));
  if (promptIds.length === 0) throw new Error('generation needs a prompt of at least one token');
  const rng = options.rng ?? createRng(options.seed ?? Math.floor(Math.random() * 4294967296));
  // Content stops come first: when the last allowed token is also a stop sequence, the
  // stop sequence must still be cut from the text.
  const criteria: StoppingCriterion[] = [
    stopSequences(options.stop ?? []),
    stopTokens(options.stopTokens ?? []),
    ...(options.stopping ?? []),
    maxTokens(options.maxTokens ?? 64),
  ];

  let state: ModelState = model.initialState();
  try {
    let logits: Float32Array | null = null;
    for (const id of promptIds) logits = advance(id);

    const ids: number[] = [];
    const probabilities: Array<{ probability: number; samplingProbability: number }> = [];
    const starts: number[] = [];
    let text = '';
    let stop = firstStop(criteria, { ids, text, lastTokenStart: 0 }); // maxTokens 0
    while (!stop) {
      const choice = chooseToken(logits!, options, rng);
      const full = tokenizer.decode([...ids, choice.id]);
      // Text before this token is normally unchanged; if decoding rewrote it, the token starts
      // where the two texts first differ.
      const start = commonPrefixLength(text, full);
      ids.push(choice.id);
      probabilities.push(choice);
      starts.push(start);
      text = full;
      stop = firstStop(criteria, { ids, text, lastTokenStart: start });
      yield { id: choice.id, text: full.slice(start), probability: choice.probability, samplingProbability: choice.samplingProbability };
      if (!stop) logits = advance(choice.id);
    }

    const keep = Math.min(stop.keep ?? text.length, text.length);
    const tokens: GeneratedToken[] = [];
    for (let i = 0; i < ids.length && starts[i] < keep; i++) {
      const end = i + 1 < ids.length ? starts[i + 1] : text.length;
      tokens.push({
        id: ids[i],
        text: text.slice(starts[i], Math.min(end, keep)),
        probability: probabilities[i].probability,
        samplingProbability: probabilities[i].samplingProbability,
      });
    }
    const meanProbability = tokens.length ? tokens.reduce((s, t) => s + t.probability, 0) / tokens.length : 0;
    return { text: text.slice(0, keep), tokens, stopReason: stop.reason, meanProbability, promptTokens: promptIds.length };
  } finally {
    disposeState(state);
  }

  function advance(id: number): Float32Array {
    const result = model.step(state, id);
    disposeState(state);
    state = result.state;
    return result.logits;
  }
}

/** Generates to completion (see generateTokens). */
export function generate(model: SequenceModel, tokenizer: TextCodec, prompt: string, options: GenerateOptions = {}): Generation {
  const it = generateTokens(model, tokenizer, prompt, options);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
