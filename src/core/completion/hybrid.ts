// The hybrid: next-character probabilities mixed from the network and the counting model (the
// Kneser-Ney n-gram with the document's cache), with a weight that depends on the context:
//
//   P(c) = g · P_ngram(c) + (1 − g) · P_model(c),   g = σ(θ · φ)
//
// φ says how sure each side is here (its top probability and its entropy) and how far they agree
// (Σ P_ngram · P_model, whether their top characters are the same); θ is fitted at the end
// of training on validation text, whose files the n-gram did not count (a gate fitted where the
// n-gram had seen the text would learn to ignore the network). A fixed weight did not beat the
// cached n-gram on its own (docs/completions.md); the gate trusts the network where the counts
// are thin and the counts where they are sure. Character tokenizers only: the n-gram counts
// characters.
import { CachedNgram } from '../ngram/cachedNgram';
import type { DocumentCacheOptions } from '../ngram/documentCache';
import type { NgramModel } from '../ngram/ngram';
import { softmax } from '../generation/sampling';
import type { EngineTokenizer } from './engine';
import { OutputAdaptation } from './dynamicEvaluation';
import type { Stepper } from './stepper';

/** Stored with the validation measurement (autoServing.ts HybridCompletion). */
export interface HybridGate {
  /** θ, one weight per GATE_FEATURES entry. */
  readonly weights: readonly number[];
  /** What it was fitted on, for people: validation characters. */
  readonly fittedOn: number;
}

export const GATE_FEATURES = [
  'bias',
  'ngram top probability',
  'ngram entropy',
  'model top probability',
  'model entropy',
  // How much the two sides agree: where they do, which one the mix trusts matters less.
  'agreement (Σ ngram · model)',
  'same top character',
] as const;

/** Entropy in bits divided by this keeps the features near [0, 1] (log2 of a code vocabulary ≈ 6-7). */
const ENTROPY_SCALE = 6;

/**
 * Mixes another model's next-character distribution into the network's: the neural engine asks
 * it at every character it suggests.
 */
export interface NextTokenBlend {
  /** The document before the cursor; a cache counts it (scored before counted). */
  sync(prefix: string): void | Promise<void>;
  /** The mixed distribution over the tokenizer's ids after `context`, given the network's `modelProbs`. */
  mix(context: string, modelProbs: ArrayLike<number>): Float64Array | Promise<Float64Array>;
  dispose(): void;
}

function topAndEntropy(probs: ArrayLike<number>): [number, number] {
  let top = 0;
  let entropy = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (p > top) top = p;
    if (p > 0) entropy -= p * Math.log2(p);
  }
  return [top, entropy / ENTROPY_SCALE];
}

/** φ for one position: both distributions over the same ids. */
export function gateFeatures(ngramProbs: ArrayLike<number>, modelProbs: ArrayLike<number>): Float64Array {
  const [ngramTop, ngramEntropy] = topAndEntropy(ngramProbs);
  const [modelTop, modelEntropy] = topAndEntropy(modelProbs);
  let agreement = 0;
  let ngramBest = 0;
  let modelBest = 0;
  for (let i = 0; i < modelProbs.length; i++) {
    agreement += ngramProbs[i] * modelProbs[i];
    if (ngramProbs[i] > ngramProbs[ngramBest]) ngramBest = i;
    if (modelProbs[i] > modelProbs[modelBest]) modelBest = i;
  }
  return Float64Array.of(1, ngramTop, ngramEntropy, modelTop, modelEntropy, agreement, ngramBest === modelBest ? 1 : 0);
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** g: the n-gram's share of the mix at a position with features φ. */
export function gateWeight(gate: Pick<HybridGate, 'weights'>, features: ArrayLike<number>): number {
  let z = 0;
  for (let i = 0; i < features.length; i++) z += gate.weights[i] * features[i];
  return sigmoid(z);
}

/** out = g · ngram + (1 − g) · model. */
export function mixDistributions(ngramProbs: ArrayLike<number>, modelProbs: ArrayLike<number>, g: number, out = new Float64Array(modelProbs.length)): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = g * ngramProbs[i] + (1 - g) * modelProbs[i];
  return out;
}

