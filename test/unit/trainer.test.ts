import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createModel, presetConfig, type SequenceModel } from '../../src/core/models';
import { createRng } from '../../src/core/random';
import { buildTokenizer } from '../../src/core/tokenizers';
import { splitCorpus } from '../../src/core/training/tokenStream';
import { timestepGradientNorms } from '../../src/core/training/gradientFlow';
import { crossEntropy } from '../../src/core/training/loss';
import { charsPerTokenOf } from '../../src/core/training/metrics';
import { createOptimizer, type OptimizerConfig } from '../../src/core/training/optimizers';
import { Trainer, TrainingControl, type EvalReport, type TrainerOptions } from '../../src/core/training/trainer';
import type { Document } from '../../src/core/training/tokenStream';
import { alphabetCodec, LeakyBagModel, leakyBagConfig } from './leakyBagModel';
import { assertNoLeak, useTestBackend } from './tfSetup';

const codec = alphabetCodec('abcdefgh');
const V = codec.vocabSize;

/** Files of a cyclic pattern with a per-file twist: predictable from the current token mostly. */
function corpus(): { train: Document[]; validation: Document[] } {
  const make = (name: string, text: string): Document => ({ name, tokens: codec.encode(text) });
  return {
    train: [
      make('a.txt', 'abcdefgh'.repeat(12)),
      make('b.txt', 'abcabcabd'.repeat(8)),
      make('c.txt', 'hgfe'.repeat(5)),
      make('short.txt', 'abc'),
    ],
    validation: [make('v1.txt', 'abcdefgh'.repeat(5) + 'abc'), make('v2.txt', 'hgfehgfeab')],
  };
}

function newModel(decay = 0.5): LeakyBagModel {
  return new LeakyBagModel(leakyBagConfig(V, 8, 3), decay);
}

const base: TrainerOptions = { batchSize: 4, seqLen: 8, seed: 5, learningRate: { peak: 0.05, warmupSteps: 3 }, evalEvery: 5 };

/** Trains and returns per-step losses and eval reports. */
async function trainRecording(model: SequenceModel, options: TrainerOptions) {
  const losses: number[] = [];
  const evals: EvalReport[] = [];
  const trainer = new Trainer(model, corpus(), {
    ...options,
    progressEvery: 1,
    onProgress: (p) => losses.push(p.loss),
    onEval: (e) => {
      evals.push(e);
      options.onEval?.(e);
    },
  });
  const result = await trainer.run();
  return { trainer, losses, evals, result };
}

function lossFields(e: EvalReport) {
  return [e.step, e.trainLoss, e.validationLoss, e.validationBitsPerChar, e.gradNorm, e.learningRate, e.bestValidationLoss, e.gradientFlow];
}

/** float64 reference: log softmax of a row. */
function logSoftmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0));
  return row.map((z) => z - lse);
}

describe('cross-entropy', () => {
  before(useTestBackend);

  const logits = [
    [[2, -1, 0.5, 3, 1], [1000, 998, 1001, -1000, 0]],
    [[-3, -2, -1, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5]],
  ];
  const targets = [[3, 2], [0, 4]];
  const weights = [[1, 1], [1, 0]];

  it('is the weighted mean of −log softmax at the targets, stable for huge logits', async () => {
    await assertNoLeak(() => {
      const loss = tf.tidy(() =>
        crossEntropy(tf.tensor3d(logits), tf.tensor2d(targets, undefined, 'int32'), tf.tensor2d(weights)).dataSync()[0],
      );
      let sum = 0;
      let count = 0;
      logits.forEach((b, i) =>
        b.forEach((row, t) => {
          sum += -logSoftmaxRow(row)[targets[i][t]] * weights[i][t];
          count += weights[i][t];
        }),
      );
      assert.ok(Number.isFinite(loss));
      assert.ok(Math.abs(loss - sum / count) < 1e-5, `${loss} vs ${sum / count}`);
    });
  });

  it('has gradient (softmax − onehot)·w/Σw', async () => {
    await assertNoLeak(() => {
      const grad = tf.tidy(() => {
        const y = tf.tensor2d(targets, undefined, 'int32');
        const w = tf.tensor2d(weights);
        return tf.grad((x: tf.Tensor) => crossEntropy(x, y, w))(tf.tensor3d(logits)).arraySync() as number[][][];
      });
      logits.forEach((b, i) =>
        b.forEach((row, t) => {
          const p = logSoftmaxRow(row).map(Math.exp);
          row.forEach((_, v) => {
            const expected = ((p[v] - (v === targets[i][t] ? 1 : 0)) * weights[i][t]) / 3;
            assert.ok(Math.abs(grad[i][t][v] - expected) < 1e-6, `[${i},${t},${v}] ${grad[i][t][v]} vs ${expected}`);
          });
        }),
      );
    });
  });
});

