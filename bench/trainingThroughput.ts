// Training throughput: tokens per second of a full training step (forward, cross-entropy,
// gradients of every weight, Adam update), ours against a stock tf.layers model of the same size
// (stockModels.ts), on each backend.
//
// Ours runs through the core Trainer.trainStep: batch sampling, forward, cross-entropy, gradients,
// global-norm clipping (at 1) and Adam, exactly what the extension runs. The stock model runs
// model.trainOnBatch on the same batches (drawn from an identical TokenStream and seed), one-hot
// encoded in JS-free tf ops. Steps are interleaved — ours, stock, stock, ours, ... — so that a
// neighbour's load hits both alike; the figure is the median step time after warm-up.
//
// Data parallel (wasm): the same Trainer with `workers` gradient worker threads besides the main
// thread (core/training/dataParallel.ts, src/node/gradientWorkers.ts), measured in the same
// rotation, so single-worker, data-parallel and stock figures come from one run side by side.
//
// Timing: the wasm and cpu backends run every kernel synchronously on the calling thread, so the
// time until trainStep returns is the whole step's work. (The stock step additionally reads its
// loss back, which costs nothing measurable on these backends.)
import { useBackend, type BackendName } from '../src/core/backend/backend';
import { createModel, presetConfig, type Arch, type ModelConfig } from '../src/core/models';
import { CharTokenizer } from '../src/core/tokenizers';
import { Trainer } from '../src/core/training/trainer';
import { TokenStream, type Document } from '../src/core/training/tokenStream';
import { createRng } from '../src/core/random';
import { coreCount, startGradientWorkers } from '../src/node/gradientWorkers';
import { nodeWasmPaths } from '../src/node/wasmPaths';
import type { GradientWorker } from '../src/core/training/dataParallel';
import type { SourceFile } from './corpus';
import { createStockModel, type StockInput } from './stockModels';
import { log, median, now } from './stats';

export interface TrainingConfig {
  readonly preset: 'small';
  readonly vocabSize: number;
  readonly batchSize: number;
  readonly seqLen: number;
  readonly tokensPerStep: number;
  readonly optimizer: 'adam';
  readonly learningRate: number;
  /** Ours only: global-norm clipping threshold (stock: none). */
  readonly clipNorm: number;
  /** Ours: learned embedding with its own gradient; stock: see stockInput. */
  readonly input: string;
  readonly stockInput: StockInput;
  readonly parameters: number;
  readonly stockParameters: number;
  /** Ours: the model config. */
  readonly model: ModelConfig;
}

export interface TrainingRow {
  readonly arch: Arch;
  readonly backend: BackendName;
  readonly config: TrainingConfig | null;
  /** Median tokens/s (tokensPerStep / median step time). */
  readonly tokensPerSecond: number;
  readonly stockTokensPerSecond: number;
  /** tokensPerSecond / stockTokensPerSecond. */
  readonly ratio: number;
  readonly msPerStep: number;
  readonly stockMsPerStep: number;
  readonly warmupSteps: number;
  /** Batch size of the warm-up steps (cpu: 2, see measureOne). */
  readonly warmupBatchSize: number;
  readonly measuredSteps: number;
  /** Every measured step's milliseconds, in order. */
  readonly stepMs: number[];
  readonly stockStepMs: number[];
  /** Data parallel: gradient worker threads besides the main thread (0: not measured). */
  readonly workers: number;
  readonly parallelTokensPerSecond: number;
  readonly parallelMsPerStep: number;
  readonly parallelStepMs: number[];
  /** parallelTokensPerSecond / tokensPerSecond, and / stockTokensPerSecond. */
  readonly parallelSpeedup: number;
  readonly parallelRatio: number;
  /** Set when a side failed; its numbers are then NaN. */
  readonly error?: string;
}

export interface TrainingOptions {
  readonly backends: readonly BackendName[];
  readonly archs: readonly Arch[];
  /** Measured steps per backend. */
  readonly steps: Readonly<Record<string, number>>;
  readonly warmup: Readonly<Record<string, number>>;
  readonly batchSize?: number;
  readonly seqLen?: number;
  readonly learningRate?: number;
  /** Gradient worker threads of the data-parallel run on wasm; default cores − 1 (0: none). */
  readonly workers?: number;
}