/** The gate's weight g on the n-gram at this position, and the mix it gives: what the hybrid chooses from. */
export function mixAt(gate: Pick<HybridGate, 'weights'>, ngramProbs: ArrayLike<number>, modelProbs: ArrayLike<number>): { weight: number; mixed: Float64Array } {
  const weight = gateWeight(gate, gateFeatures(ngramProbs, modelProbs));
  return { weight, mixed: mixDistributions(ngramProbs, modelProbs, weight) };
}

/** One scored position: φ and each side's probability of the character that came. */
export interface GateSample {
  readonly features: Float64Array;
  readonly ngram: number;
  readonly model: number;
}

/** Floor on a probability inside the loss: a side that gave the true character nothing costs the mix, not infinity. */
const FLOOR = 1e-9;

/** Mean −log2 of the mixed probability of the true characters. */
export function mixtureBits(gate: Pick<HybridGate, 'weights'>, samples: readonly GateSample[]): number {
  let bits = 0;
  for (const s of samples) {
    const g = gateWeight(gate, s.features);
    bits -= Math.log2(Math.max(FLOOR, g * s.ngram + (1 - g) * s.model));
  }
  return bits / samples.length;
}

/** ∂ mixtureBits / ∂θ (analytic; the tests check it against finite differences). */
export function mixtureBitsGradient(gate: Pick<HybridGate, 'weights'>, samples: readonly GateSample[]): Float64Array {
  const grad = new Float64Array(gate.weights.length);
  for (const s of samples) {
    const g = gateWeight(gate, s.features);
    const mix = Math.max(FLOOR, g * s.ngram + (1 - g) * s.model);
    // d(−log2 mix)/dz = −(ngram − model) · g(1 − g) / (mix · ln 2)
    const dz = (-(s.ngram - s.model) * g * (1 - g)) / (mix * Math.LN2);
    for (let i = 0; i < grad.length; i++) grad[i] += dz * s.features[i];
  }
  for (let i = 0; i < grad.length; i++) grad[i] /= samples.length;
  return grad;
}

/**
 * θ minimising the mixture's bits on `samples`: full-batch Adam from g = σ(1) ≈ 0.73 (the counts
 * trusted more, as a fixed weight does best). A handful of weights on thousands of positions: it
 * does not overfit, and it takes milliseconds.
 */
export function fitGate(samples: readonly GateSample[], iterations = 400, rate = 0.05): HybridGate {
  const k = GATE_FEATURES.length;
  const weights = new Float64Array(k);
  weights[0] = 1;
  if (samples.length === 0) return { weights: Array.from(weights), fittedOn: 0 };
  const m = new Float64Array(k);
  const v = new Float64Array(k);
  const [b1, b2] = [0.9, 0.999];
  for (let t = 1; t <= iterations; t++) {
    const grad = mixtureBitsGradient({ weights: Array.from(weights) }, samples);
    for (let i = 0; i < k; i++) {
      m[i] = b1 * m[i] + (1 - b1) * grad[i];
      v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
      weights[i] -= (rate * (m[i] / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + 1e-8);
    }
  }
  return { weights: Array.from(weights), fittedOn: samples.length };
}

/** A stored gate, or undefined when absent or malformed. */
export function hybridGateOf(value: unknown): HybridGate | undefined {
  const g = value as Partial<HybridGate> | undefined;
  if (!g || typeof g !== 'object' || !Array.isArray(g.weights) || g.weights.length !== GATE_FEATURES.length) return undefined;
  if (!g.weights.every((w) => typeof w === 'number' && Number.isFinite(w))) return undefined;
  return { weights: [...g.weights], fittedOn: typeof g.fittedOn === 'number' ? g.fittedOn : 0 };
}

// ---- the n-gram side, over the network's ids ---------------------------------------------

/** The counting side of the blend: the next character's probabilities over the network's ids. */
export interface CountsSide {
  sync(prefix: string): void;
  distribution(context: string): Float64Array | Promise<Float64Array>;
  dispose(): void;
}

/**
 * The network's id → the index of the same character in `chars` (an n-gram's characters);
 * −1 where there is none or the token is not one code unit.
 */
export function indexOfIds(chars: readonly string[], tokenizer: EngineTokenizer): Int32Array {
  const position = new Map<string, number>();
  chars.forEach((c, i) => position.set(c, i));
  const index = new Int32Array(tokenizer.vocabSize).fill(-1);
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const text = tokenizer.decode([id]);
    if (text.length === 1) index[id] = position.get(text) ?? -1;
  }
  return index;
}