describe('optimizers', () => {
  before(useTestBackend);

  const grads = [
    [0.5, -0.1],
    [-0.3, 0.2],
    [0.05, 0.4],
  ];

  function reference(config: OptimizerConfig, lr: number): number[][] {
    let w = [1, -2];
    let m = [0, 0];
    let v = [0, 0];
    const out: number[][] = [];
    grads.forEach((g, k) => {
      const t = k + 1;
      if (config.kind === 'adam') {
        m = m.map((mi, i) => 0.9 * mi + 0.1 * g[i]);
        v = v.map((vi, i) => 0.999 * vi + 0.001 * g[i] ** 2);
        w = w.map((wi, i) => wi - ((lr / (1 - 0.9 ** t)) * m[i]) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8));
      } else if (config.kind === 'sgd') {
        m = m.map((mi, i) => 0.9 * mi + g[i]);
        w = w.map((wi, i) => wi - lr * m[i]);
      } else {
        v = v.map((vi, i) => 0.9 * vi + 0.1 * g[i] ** 2);
        w = w.map((wi, i) => wi - (lr * g[i]) / (Math.sqrt(v[i]) + 1e-8));
      }
      out.push(w);
    });
    return out;
  }

  for (const config of [{ kind: 'adam' }, { kind: 'sgd', momentum: 0.9 }, { kind: 'rmsprop' }] as OptimizerConfig[]) {
    it(`${config.kind} follows its update rule`, async () => {
      await assertNoLeak(() => {
        const w = tf.tidy(() => tf.variable(tf.tensor1d([1, -2])));
        const opt = createOptimizer(config, new Map([['w', w]]));
        const expected = reference(config, 0.1);
        grads.forEach((g, k) => {
          tf.tidy(() => opt.apply(new Map([['w', tf.tensor1d(g)]]), 0.1));
          const got = Array.from(w.dataSync());
          got.forEach((x, i) => assert.ok(Math.abs(x - expected[k][i]) < 1e-5, `step ${k + 1}: ${got} vs ${expected[k]}`));
        });
        assert.equal(opt.step, 3);
        opt.dispose();
        w.dispose();
      });
    });
  }

  it('restored state continues bit-identically', async () => {
    await assertNoLeak(() => {
      const run = (split: boolean) => {
        const w = tf.tidy(() => tf.variable(tf.tensor1d([1, -2])));
        let opt = createOptimizer({ kind: 'adam' }, new Map([['w', w]]));
        grads.forEach((g, k) => {
          if (split && k === 2) {
            const state = opt.getState();
            opt.dispose();
            opt = createOptimizer({ kind: 'adam' }, new Map([['w', w]]));
            opt.setState(state);
          }
          tf.tidy(() => opt.apply(new Map([['w', tf.tensor1d(g)]]), 0.1));
        });
        const out = Array.from(w.dataSync());
        opt.dispose();
        w.dispose();
        return out;
      };
      assert.deepEqual(run(true), run(false));
    });
  });

  it('rejects state that does not fit', () => {
    const w = tf.tidy(() => tf.variable(tf.tensor1d([1, -2])));
    const adam = createOptimizer({ kind: 'adam' }, new Map([['w', w]]));
    const sgd = createOptimizer({ kind: 'sgd' }, new Map([['w', w]]));
    assert.throws(() => sgd.setState(adam.getState()), /adam/);
    const state = adam.getState();
    assert.throws(() => adam.setState({ ...state, slots: state.slots.slice(1) }), /lacks slot/);
    tf.dispose([w]);
    adam.dispose();
    sgd.dispose();
  });
});

