// The seam between the completion engine and whatever runs the model: a Stepper feeds tokens
// after a state and returns the next-token logits. tfjs's `SequenceModel.step` is one stepper
// (below; the CLI, evaluation and tests use it), ONNX Runtime's step graph another
// (src/node/onnxStepper.ts; the editor uses it). The engine (engine.ts) is written once against
// this interface, so the two runtimes cannot drift apart in what they suggest.
import type { ModelConfig, ModelState, SequenceModel } from '../models/sequenceModel';
import { disposeState } from '../models/sequenceModel';

export interface StepOutput<S> {
  readonly state: S;
  /** Next-token logits after the last token fed. */
  readonly logits: Float32Array;
  /**
   * What the output layer read to give them (a recurrent model's top-layer state), for dynamic
   * evaluation (dynamicEvaluation.ts); absent for the Transformer.
   */
  readonly hidden?: Float32Array;
}

/** A model that consumes tokens after a state, any number at a time. */
export interface Stepper<S> {
  initialState(): S;
  /** Feeds `ids` (at least one) after `state`, which stays usable. */
  feed(state: S, ids: readonly number[]): Promise<StepOutput<S>>;
  /** Frees a state the engine no longer needs (tfjs tensors); absent when garbage collection does. */
  releaseState?(state: S): void;
}

/** A recurrent model's top-layer h in its step state (layer l holds [h, c] for the LSTM, [h] otherwise). */
function topHidden(config: ModelConfig, state: ModelState): Float32Array | undefined {
  if (config.arch === 'transformer') return undefined;
  const perLayer = config.arch === 'lstm' ? 2 : 1;
  const h = state.tensors[state.tensors.length - perLayer];
  return h ? Float32Array.from(h.dataSync() as Float32Array) : undefined;
}

/** `model.step` as a stepper: one step per token, intermediate states freed at once. */
export function tfjsStepper(model: SequenceModel): Stepper<ModelState> {
  return {
    initialState: () => model.initialState(),
    feed(state, ids) {
      if (ids.length === 0) return Promise.reject(new Error('feed needs at least one token'));
      let current = state;
      let logits: Float32Array | undefined;
      for (const id of ids) {
        const out = model.step(current, id);
        if (current !== state) disposeState(current);
        current = out.state;
        logits = out.logits;
      }
      return Promise.resolve({ state: current, logits: logits!, hidden: topHidden(model.config, current) });
    },
    releaseState: (state) => disposeState(state),
  };
}