/** `probs` over an n-gram's characters, projected onto the network's ids (`index` from indexOfIds); unnamed ones get 0. */
export function projectOntoIds(probs: ArrayLike<number>, index: Int32Array): Float64Array {
  const out = new Float64Array(index.length);
  for (let id = 0; id < out.length; id++) if (index[id] >= 0) out[id] = probs[index[id]];
  return out;
}

/** The counting side in this thread: an n-gram and a document cache. */
export class NgramSide implements CountsSide {
  private readonly counts: CachedNgram;
  private readonly index: Int32Array;

  constructor(ngram: NgramModel, tokenizer: EngineTokenizer, cacheOptions: DocumentCacheOptions | null) {
    this.counts = new CachedNgram(ngram, cacheOptions);
    this.index = indexOfIds(ngram.chars, tokenizer);
  }

  sync(prefix: string): void {
    this.counts.sync(prefix);
  }

  distribution(context: string): Float64Array {
    return projectOntoIds(this.counts.distribution(context).probs, this.index);
  }

  dispose(): void {
    this.counts.clear();
  }
}

/** The blend the neural engine is given: a counting side mixed in by the gate. */
export function ngramBlend(side: CountsSide, gate: Pick<HybridGate, 'weights'>): NextTokenBlend {
  const mixWith = (modelProbs: ArrayLike<number>) => (ngramProbs: Float64Array) => mixAt(gate, ngramProbs, modelProbs).mixed;
  return {
    sync: (prefix) => side.sync(prefix),
    mix(context, modelProbs) {
      const ngramProbs = side.distribution(context);
      return ngramProbs instanceof Float64Array ? mixWith(modelProbs)(ngramProbs) : ngramProbs.then(mixWith(modelProbs));
    },
    dispose: () => side.dispose(),
  };
}

/**
 * Every position of `texts` scored by both sides, each text read from its start like a file, the
 * cache counting it after each position is scored. The network reads the text one character at a
 * time through `stepper` (a recurrent model's state carries the whole file) and, at
 * `adaptationRate` > 0, learns it as the engine does (dynamicEvaluation.ts), after scoring.
 */
export async function collectGateSamples<S>(
  stepper: Stepper<S>,
  tokenizer: EngineTokenizer,
  ngram: NgramModel,
  cacheOptions: DocumentCacheOptions | null,
  texts: readonly string[],
  adaptationRate: number,
  signal?: { readonly aborted: boolean },
): Promise<GateSample[]> {
  const samples: GateSample[] = [];
  for (const text of texts) {
    const side = new NgramSide(ngram, tokenizer, cacheOptions);
    const adaptation = adaptationRate > 0 ? new OutputAdaptation(tokenizer.vocabSize, adaptationRate) : null;
    let state = stepper.initialState();
    let last: { logits: Float32Array; hidden?: Float32Array } | null = null;
    try {
      for (let t = 0; t < text.length; t++) {
        if (signal?.aborted) throw new Error('cancelled');
        const ids = tokenizer.encode(text[t]);
        if (last && ids.length === 1) {
          const modelProbs = softmax(adaptation && last.hidden ? adaptation.adjust(last.logits, last.hidden) : last.logits);
          side.sync(text.slice(0, t));
          const ngramProbs = side.distribution(text.slice(0, t));
          samples.push({ features: gateFeatures(ngramProbs, modelProbs), ngram: ngramProbs[ids[0]], model: modelProbs[ids[0]] });
        }
        if (ids.length === 0) continue;
        if (adaptation && last?.hidden) adaptation.learn(last.logits, last.hidden, ids[0]);
        const out = await stepper.feed(state, ids);
        stepper.releaseState?.(state);
        state = out.state;
        last = out;
      }
    } finally {
      stepper.releaseState?.(state);
      side.dispose();
    }
  }
  return samples;
}
