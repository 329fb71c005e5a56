import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createModel, presetConfig, type Arch, type SequenceModel } from '../../src/core/models';
import { splitBatchRows } from '../../src/core/training/dataParallel';
import { TokenStream, type Document } from '../../src/core/training/tokenStream';
import { Trainer, type TrainerOptions } from '../../src/core/training/trainer';
import { createRng } from '../../src/core/random';
import { startGradientWorkers } from '../../src/node/gradientWorkers';
import { assertNoLeak, testBackend, useTestBackend } from './tfSetup';

const V = 12;

/** Files of different lengths, so some windows are padded (a shard's share of targets differs). */
function corpus(): { train: Document[]; validation: Document[] } {
  const doc = (name: string, n: number, mul: number): Document => ({
    name,
    tokens: Array.from({ length: n }, (_, i) => (i * mul + (i >> 3)) % V),
  });
  return { train: [doc('a', 200, 5), doc('b', 13, 7), doc('c', 90, 3)], validation: [doc('v', 40, 5)] };
}

function weightsOf(model: SequenceModel): Map<string, Float32Array> {
  return new Map([...model.weights].map(([name, v]) => [name, v.dataSync() as Float32Array]));
}

function maxDifference(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let worst = 0;
  for (const [name, x] of a) {
    const y = b.get(name)!;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  }
  return worst;
}

const options: TrainerOptions = { batchSize: 7, seqLen: 16, seed: 3, learningRate: { peak: 1e-2, warmupSteps: 2 }, gradientFlowRows: 0 };

/** Weights after `steps` updates with `workers` extra gradient workers (0: the plain trainStep). */
async function trainWith(arch: Arch, workers: number, steps: number, batchSize = options.batchSize): Promise<Map<string, Float32Array>> {
  const config = presetConfig(arch, 'nano', V, { seed: 11 });
  const model = createModel(config);
  const gradientWorkers = workers > 0 ? await startGradientWorkers(workers, config, testBackend) : [];
  const trainer = new Trainer(model, corpus(), { ...options, batchSize, gradientWorkers });
  try {
    for (let s = 0; s < steps; s++) {
      if (workers > 0) await trainer.trainStepParallel();
      else trainer.trainStep();
    }
    return weightsOf(model);
  } finally {
    trainer.dispose();
    model.dispose();
    for (const w of gradientWorkers) w.dispose();
  }
}

describe('data-parallel training (worker_threads)', function () {
  this.timeout(120000);
  before(useTestBackend);

  it('splits a batch into row shards that together are the batch', () => {
    const stream = new TokenStream(corpus().train, 16);
    const batch = stream.sampleBatch(createRng(1), 7);
    const shards = splitBatchRows(batch, 3);
    assert.deepEqual(shards.map((s) => s.batchSize), [3, 2, 2]);
    assert.equal(shards.reduce((s, b) => s + b.targetCount, 0), batch.targetCount);
    assert.deepEqual(Array.from(shards.flatMap((s) => Array.from(s.inputs))), Array.from(batch.inputs));
    assert.deepEqual(Array.from(shards.flatMap((s) => Array.from(s.weights))), Array.from(batch.weights));
    assert.equal(splitBatchRows(batch, 20).length, 7, 'never an empty shard');
  });

  for (const arch of ['lstm', 'transformer'] as const) {
    it(`${arch}: 1 and 2 gradient workers give the weights of one trainer on the same global batch`, async () => {
      const steps = 4;
      const single = await assertNoLeak(() => trainWith(arch, 0, steps));
      const two = await assertNoLeak(() => trainWith(arch, 1, steps));
      const three = await assertNoLeak(() => trainWith(arch, 2, steps));
      assert.ok(maxDifference(single, two) < 2e-5, `2 shards differ by ${maxDifference(single, two)}`);
      assert.ok(maxDifference(single, three) < 2e-5, `3 shards differ by ${maxDifference(single, three)}`);
      // The comparison can tell training runs apart: a smaller batch moves the weights elsewhere.
      const other = await trainWith(arch, 0, steps, 6);
      assert.ok(maxDifference(single, other) > 1e-4, 'a different batch must give different weights');
    });
  }

  it('trains through run() with workers and reports the same losses as without', async () => {
    const config = presetConfig('rnn', 'nano', V, { seed: 2 });
    const losses = async (workers: number) => {
      const model = createModel(config);
      const gradientWorkers = workers ? await startGradientWorkers(workers, config, testBackend) : [];
      const seen: number[] = [];
      const trainer = new Trainer(model, corpus(), { ...options, maxSteps: 6, evalEvery: 3, progressEvery: 1, gradientWorkers, onProgress: (p) => seen.push(p.loss) });
      const result = await trainer.run();
      trainer.dispose();
      model.dispose();
      for (const w of gradientWorkers) w.dispose();
      assert.equal(result.steps, 6);
      return seen;
    };
    const before = tf.memory().numTensors;
    const a = await losses(0);
    const b = await losses(1);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(b.length, 6);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `step ${i + 1}: ${a[i]} vs ${b[i]}`);
  });
});