const VOCAB = 96;

export async function runTrainingThroughput(files: readonly SourceFile[], options: TrainingOptions): Promise<TrainingRow[]> {
  const B = options.batchSize ?? 32;
  const T = options.seqLen ?? 64;
  const lr = options.learningRate ?? 1e-3;
  const tokenizer = CharTokenizer.build(files.map((f) => f.text), { maxVocab: VOCAB });
  // Only files long enough for a full window, so every step trains on exactly B·T tokens.
  const docs: Document[] = files
    .map((f) => ({ name: f.name, tokens: Int32Array.from(tokenizer.encode(f.text)) }))
    .filter((d) => d.tokens.length > T + 1);
  const rows: TrainingRow[] = [];

  for (const backend of options.backends) {
    await useBackend(backend, { wasmPaths: nodeWasmPaths() });
    for (const arch of options.archs) {
      log(`training throughput: ${arch} on ${backend}`);
      rows.push(
        await measureOne(arch, backend, docs, tokenizer.vocabSize, {
          B,
          T,
          lr,
          steps: options.steps[backend] ?? 10,
          warmup: options.warmup[backend] ?? 2,
          workers: backend === 'wasm' ? (options.workers ?? coreCount() - 1) : 0,
        }),
      );
      const last = rows[rows.length - 1];
      log(
        `  ours ${Math.round(last.tokensPerSecond)} tok/s, stock ${Math.round(last.stockTokensPerSecond)} tok/s` +
          (last.workers ? `, data parallel (1+${last.workers} threads) ${Math.round(last.parallelTokensPerSecond)} tok/s` : '') +
          (last.error ? ` (error: ${last.error})` : ''),
      );
    }
  }
  return rows;
}

