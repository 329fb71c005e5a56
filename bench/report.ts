// Markdown rendering of the benchmark results: the same text goes to stdout and to
// bench/results/<date>-<machine>.md.
import type { HeldOutCorpus, HeldOutRow } from './heldOut';
import type { LongRangeRow } from './longRange';
import type { MachineInfo } from './machine';
import { fmt, fmtInt, fmtSci } from './stats';
import type { TrainingRow } from './trainingThroughput';

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], rightAlignFrom = 1): string {
  const align = headers.map((_, i) => (i >= rightAlignFrom ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(align), ...rows.map(line)].join('\n');
}

/** Throughput targets on the reference 2-core machine, wasm (docs: tfjs-and-onnx-facts.md). */
const TARGETS: Record<string, number> = { 'lstm/wasm': 6000, 'transformer/wasm': 5000 };

export function renderMachine(m: MachineInfo, command: string): string {
  return [
    `- command: \`${command}\``,
    `- date: ${m.date}`,
    `- CPU: ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB; ${m.platform}/${m.arch}`,
    `- Node ${m.node}, tfjs ${m.tfjs}, tfjs-backend-wasm ${m.tfjsBackendWasm}`,
    `- 1-minute load average: ${m.loadAverageStart} at start, ${m.loadAverageEnd ?? '-'} at end (the benchmark itself adds about 1)` +
      (Math.max(m.loadAverageStart, (m.loadAverageEnd ?? 1) - 1) > m.cores / 2
        ? '; the machine was shared with other work: absolute figures are low and noisy, the interleaved ratios hold better'
        : ''),
  ].join('\n');
}

export function renderTraining(rows: readonly TrainingRow[]): string {
  const table = markdownTable(
    ['arch', 'backend', 'ours tok/s', 'stock tok/s', 'ours / stock', 'data parallel tok/s', 'parallel / ours', 'parallel / stock', 'ours ms/step', 'stock ms/step', 'steps', 'target', 'parameters ours / stock'],
    rows.map((r) => {
      const target = TARGETS[`${r.arch}/${r.backend}`];
      return [
        r.arch,
        r.backend,
        fmtInt(r.tokensPerSecond),
        fmtInt(r.stockTokensPerSecond),
        Number.isFinite(r.ratio) ? `${fmt(r.ratio)}x` : '-',
        r.workers ? `${fmtInt(r.parallelTokensPerSecond)} (1+${r.workers} threads)` : '-',
        r.workers && Number.isFinite(r.parallelSpeedup) ? `${fmt(r.parallelSpeedup)}x` : '-',
        r.workers && Number.isFinite(r.parallelRatio) ? `${fmt(r.parallelRatio)}x` : '-',
        fmt(r.msPerStep, 0),
        fmt(r.stockMsPerStep, 0),
        `${r.warmupSteps}+${r.measuredSteps}`,
        target ? `≥ ${fmtInt(target)}${r.tokensPerSecond >= target ? ' ✓' : ''}` : '',
        r.config ? `${fmtInt(r.config.parameters)} / ${fmtInt(r.config.stockParameters)}` : '-',
      ];
    }),
    2,
  );
  const first = rows.find((r) => r.config)?.config;
  const notes = [
    first
      ? `Reference config (preset small): vocab ${first.vocabSize}, batch ${first.batchSize} x seq ${first.seqLen} = ${first.tokensPerStep} tokens a step, ` +
        `Adam ${first.learningRate}; recurrent: embedding 64, one layer of 256 units; Transformer: 2 layers, d_model 128, 4 heads, FFN 512.`
      : '',
    'Ours: core `Trainer.trainStep` (batch sampling, forward, cross-entropy, gradients, global-norm clip at 1, Adam). ' +
      'Stock: tf.layers model, `compile(adam)` + `trainOnBatch` with softmax + categorical cross-entropy on the same batches ' +
      '(wasm: one-hot input, as tf.layers.embedding cannot train on wasm; cpu: tf.layers.embedding). On wasm both run with the transposed-matMul fix (`useBackend`).',
    'Data parallel: the same Trainer with its batch rows shared between the main thread and gradient worker threads (each its own wasm backend), gradients combined, one Adam; same global batch.',
    'Steps: warm-up + measured, interleaved ours/stock/parallel in rotation; figures are medians. The cpu warm-up runs on batches of 2 (a full cpu step takes 3-30 s).',
  ].filter(Boolean);
  const errors = rows.filter((r) => r.error).map((r) => `- ${r.arch}/${r.backend}: ${r.error}`);
  return [table, '', ...notes, ...(errors.length ? ['', 'Errors:', ...errors] : [])].join('\n');
}

export function renderLongRange(rows: readonly LongRangeRow[]): string {
  const archs = [...new Set(rows.map((r) => r.arch))];
  const lags = [...new Set(rows.map((r) => r.lag))];
  const get = (lag: number, arch: string) => rows.find((r) => r.lag === lag && r.arch === arch);
  const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : `${(v * 100).toFixed(1)}%`);
  const headers = [
    'lag',
    ...archs.map((a) => `${a} accuracy`),
    ...archs.map((a) => `${a} ‖∂L/∂h₀‖/‖∂L/∂h_T‖ at init`),
    ...archs.map((a) => `${a} ratio after`),
    ...archs.map((a) => `${a} train s`),
  ];
  const table = markdownTable(
    headers,
    lags.map((lag) => [
      String(lag),
      ...archs.map((a) => pct(get(lag, a)?.accuracy)),
      ...archs.map((a) => fmtSci(get(lag, a)?.gradientRatioAtInit ?? NaN)),
      ...archs.map((a) => fmtSci(get(lag, a)?.gradientRatioAfter ?? NaN)),
      ...archs.map((a) => fmt(get(lag, a)?.trainSeconds ?? NaN, 1)),
    ]),
  );
  const r = rows[0];
  const notes = r
    ? [
        `Task: a key (1 of ${Math.round(1 / r.chance)}), \`lag\` distractors, a query marker; the model must output the key after the query ` +
          `(chance ${pct(r.chance)}). Loss on that position only. Nano presets (embedding 32, 64 units, RNN tanh, LSTM forget bias 1), ` +
          `${r.steps} Adam steps of ${r.batchSize} sequences at ${r.learningRate}, clip 1, on ${r.backend}; accuracy on 512 fresh sequences.`,
        'Gradient ratio: ‖∂L/∂h_t‖ of the recall loss at t = 0 (the step that read the key) over t = T (the query step), ' +
          'mean over 64 sequences; 0 means it underflowed float32.',
      ]
    : [];
  return [table, '', ...notes].join('\n');
}

