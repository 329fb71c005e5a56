// Optimisers written out (rather than tf.train's) so that their state has stable names tied to
// the model's weight names, can be saved in a checkpoint and restored bit for bit, and so the
// learning rate can change every step.
//
//   SGD:      v ← μv + g;  w ← w − lr·v            (μ = 0: plain w ← w − lr·g)
//   RMSprop:  s ← ρs + (1−ρ)g²;  w ← w − lr·g/(√s + ε)
//   Adam:     m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
//             w ← w − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)   (t = updates so far, from 1)
//             with decoupled weight decay (AdamW) w ← w·(1 − lr·λ) first when λ > 0.
import * as tf from '@tensorflow/tfjs';

export type OptimizerKind = 'adam' | 'sgd' | 'rmsprop';

export interface AdamConfig {
  readonly kind: 'adam';
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly weightDecay?: number;
}
export interface SgdConfig {
  readonly kind: 'sgd';
  readonly momentum?: number;
}
export interface RmspropConfig {
  readonly kind: 'rmsprop';
  readonly decay?: number;
  readonly epsilon?: number;
}
export type OptimizerConfig = AdamConfig | SgdConfig | RmspropConfig;

/** A named float32 array: how optimiser slots (and weights) travel outside tensors. */
export interface NamedArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface OptimizerState {
  /** The configuration with every default filled in. */
  readonly config: Required<AdamConfig> | Required<SgdConfig> | Required<RmspropConfig>;
  /** Updates applied so far. */
  readonly step: number;
  /** Slot tensors named `${slot}/${weightName}` (Adam: m, v; SGD: velocity; RMSprop: meanSquare). */
  readonly slots: readonly NamedArray[];
}

export interface Optimizer {
  readonly config: OptimizerState['config'];
  /** Updates applied so far. */
  readonly step: number;
  /** Updates every weight named in `grads` once, at `learningRate`. Tidies its own temporaries. */
  apply(grads: ReadonlyMap<string, tf.Tensor>, learningRate: number): void;
  /** Reads the state back (synchronously). */
  getState(): OptimizerState;
  /** Replaces the state; throws (changing nothing) if it does not fit these weights. */
  setState(state: OptimizerState): void;
  dispose(): void;
}

export function resolveOptimizerConfig(config: OptimizerConfig): OptimizerState['config'] {
  switch (config.kind) {
    case 'adam':
      return {
        kind: 'adam',
        beta1: config.beta1 ?? 0.9,
        beta2: config.beta2 ?? 0.999,
        epsilon: config.epsilon ?? 1e-8,
        weightDecay: config.weightDecay ?? 0,
      };
    case 'sgd':
      return { kind: 'sgd', momentum: config.momentum ?? 0 };
    case 'rmsprop':
      return { kind: 'rmsprop', decay: config.decay ?? 0.9, epsilon: config.epsilon ?? 1e-8 };
    default:
      throw new Error(`unknown optimizer '${(config as { kind: unknown }).kind}'`);
  }
}

function slotNames(config: OptimizerState['config']): string[] {
  switch (config.kind) {
    case 'adam':
      return ['m', 'v'];
    case 'sgd':
      return config.momentum > 0 ? ['velocity'] : [];
    case 'rmsprop':
      return ['meanSquare'];
  }
}

/** An optimiser for `weights` (the model's named variables); slots start at zero. */
export function createOptimizer(config: OptimizerConfig, weights: ReadonlyMap<string, tf.Variable>): Optimizer {
  const resolved = resolveOptimizerConfig(config);
  const slots = new Map<string, tf.Variable>();
  for (const slot of slotNames(resolved)) {
    for (const [name, w] of weights) {
      const zeros = tf.zerosLike(w);
      slots.set(`${slot}/${name}`, tf.variable(zeros, false, undefined, 'float32'));
      zeros.dispose();
    }
  }
  let step = 0;

  const slot = (kind: string, name: string): tf.Variable => slots.get(`${kind}/${name}`)!;

  const apply = (grads: ReadonlyMap<string, tf.Tensor>, lr: number): void => {
    const t = step + 1;
    tf.tidy(() => {
      for (const [name, g] of grads) {
        const w = weights.get(name);
        if (!w) throw new Error(`gradient for unknown weight '${name}'`);
        switch (resolved.kind) {
          case 'sgd': {
            if (resolved.momentum > 0) {
              const v = slot('velocity', name);
              v.assign(v.mul(resolved.momentum).add(g));
              w.assign(w.sub(v.mul(lr)));
            } else {
              w.assign(w.sub(g.mul(lr)));
            }
            break;
          }
          case 'rmsprop': {
            const s = slot('meanSquare', name);
            s.assign(s.mul(resolved.decay).add(g.square().mul(1 - resolved.decay)));
            w.assign(w.sub(g.mul(lr).div(s.sqrt().add(resolved.epsilon))));
            break;
          }
          case 'adam': {
            const { beta1, beta2, epsilon, weightDecay } = resolved;
            const m = slot('m', name);
            const v = slot('v', name);
            m.assign(m.mul(beta1).add(g.mul(1 - beta1)));
            v.assign(v.mul(beta2).add(g.square().mul(1 - beta2)));
            const stepSize = lr / (1 - Math.pow(beta1, t));
            const denom = v.sqrt().div(Math.sqrt(1 - Math.pow(beta2, t))).add(epsilon);
            const decayed = weightDecay > 0 ? w.mul(1 - lr * weightDecay) : w;
            w.assign(decayed.sub(m.div(denom).mul(stepSize)));
            break;
          }
        }
      }
    });
    step = t;
  };

  return {
    config: resolved,
    get step() {
      return step;
    },
    apply,
    getState: () => ({
      config: resolved,
      step,
      slots: [...slots].map(([name, v]) => ({ name, shape: v.shape.slice(), data: Float32Array.from(v.dataSync() as Float32Array) })),
    }),
    setState: (state: OptimizerState) => {
      if (state.config.kind !== resolved.kind) {
        throw new Error(`optimizer state is for '${state.config.kind}', this optimizer is '${resolved.kind}'`);
      }
      if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`bad optimizer step ${state.step}`);
      const given = new Map(state.slots.map((s) => [s.name, s]));
      for (const [name, v] of slots) {
        const s = given.get(name);
        if (!s) throw new Error(`optimizer state lacks slot '${name}'`);
        if (s.shape.length !== v.shape.length || s.shape.some((d, i) => d !== v.shape[i]) || s.data.length !== v.size) {
          throw new Error(`optimizer slot '${name}' has shape [${s.shape}], expected [${v.shape}]`);
        }
      }
      for (const name of given.keys()) if (!slots.has(name)) throw new Error(`optimizer state has unknown slot '${name}'`);
      for (const [name, v] of slots) {
        const s = given.get(name)!;
        tf.tidy(() => v.assign(tf.tensor(s.data, v.shape, 'float32')));
      }
      step = state.step;
    },
    dispose: () => {
      for (const v of slots.values()) v.dispose();
      slots.clear();
    },
  };
}
