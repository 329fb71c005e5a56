// The long-range dependency task: can the model recall a symbol seen `lag` tokens ago?
//
// Each sequence is  k n₁ n₂ … n_lag ?  — a key k drawn from K symbols, `lag` distractors drawn
// from N other symbols, then a query marker. The only trained prediction is the one after the
// query marker, whose target is k (the loss is the cross-entropy of the last position only,
// loss.ts `lastStepCrossEntropy`). Nothing in the distractors tells k apart, so the model must
// carry k through `lag` steps of its state. Chance accuracy is 1/K.
//
// A nano vanilla RNN (tanh) and a nano LSTM (presets.ts: embedding 32, 64 units) train for the
// same number of steps with the same pieces as the core Trainer (forward, cross-entropy,
// gradients of every weight, global-norm clipping, Adam from optimizers.ts); accuracy is then
// measured on fresh sequences. Before training, the gradient of the recall loss with respect to
// every hidden state (gradientFlow.ts) gives ‖∂L/∂h_0‖ / ‖∂L/∂h_T‖: how much of the error signal
// reaches back to the step that saw the key — the vanishing gradient, measured. It is measured
// again after training.
import * as tf from '@tensorflow/tfjs';
import { useBackend, type BackendName } from '../src/core/backend/backend';
import { createModel, presetConfig, type Arch, type SequenceModel } from '../src/core/models';
import { createRng, type Rng } from '../src/core/random';
import { clipByGlobalNorm } from '../src/core/training/gradientClipping';
import { timestepGradientNorms } from '../src/core/training/gradientFlow';
import { lastStepCrossEntropy } from '../src/core/training/loss';
import { createOptimizer } from '../src/core/training/optimizers';
import { nodeWasmPaths } from '../src/node/wasmPaths';
import { log, now } from './stats';

export const KEY_SYMBOLS = 8;
export const NOISE_SYMBOLS = 8;
const QUERY = KEY_SYMBOLS + NOISE_SYMBOLS;
const VOCAB = QUERY + 1;

export interface LongRangeRow {
  readonly arch: Arch;
  readonly lag: number;
  /** Sequence length: key + lag distractors + query. */
  readonly seqLen: number;
  readonly preset: 'nano';
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Recall accuracy on fresh sequences after training; chance = 1/keySymbols. */
  readonly accuracy: number;
  readonly chance: number;
  /** Mean recall loss (nats) on those sequences. */
  readonly loss: number;
  /** ‖∂L/∂h_0‖ / ‖∂L/∂h_T‖ at initialisation (L: recall loss, h_T: state at the query). */
  readonly gradientRatioAtInit: number;
  readonly gradientRatioAfter: number;
  /** ‖∂L/∂h_t‖ at initialisation for t = 0..T−1. */
  readonly gradientNormsAtInit: number[];
  readonly trainSeconds: number;
  readonly backend: BackendName;
}

export interface LongRangeOptions {
  readonly lags: readonly number[];
  readonly steps: number;
  readonly archs?: readonly Arch[];
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly evalSequences?: number;
  readonly backend?: BackendName;
}

interface TaskBatch {
  readonly ids: tf.Tensor2D;
  readonly targets: tf.Tensor2D;
  readonly keys: Int32Array;
}

function makeBatch(rng: Rng, batchSize: number, lag: number): TaskBatch {
  const T = lag + 2;
  const ids = new Int32Array(batchSize * T);
  const targets = new Int32Array(batchSize * T);
  const keys = new Int32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const key = rng.int(KEY_SYMBOLS);
    keys[b] = key;
    const row = b * T;
    ids[row] = key;
    for (let t = 1; t <= lag; t++) ids[row + t] = KEY_SYMBOLS + rng.int(NOISE_SYMBOLS);
    ids[row + T - 1] = QUERY;
    // Next-token targets; only the last (the key, after the query) is trained or scored.
    for (let t = 0; t < T - 1; t++) targets[row + t] = ids[row + t + 1];
    targets[row + T - 1] = key;
  }
  return { ids: tf.tensor2d(ids, [batchSize, T], 'int32'), targets: tf.tensor2d(targets, [batchSize, T], 'int32'), keys };
}