describe('trainer', () => {
  before(useTestBackend);

  it('is deterministic: same seed, same losses; another seed, other losses', async () => {
    const runs = [];
    for (const seed of [5, 5, 6]) {
      const model = newModel();
      const { trainer, losses } = await trainRecording(model, { ...base, seed, maxSteps: 10 });
      assert.equal(losses.length, 10);
      runs.push(losses);
      trainer.dispose();
      model.dispose();
    }
    assert.deepEqual(runs[0], runs[1]);
    assert.notDeepEqual(runs[0], runs[2]);
  });

  it('a training step leaves the number of tensors unchanged, and dispose frees everything', async () => {
    const model = newModel();
    const before = tf.memory().numTensors;
    const trainer = new Trainer(model, corpus(), { ...base, maxSteps: 4 });
    const afterConstruction = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      trainer.trainStep();
      assert.equal(tf.memory().numTensors, afterConstruction, `after step ${i + 1}`);
    }
    await trainer.run();
    await trainer.evaluate();
    trainer.checkpoint();
    assert.equal(tf.memory().numTensors, afterConstruction, 'after run, evaluate and checkpoint');
    trainer.dispose();
    assert.equal(tf.memory().numTensors, before, 'after dispose');
    model.dispose();
  });

  it('learns: validation loss falls well below the uniform ln V', async () => {
    const model = newModel();
    const { trainer, evals, result } = await trainRecording(model, { ...base, maxSteps: 120, evalEvery: 40 });
    assert.equal(result.reason, 'steps');
    assert.equal(evals.length, 3);
    assert.ok(evals[0].validationLoss < Math.log(V), `first ${evals[0].validationLoss}`);
    assert.ok(evals[2].validationLoss < 0.6, `last ${evals[2].validationLoss}`);
    assert.ok(evals[2].trainLoss < evals[0].trainLoss);
    for (const e of evals) {
      assert.ok(Math.abs(e.validationPerplexity - Math.exp(e.validationLoss)) < 1e-9);
      assert.ok(Math.abs(e.validationBitsPerChar - e.validationLoss / Math.LN2) < 1e-9, 'one char per token');
      assert.ok(e.gradNorm > 0 && e.tokensPerSecond > 0);
    }
    trainer.dispose();
    model.dispose();
  });

  it('validation loss and bits per character equal an independent computation', async () => {
    const model = newModel();
    const chars = [1, 2, 3, 1, 1, 4, 1, 2]; // as if tokens decoded to several characters
    const trainer = new Trainer(model, corpus(), { ...base, maxSteps: 3, charsPerToken: chars });
    for (let i = 0; i < 3; i++) trainer.trainStep();
    const got = await trainer.evaluate();
    // Reference: each validation file in consecutive windows of 8 targets, each window run
    // alone and unpadded, log softmax in float64.
    let nats = 0;
    let targets = 0;
    let charCount = 0;
    for (const doc of corpus().validation) {
      const ids = Array.from(doc.tokens);
      for (let start = 0; start < ids.length - 1; start += 8) {
        const n = Math.min(8, ids.length - 1 - start);
        const logits = tf.tidy(() => model.forward(tf.tensor2d([ids.slice(start, start + n)], [1, n], 'int32')).arraySync()[0]);
        for (let t = 0; t < n; t++) {
          const y = ids[start + t + 1];
          nats -= logSoftmaxRow(logits[t])[y];
          charCount += chars[y];
          targets++;
        }
      }
    }
    assert.ok(Math.abs(got.loss - nats / targets) < 1e-5, `${got.loss} vs ${nats / targets}`);
    assert.ok(Math.abs(got.bitsPerChar - nats / charCount / Math.LN2) < 1e-5);
    assert.ok(Math.abs(got.perplexity - Math.exp(nats / targets)) < 1e-4);
    trainer.dispose();
    model.dispose();
  });

  it('measures ‖∂L/∂h_t‖ of the last-step loss: decay^(T−1−t) times the last', async () => {
    const model = newModel(0.5);
    const ids = [[0, 1, 2, 3, 4, 5], [7, 6, 5, 4, 3, 2]];
    const targets = [[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]];
    const norms = await assertNoLeak(async () => {
      const x = tf.tensor2d(ids, undefined, 'int32');
      const y = tf.tensor2d(targets, undefined, 'int32');
      const out = await timestepGradientNorms(model, x, y);
      tf.dispose([x, y]);
      return out!;
    });
    // Reference for t = T−1: ∂L/∂h = W·(softmax − onehot)/B per row; mean of the row norms.
    const W = model.weights.get('output/kernel')!.arraySync() as number[][];
    const logits = tf.tidy(() => model.forward(tf.tensor2d(ids, undefined, 'int32')).arraySync());
    let last = 0;
    ids.forEach((_, b) => {
      const p = logSoftmaxRow(logits[b][5]).map(Math.exp);
      const g = p.map((pv, v) => (pv - (v === targets[b][5] ? 1 : 0)) / 2);
      const dh = W.map((row) => row.reduce((s, wv, v) => s + wv * g[v], 0));
      last += Math.sqrt(dh.reduce((s, x) => s + x * x, 0)) / 2;
    });
    assert.equal(norms.length, 6);
    for (let t = 0; t < 6; t++) {
      const expected = last * 0.5 ** (5 - t);
      assert.ok(Math.abs(norms[t] - expected) < 1e-5 * Math.max(1, expected), `t=${t}: ${norms[t]} vs ${expected}`);
    }
    model.dispose();
  });

  it('reports the gradient flow at each evaluation', async () => {
    const model = newModel(0);
    const { trainer, evals } = await trainRecording(model, { ...base, maxSteps: 5, gradientFlowRows: 2 });
    const flow = evals[0].gradientFlow!;
    assert.equal(flow.length, 8);
    // decay 0: no recurrence, so only the last step gets gradient.
    assert.deepEqual(flow.slice(0, 7), [0, 0, 0, 0, 0, 0, 0]);
    assert.ok(flow[7] > 0);
    trainer.dispose();
    model.dispose();
  });

  it('resuming from a checkpoint gives the same losses as never stopping', async () => {
    const options = { ...base, maxSteps: 12 };
    const straightModel = newModel();
    const straight = await trainRecording(straightModel, options);

    // Stop at 7 (between evaluations at 5 and 10), move everything to a fresh model, continue.
    const firstModel = newModel();
    const first = await trainRecording(firstModel, { ...options, maxSteps: 7 });
    const checkpoint = first.trainer.checkpoint();
    const secondModel = newModel();
    for (const [name, v] of secondModel.weights) v.assign(firstModel.weights.get(name)!);
    first.trainer.dispose();
    firstModel.dispose();
    const second = await trainRecording(secondModel, { ...options, resume: checkpoint });

    assert.deepEqual([...first.losses, ...second.losses], straight.losses);
    const straightEvals = straight.evals.map(lossFields);
    // first: eval at 5 and a final observation at 7; second: eval at 10 and final at 12.
    assert.deepEqual(lossFields(first.evals[0]), straightEvals[0]);
    assert.deepEqual(lossFields(second.evals[0]), straightEvals[1]);
    assert.deepEqual(lossFields(second.evals[1]), straightEvals[2]);
    assert.equal(second.result.steps, 12);
    for (const r of [straight, second]) r.trainer.dispose();
    straightModel.dispose();
    secondModel.dispose();
  });

  it('stops on a validation plateau after `patience` evaluations without improvement', async () => {
    const model = newModel();
    const { trainer, evals, result } = await trainRecording(model, {
      ...base,
      learningRate: 0,
      evalEvery: 2,
      patience: 2,
    });
    assert.equal(result.reason, 'plateau');
    assert.equal(result.steps, 6);
    assert.equal(evals.length, 3);
    assert.equal(evals[0].validationLoss, evals[2].validationLoss);
    trainer.dispose();
    model.dispose();
  });

  it('stops on time (pauses excluded) and on request', async () => {
    const model = newModel();
    let clock = 0;
    const timed = await trainRecording(model, { ...base, maxTimeMs: 100, now: () => (clock += 7) });
    assert.equal(timed.result.reason, 'time');
    assert.ok(timed.result.elapsedMs >= 100);
    assert.ok(timed.result.steps > 0 && timed.result.steps < 20, `${timed.result.steps} steps`);
    timed.trainer.dispose();

    // A schedule that decays over the time budget (7 ms a clock reading here).
    clock = 0;
    const rates: number[] = [];
    const decaying = new Trainer(model, corpus(), {
      ...base,
      learningRate: { peak: 3e-3, warmupSteps: 20, decayMs: 700 },
      maxTimeMs: 700,
      now: () => (clock += 7),
      progressEvery: 1,
      onProgress: (p) => rates.push(p.learningRate),
    });
    const timedResult = await decaying.run();
    decaying.dispose();
    assert.equal(timedResult.reason, 'time');
    assert.ok(rates[19] > rates[rates.length - 1] * 3, `decayed: ${rates[19]} then ${rates[rates.length - 1]}`);
    assert.ok(rates[rates.length - 1] < 3e-3 * 0.15, `ends near the floor: ${rates[rates.length - 1]}`);

    // Without a schedule given, the default decays over whichever budget there is.
    const byTime = new Trainer(model, corpus(), { maxTimeMs: 300_000 });
    assert.deepEqual({ ...byTime.schedule }, { peak: 3e-3, warmupSteps: 20, decaySteps: undefined, decayMs: 300_000, decayFrom: 0.7 });
    byTime.dispose();
    const bySteps = new Trainer(model, corpus(), { maxSteps: 500, maxTimeMs: 300_000 });
    assert.equal(bySteps.schedule.decaySteps, 500, 'a step budget decides when both are given');
    bySteps.dispose();

    let stopAfter = 4;
    const stopped = await trainRecording(model, { ...base, maxSteps: 100, shouldStop: () => --stopAfter < 0 });
    assert.equal(stopped.result.reason, 'stopped');
    assert.equal(stopped.result.steps, 4);
    stopped.trainer.dispose();

    const abort = new AbortController();
    const aborted = await trainRecording(model, { ...base, signal: abort.signal, evalEvery: 1, onEval: (e: EvalReport) => e.step === 3 && abort.abort() });
    assert.deepEqual([aborted.result.reason, aborted.result.steps], ['stopped', 3]);
    aborted.trainer.dispose();
    model.dispose();
  });

  it('pauses and resumes from outside, yielding to the event loop between steps', async () => {
    const model = newModel();
    const control = new TrainingControl();
    const steps: number[] = [];
    let stepWhenPaused = -1;
    let stepWhenResumed = -1;
    let timerFired = false;
    setTimeout(() => (timerFired = true), 0);
    const trainer = new Trainer(model, corpus(), {
      ...base,
      maxSteps: 8,
      progressEvery: 1,
      control,
      onProgress: (p) => {
        steps.push(p.step);
        if (p.step === 3) {
          control.pause();
          stepWhenPaused = trainer.step;
          setTimeout(() => {
            stepWhenResumed = trainer.step;
            control.resume();
          }, 30);
        }
      },
    });
    const result = await trainer.run();
    assert.ok(timerFired, 'timers ran during training');
    assert.equal(stepWhenPaused, 3);
    assert.equal(stepWhenResumed, 3, 'no step while paused');
    assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(result.reason, 'steps');

    const stopper = new TrainingControl();
    const t2 = new Trainer(model, corpus(), { ...base, control: stopper, onProgress: (p) => p.step === 2 && stopper.stop(), progressEvery: 1 });
    const r2 = await t2.run();
    assert.equal(r2.reason, 'stopped');
    assert.equal(r2.steps, 2);
    trainer.dispose();
    t2.dispose();
    model.dispose();
  });

  it('refuses to run without a stop condition', async () => {
    const model = newModel();
    const trainer = new Trainer(model, corpus(), base);
    await assert.rejects(trainer.run(), /stop condition/);
    trainer.dispose();
    model.dispose();
  });
});