export function renderHeldOut(rows: readonly HeldOutRow[], corpus: HeldOutCorpus): string {
  const ngram = rows.find((r) => r.model === 'ngram');
  const table = markdownTable(
    ['model', 'held-out bits/char', 'vs n-gram', 'train s', 'steps', 'tokens seen', 'parameters'],
    rows.map((r) => [
      r.model === 'ngram' ? `n-gram (order ${String(r.config.order)}, Kneser-Ney)` : `${r.model} (${r.preset})`,
      fmt(r.bitsPerChar, 3),
      r.model === 'ngram' || !ngram ? '' : `${r.bitsPerChar - ngram.bitsPerChar >= 0 ? '+' : ''}${fmt(r.bitsPerChar - ngram.bitsPerChar, 3)}`,
      fmt(r.trainSeconds, 1),
      r.steps === null ? '' : fmtInt(r.steps),
      r.tokensSeen === null ? '' : fmtInt(r.tokensSeen),
      r.parameters === null ? '' : fmtInt(r.parameters),
    ]),
  );
  const notes = [
    `Corpus: sample-workspace .js/.ts, split by file: ${corpus.trainFiles} training files (${fmtInt(corpus.trainChars)} characters), ` +
      `${corpus.heldOutFiles} held-out files (${fmtInt(corpus.heldOutChars)} characters); char tokenizer built on the training files (vocab ${corpus.vocabSize}).`,
    'Neural models: core `Trainer.run` for the same wall time, Adam peak 3e-3 (20 warm-up steps, then constant), clip 1, batch 32 x 64; ' +
      'scored on every held-out window of 64 characters (each starts from the initial state).',
  ];
  const errors = rows.filter((r) => r.error).map((r) => `- ${r.model}: ${r.error}`);
  return [table, '', ...notes, ...(errors.length ? ['', 'Errors:', ...errors] : [])].join('\n');
}