async function gradientRatio(model: SequenceModel, batch: TaskBatch): Promise<{ ratio: number; norms: number[] }> {
  const norms = await timestepGradientNorms(model, batch.ids, batch.targets);
  if (!norms) return { ratio: NaN, norms: [] };
  return { ratio: norms[0] / norms[norms.length - 1], norms: Array.from(norms) };
}

async function recall(model: SequenceModel, batch: TaskBatch): Promise<{ accuracy: number; loss: number }> {
  const [B, T] = batch.ids.shape;
  const [predicted, loss] = tf.tidy(() => {
    const logits = model.forward(batch.ids);
    const last = logits.slice([0, T - 1, 0], [B, 1, VOCAB]).reshape([B, VOCAB]);
    return [last.argMax(-1), lastStepCrossEntropy(logits, batch.targets)];
  });
  const [p, l] = await Promise.all([predicted.data(), loss.data()]);
  tf.dispose([predicted, loss]);
  let correct = 0;
  for (let b = 0; b < B; b++) if (p[b] === batch.keys[b]) correct++;
  return { accuracy: correct / B, loss: l[0] };
}

async function runOne(arch: Arch, lag: number, o: Required<LongRangeOptions>): Promise<LongRangeRow> {
  const config = presetConfig(arch, 'nano', VOCAB, { seed: 7 });
  const model = createModel(config);
  const weightNames = new Map<string, string>();
  for (const [name, v] of model.weights) weightNames.set(v.name, name);
  const variables = [...model.weights.values()];
  const optimizer = createOptimizer({ kind: 'adam' }, model.weights);
  const trainRng = createRng(1000 + lag);
  const probe = makeBatch(createRng(1), 64, lag);
  const test = makeBatch(createRng(2), o.evalSequences, lag);
  try {
    const before = await gradientRatio(model, probe);
    const started = now();
    for (let step = 0; step < o.steps; step++) {
      const batch = makeBatch(trainRng, o.batchSize, lag);
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => lastStepCrossEntropy(model.forward(batch.ids, { training: true }), batch.targets),
          variables,
        );
        const names = Object.keys(grads);
        const clipped = clipByGlobalNorm(
          names.map((n) => grads[n]),
          1,
        );
        optimizer.apply(new Map(names.map((n, i) => [weightNames.get(n) ?? n, clipped.grads[i]])), o.learningRate);
      });
      tf.dispose([batch.ids, batch.targets]);
      if (step % 25 === 0) await new Promise((r) => setImmediate(r));
    }
    const trainSeconds = (now() - started) / 1000;
    const after = await gradientRatio(model, probe);
    const { accuracy, loss } = await recall(model, test);
    return {
      arch,
      lag,
      seqLen: lag + 2,
      preset: 'nano',
      steps: o.steps,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      accuracy,
      chance: 1 / KEY_SYMBOLS,
      loss,
      gradientRatioAtInit: before.ratio,
      gradientRatioAfter: after.ratio,
      gradientNormsAtInit: before.norms,
      trainSeconds,
      backend: o.backend,
    };
  } finally {
    optimizer.dispose();
    model.dispose();
    tf.dispose([probe.ids, probe.targets, test.ids, test.targets]);
  }
}

export async function runLongRange(options: LongRangeOptions): Promise<LongRangeRow[]> {
  const o: Required<LongRangeOptions> = {
    archs: ['rnn', 'lstm'],
    batchSize: 64,
    learningRate: 3e-3,
    evalSequences: 512,
    backend: 'wasm',
    ...options,
  };
  await useBackend(o.backend, { wasmPaths: nodeWasmPaths() });
  const rows: LongRangeRow[] = [];
  for (const lag of o.lags) {
    for (const arch of o.archs) {
      log(`long range: ${arch}, lag ${lag}, ${o.steps} steps`);
      const row = await runOne(arch, lag, o);
      log(
        `  accuracy ${(row.accuracy * 100).toFixed(1)}%, ‖∂L/∂h_0‖/‖∂L/∂h_T‖ at init ${row.gradientRatioAtInit.toExponential(2)}, ${row.trainSeconds.toFixed(1)} s`,
      );
      rows.push(row);
    }
  }
  return rows;
}