async function measureOne(
  arch: Arch,
  backend: BackendName,
  docs: Document[],
  vocabSize: number,
  o: { B: number; T: number; lr: number; steps: number; warmup: number; workers: number },
): Promise<TrainingRow> {
  const tokensPerStep = o.B * o.T;
  const stockInput: StockInput = backend === 'wasm' ? 'onehot' : 'embedding';
  const config = presetConfig(arch, 'small', vocabSize);
  const stepMs: number[] = [];
  const stockStepMs: number[] = [];
  const parallelStepMs: number[] = [];
  let parallelTrainer: Trainer | null = null;
  let parallelModel: ReturnType<typeof createModel> | null = null;
  let workers: GradientWorker[] = [];
  let error: string | undefined;
  let trainer: Trainer | null = null;
  let model: ReturnType<typeof createModel> | null = null;
  let stock: ReturnType<typeof createStockModel> | null = null;
  let parameters = NaN;
  let stockParameters = NaN;
  try {
    model = createModel(config);
    parameters = [...model.weights.values()].reduce((s, w) => s + w.size, 0);
    const trainerOptions = {
      batchSize: o.B,
      seqLen: o.T,
      optimizer: { kind: 'adam' } as const,
      learningRate: o.lr,
      clipNorm: 1,
      seed: 1,
      gradientFlowRows: 0,
      evalWindows: 1,
    };
    trainer = new Trainer(model, { train: docs, validation: docs.slice(0, 1) }, trainerOptions);
    if (o.workers > 0) {
      workers = await startGradientWorkers(o.workers, config, backend);
      parallelModel = createModel(config);
      parallelTrainer = new Trainer(parallelModel, { train: docs, validation: docs.slice(0, 1) }, { ...trainerOptions, gradientWorkers: workers });
    }
    const r = config.arch === 'transformer' ? config : null;
    const rec = config.arch !== 'transformer' ? config : null;
    stock = createStockModel(
      arch,
      {
        vocabSize,
        seqLen: o.T,
        embeddingSize: rec?.embeddingSize ?? r!.modelSize,
        hiddenSize: rec?.hiddenSize ?? 0,
        modelSize: r?.modelSize ?? 0,
        heads: r?.heads ?? 0,
        layers: rec?.layers ?? r!.layers,
        ffnSize: r?.ffnSize ?? 0,
      },
      stockInput,
      o.lr,
    );
    stockParameters = stock.parameters;
    // The stock model draws its batches from its own stream with the same seed: same windows.
    const stream = new TokenStream(docs, o.T);
    const rng = createRng(1);
    const ourTrainer = trainer;
    const stockModel = stock;
    const ours = () => {
      const t0 = now();
      ourTrainer.trainStep();
      return now() - t0;
    };
    const parallelRun = parallelTrainer;
    const parallel = async () => {
      const t0 = now();
      await parallelRun!.trainStepParallel();
      return now() - t0;
    };
    const theirs = async () => {
      const t0 = now();
      const batch = stream.sampleBatch(rng, o.B);
      await stockModel.trainStep(batch.inputs, batch.targets, o.B);
      return now() - t0;
    };
    // Warm-up. On cpu a full step takes 5-30 s and there is nothing to compile or allocate
    // ahead (kernels are plain JS; the first step's cost is the JIT and tf.layers building its
    // training function), so the cpu warm-up runs the same code on batches of 2.
    const warmBatch = backend === 'cpu' ? 2 : o.B;
    const warmTrainer =
      warmBatch === o.B
        ? ourTrainer
        : new Trainer(model, { train: docs, validation: docs.slice(0, 1) }, { ...trainerOptions, batchSize: warmBatch });
    const warmRng = createRng(2);
    try {
      for (let i = 0; i < o.warmup; i++) {
        warmTrainer.trainStep();
        const batch = stream.sampleBatch(warmRng, warmBatch);
        await stockModel.trainStep(batch.inputs, batch.targets, warmBatch);
        if (parallelRun) await parallel();
      }
    } finally {
      if (warmTrainer !== ourTrainer) warmTrainer.dispose();
    }
    // Rotated order, so no side always runs right after another.
    const sides: Array<() => Promise<void>> = [
      async () => void stepMs.push(ours()),
      async () => void stockStepMs.push(await theirs()),
      ...(parallelRun ? [async () => void parallelStepMs.push(await parallel())] : []),
    ];
    for (let i = 0; i < o.steps; i++) {
      for (let k = 0; k < sides.length; k++) await sides[(i + k) % sides.length]();
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    trainer?.dispose();
    model?.dispose();
    stock?.dispose();
    parallelTrainer?.dispose();
    parallelModel?.dispose();
    for (const w of workers) w.dispose();
  }
  const parallelMs = median(parallelStepMs);
  const parallelTps = o.workers > 0 && parallelStepMs.length === o.steps ? (tokensPerStep * 1000) / parallelMs : NaN;
  const ms = median(stepMs);
  const stockMs = median(stockStepMs);
  const tps = stepMs.length === o.steps ? (tokensPerStep * 1000) / ms : NaN;
  const stockTps = stockStepMs.length === o.steps ? (tokensPerStep * 1000) / stockMs : NaN;
  return {
    arch,
    backend,
    config: {
      preset: 'small',
      vocabSize,
      batchSize: o.B,
      seqLen: o.T,
      tokensPerStep,
      optimizer: 'adam',
      learningRate: o.lr,
      clipNorm: 1,
      input: config.input,
      stockInput,
      parameters,
      stockParameters,
      model: config,
    },
    tokensPerSecond: tps,
    stockTokensPerSecond: stockTps,
    ratio: tps / stockTps,
    msPerStep: ms,
    stockMsPerStep: stockMs,
    warmupSteps: o.warmup,
    warmupBatchSize: backend === 'cpu' ? 2 : o.B,
    measuredSteps: o.steps,
    stepMs,
    stockStepMs,
    workers: o.workers,
    parallelTokensPerSecond: parallelTps,
    parallelMsPerStep: parallelMs,
    parallelStepMs,
    parallelSpeedup: parallelTps / tps,
    parallelRatio: parallelTps / stockTps,
    ...(error ? { error } : {}),
  };
}