describe('trainer windows', () => {
  before(useTestBackend);

  it('by default a Transformer trains on its whole context, a recurrent model on 64 tokens', () => {
    const long = { train: [{ name: 't', tokens: Array.from({ length: 600 }, (_, i) => i % 5) }], validation: [{ name: 'v', tokens: Array.from({ length: 300 }, (_, i) => i % 5) }] };
    for (const [arch, preset, window] of [['transformer', 'small', 128], ['transformer', 'nano', 64], ['lstm', 'small', 64]] as const) {
      const model = createModel(presetConfig(arch, preset, 5));
      const trainer = new Trainer(model, long, { maxSteps: 1 });
      assert.equal(trainer.seqLen, window, `${arch} ${preset}`);
      trainer.dispose();
      model.dispose();
    }
  });
});

describe('trainer with a real nano LSTM', () => {
  before(useTestBackend);

  it('trains a few steps: loss falls, memory is stable, gradient flow is measured', async () => {
    // Four files of the same kind of text: seeded random sentences over a small word list.
    const words = ['the', 'hidden', 'state', 'carries', 'memory', 'gradient', 'flows', 'back', 'through', 'time', 'gate', 'keeps', 'a', 'cell'];
    const rng = createRng(4);
    const sentence = () => Array.from({ length: 3 + rng.int(5) }, () => words[rng.int(words.length)]).join(' ') + '.\n';
    const files = Array.from({ length: 4 }, () => Array.from({ length: 25 }, sentence).join(''));
    const tokenizer = buildTokenizer('char', files);
    const split = splitCorpus(
      files.map((text, i) => ({ name: `lecture${i}.md`, tokens: tokenizer.encode(text) })),
      { validationFraction: 0.25, seed: 1 },
    );
    assert.equal(split.validation.length, 1);
    const model = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 3 }));
    const evals: EvalReport[] = [];
    const trainer = new Trainer(model, split, {
      batchSize: 8,
      seqLen: 32,
      maxSteps: 30,
      evalEvery: 15,
      evalWindows: 16,
      learningRate: { peak: 1e-2, warmupSteps: 5, decaySteps: 30 },
      onEval: (e) => evals.push(e),
    });
    const tensors = tf.memory().numTensors;
    trainer.trainStep();
    assert.equal(tf.memory().numTensors, tensors, 'a step leaves the tensor count unchanged');
    await trainer.run();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(evals.length, 2);
    assert.ok(evals[0].validationLoss < Math.log(tokenizer.vocabSize), `${evals[0].validationLoss}`);
    assert.ok(evals[1].validationLoss < evals[0].validationLoss);
    const flow = evals[1].gradientFlow!;
    assert.equal(flow.length, 32);
    assert.ok(flow.every((x) => Number.isFinite(x) && x >= 0));
    assert.ok(flow[31] > flow[0], 'the last step gets more gradient than the first');
    trainer.dispose();
    model.dispose();
  });
});

