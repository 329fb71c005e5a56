// Where one training step's time goes on wasm: the median of 8 steps of the reference config
// (preset small, batch 32 x 64, Adam, clipping), then tf.profile of one more, kernels by total
// time, and the step's matrix-product FLOPs against its time. A one-off, not part of `npm run bench`:
//
//   node scripts/build.mjs && node out/bench/profileStep.js [lstm|gru|rnn|transformer] [BATCH]
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/core/backend/backend';
import { ARCHS, createModel, type Arch } from '../src/core/models';
import { presetConfig } from '../src/core/models/presets';
import { Trainer } from '../src/core/training/trainer';
import { nodeWasmPaths } from '../src/node/wasmPaths';

const SEQ_LEN = 64;
const VOCAB = 96;

/** FLOPs of a kernel's matrix product, from its input shapes ([..., M, K] x [..., K, N]). */
function matMulFlops([a, b]: number[][]): number {
  if (!a || !b || a.length < 2 || b.length < 2) return 0;
  const batch = a.slice(0, -2).reduce((p, d) => p * d, 1);
  const [a0, a1] = a.slice(-2);
  const [b0, b1] = b.slice(-2);
  // K, the dimension both share, is a's last unless a comes transposed; a0·a1·b0·b1 = M·K·K·N.
  const k = a1 === b0 || a1 === b1 ? a1 : a0;
  return (2 * batch * a0 * a1 * b0 * b1) / k;
}

async function main(): Promise<void> {
  const arch = (process.argv[2] ?? 'lstm') as Arch;
  if (!ARCHS.includes(arch)) throw new Error(`architecture must be one of ${ARCHS.join(', ')}`);
  const BATCH = Number(process.argv[3] ?? 32);
  if (!Number.isInteger(BATCH) || BATCH < 1) throw new Error('the batch must be a positive integer');
  await useBackend('wasm', { wasmPaths: nodeWasmPaths() });
  const model = createModel(presetConfig(arch, 'small', VOCAB, { seed: 1 }));
  const tokens = Int32Array.from({ length: 200_000 }, (_, i) => (i * 7919 + (i >> 3)) % VOCAB);
  const docs = [{ name: 'synthetic', tokens }];
  const trainer = new Trainer(model, { train: docs, validation: docs }, {
    batchSize: BATCH, seqLen: SEQ_LEN, optimizer: { kind: 'adam' }, learningRate: 1e-3, clipNorm: 1, seed: 1, gradientFlowRows: 0, evalWindows: 1,
  });
  for (let i = 0; i < 3; i++) trainer.trainStep();
  const times: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    trainer.trainStep();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const step = (times[3] + times[4]) / 2;
  const profile = await tf.profile(() => void trainer.trainStep());
  const byName = new Map<string, { calls: number; ms: number }>();
  let flops = 0;
  for (const k of profile.kernels) {
    const entry = byName.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += Number(k.kernelTimeMs) || 0;
    byName.set(k.name, entry);
    if (/MatMul/.test(k.name) && !/__op$/.test(k.name)) flops += matMulFlops(k.inputShapes as number[][]);
  }
  console.log(`${arch} small, batch ${BATCH} x ${SEQ_LEN}: median step ${step.toFixed(0)} ms, ${((BATCH * SEQ_LEN) / step * 1000).toFixed(0)} tokens/s`);
  console.log(`matrix products: ${(flops / 1e9).toFixed(2)} GFLOP a step, ${(flops / 1e6 / step).toFixed(1)} GFLOP/s over the whole step`);
  console.log('kernels by time in the profiled step (nested ops count in their parent too; profiling adds overhead):');
  for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
    console.log(`  ${name.padEnd(24)} ${String(e.calls).padStart(5)} calls ${e.ms.toFixed(1).padStart(8)} ms`);
  }
  model.dispose();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
