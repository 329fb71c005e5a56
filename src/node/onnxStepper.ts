// A Stepper over the ONNX step graph (docs/onnx.md) in onnxruntime-web: recurrent models carry
// h (and c), the Transformer its key/value cache. A chunk of tokens is one session.run. Runs
// are queued: one session serves every document, and the wasm runtime runs one call at a time.
import type * as Ort from 'onnxruntime-web';
import type { ModelConfig } from '../core/models/sequenceModel';
import type { Stepper, StepOutput } from '../core/completion/stepper';

export interface OnnxState {
  /** The step graph's state inputs (h_in/c_in, or past_key_i/past_value_i). */
  readonly feeds: Readonly<Record<string, Ort.Tensor>>;
  /** Transformer: the tokens in the cache (to rebuild it when it is full). */
  readonly tokens: readonly number[];
}

export interface OnnxStepper extends Stepper<OnnxState> {
  /** session.run calls made (the benchmark and tests count model calls). */
  readonly runs: number;
  release(): Promise<void>;
}

export async function createOnnxStepper(ort: typeof Ort, stepGraph: Uint8Array, config: ModelConfig): Promise<OnnxStepper> {
  const session = await ort.InferenceSession.create(stepGraph, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const V = config.vocabSize;
  let queue: Promise<unknown> = Promise.resolve();
  let runs = 0;

  const empty = (): OnnxState => {
    const feeds: Record<string, Ort.Tensor> = {};
    if (config.arch === 'transformer') {
      const d = config.modelSize / config.heads;
      for (let i = 0; i < config.layers; i++) {
        feeds[`past_key_${i}`] = new ort.Tensor('float32', new Float32Array(0), [1, config.heads, 0, d]);
        feeds[`past_value_${i}`] = new ort.Tensor('float32', new Float32Array(0), [1, config.heads, 0, d]);
      }
    } else {
      const zeros = () => new ort.Tensor('float32', new Float32Array(config.layers * config.hiddenSize), [config.layers, 1, config.hiddenSize]);
      feeds.h_in = zeros();
      if (config.arch === 'lstm') feeds.c_in = zeros();
    }
    return { feeds, tokens: [] };
  };
  const initial = empty();

  async function run(state: OnnxState, ids: readonly number[]): Promise<StepOutput<OnnxState>> {
    runs++;
    const input = new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]);
    const out = await session.run({ input_ids: input, ...state.feeds });
    const feeds: Record<string, Ort.Tensor> = {};
    for (const [name, value] of Object.entries(out)) {
      if (name !== 'logits') feeds[name.replace(/^present_/, 'past_').replace(/_out$/, '_in')] = value;
    }
    const data = out.logits.data as Float32Array;
    const logits = data.slice((ids.length - 1) * V, ids.length * V);
    out.logits.dispose();
    const tokens = config.arch === 'transformer' ? [...state.tokens, ...ids] : [];
    // h_out is [layers, 1, hidden]: the top layer's row is what the output layer read.
    const hidden = config.arch === 'transformer' ? undefined : (feeds.h_in.data as Float32Array).slice((config.layers - 1) * config.hiddenSize);
    return { state: { feeds, tokens }, logits, hidden };
  }

  /**
   * The Transformer's cache holds contextSize tokens at most. As the model's own step does, a
   * full cache slides: the last ⌊contextSize/2⌋ tokens are re-fed from an empty cache and the
   * new ones go on after them; a chunk is cut where the model would slide.
   */
  async function feedTransformer(state: OnnxState, ids: readonly number[]): Promise<StepOutput<OnnxState>> {
    if (config.arch !== 'transformer') throw new Error('not a transformer');
    const ctx = config.contextSize;
    let current = state;
    let out: StepOutput<OnnxState> | undefined;
    for (let i = 0; i < ids.length; ) {
      if (current.tokens.length < ctx) {
        const chunk = ids.slice(i, i + ctx - current.tokens.length);
        out = await run(current, chunk);
        i += chunk.length;
      } else {
        const kept = current.tokens.slice(current.tokens.length - Math.floor(ctx / 2));
        const chunk = ids.slice(i, i + ctx - kept.length);
        out = await run(initial, [...kept, ...chunk]);
        i += chunk.length;
      }
      current = out.state;
    }
    return out!;
  }

  function feed(state: OnnxState, ids: readonly number[]): Promise<StepOutput<OnnxState>> {
    if (ids.length === 0) throw new Error('feed needs at least one token');
    const result = queue.then(() => (config.arch === 'transformer' ? feedTransformer(state, ids) : run(state, ids)));
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    initialState: () => initial,
    feed,
    get runs() {
      return runs;
    },
    release: () => session.release(),
  };
}