describe('keeping the best evaluated weights', () => {
  before(useTestBackend);

  it('restoreBest puts back the weights of the best evaluation when later training made validation worse', async () => {
    // Training text of one pattern, validation of another: after a first evaluation the model
    // learns the training text ever more surely and the validation text ever worse.
    const tokenizer = buildTokenizer('char', ['abcabc', 'acbacb']);
    const docs = (text: string, n: number) => Array.from({ length: n }, (_, i) => ({ name: `d${i}`, tokens: tokenizer.encode(text.repeat(40)) }));
    const model = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 5 }));
    const evals: EvalReport[] = [];
    const trainer = new Trainer(model, { train: docs('abc', 2), validation: docs('acb', 1) }, {
      batchSize: 8,
      seqLen: 16,
      maxSteps: 60,
      evalEvery: 10,
      learningRate: 1e-2,
      gradientFlowRows: 0,
      onEval: (e) => evals.push(e),
    });
    try {
      const before = tf.memory().numTensors;
      await trainer.run();
      const best = evals.reduce((a, b) => (b.validationLoss < a.validationLoss ? b : a));
      const last = evals[evals.length - 1];
      assert.ok(best.step < last.step && best.validationLoss < last.validationLoss - 0.1, `validation worsened: ${evals.map((e) => e.validationLoss.toFixed(3))}`);
      assert.ok(tf.memory().numTensors > before, 'a copy of the best weights is held');
      const kept = trainer.restoreBest();
      assert.equal(kept?.step, best.step);
      assert.equal(trainer.summary().training.lastEval?.step, best.step, 'the summary describes the weights kept');
      const again = await trainer.evaluate();
      assert.ok(Math.abs(again.loss - best.validationLoss) < 1e-5, `the restored weights score ${again.loss}, the best evaluation ${best.validationLoss}`);
      assert.equal(tf.memory().numTensors, before, 'the copy is freed once restored');
      assert.equal(trainer.restoreBest(), null, 'nothing to restore twice');
    } finally {
      trainer.dispose();
      model.dispose();
    }
  });

  it('restoreBest keeps the last weights when they are the best', async () => {
    const tokenizer = buildTokenizer('char', ['abcabc']);
    const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `d${i}`, tokens: tokenizer.encode('abc'.repeat(40)) }));
    const model = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 5 }));
    const trainer = new Trainer(model, { train: docs(2), validation: docs(1) }, { batchSize: 8, seqLen: 16, maxSteps: 30, evalEvery: 10, learningRate: 1e-2, gradientFlowRows: 0 });
    try {
      const tensors = tf.memory().numTensors;
      const result = await trainer.run();
      assert.equal(tf.memory().numTensors, tensors, 'no copy held when the last evaluation is the best');
      assert.equal(trainer.restoreBest(), null);
      assert.equal(trainer.summary().training.lastEval?.step, result.steps);
    } finally {
      trainer.dispose();
      model.dispose();
    }
  });
});

describe('metrics', () => {
  it('counts the characters each token decodes to, bytes of a split character once', () => {
    const words = buildTokenizer('word', ['const x = y; const z = é;\n'.repeat(20)]);
    const table = charsPerTokenOf(words);
    for (const text of ['const x = y;\n', 'é😀 const', 'zz']) {
      const ids = words.encode(text);
      const counted = ids.reduce((s, id) => s + table[id], 0);
      assert.equal(counted, [...text].length, JSON.stringify(text));
    }
    const chars = buildTokenizer('char', ['abc']);
    assert.deepEqual(Array.from(charsPerTokenOf(chars)), new Array(chars.vocabSize).fill(1));
  });
});
