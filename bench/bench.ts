// `npm run bench` (after `node scripts/build.mjs`): training throughput against stock tf.layers
// models, the long-range dependency task, and held-out bits/char against the n-gram baseline.
//
// stdout: the report as markdown tables (progress goes to stderr); with --json, the last line of
// stdout is one JSON object {training, longRange, heldOut, machine, run}. The report and the JSON
// are also written to bench/results/<date>-<machine>.{md,json} (not for --quick unless --save).
//
// Adding a section (e.g. `completion`, `quality`): write bench/<name>.ts returning rows, add a
// `Section` to SECTION_RUNNERS below and its name to args.ts SECTIONS; its rows land under
// results[<name>] in the JSON and its markdown in the report.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../src/cli/args';
import { parseBenchArgs, USAGE, type BenchArgs, type SectionName } from './args';
import { renderCompletion, renderQuality, runCompletionLatency, runQuality } from './completion';
import { loadSourceFiles, type SourceFile } from './corpus';
import { runHeldOut } from './heldOut';
import { runLongRange } from './longRange';
import { currentLoad, machineInfo, type MachineInfo } from './machine';
import { repoRoot } from './paths';
import { renderHeldOut, renderLongRange, renderMachine, renderTraining } from './report';
import { log, now, roundFloat } from './stats';
import { runTrainingThroughput } from './trainingThroughput';
import { renderWebviewTraining, runWebviewTraining } from './webviewTraining';
import { renderGpuTraining, runGpuTraining } from './gpuTraining';

interface BenchContext {
  readonly args: BenchArgs;
  readonly files: readonly SourceFile[];
}

interface SectionResult {
  /** Rows under results[section] in the JSON. */
  readonly rows: unknown[];
  /** Instead of rows: one object under results[section] (e.g. `completion`). */
  readonly value?: unknown;
  /** Extra facts for results.run (e.g. the held-out corpus). */
  readonly meta?: Record<string, unknown>;
  readonly markdown: string;
}

interface Section {
  readonly name: SectionName;
  readonly title: string;
  run(ctx: BenchContext): Promise<SectionResult>;
}

const SECTION_RUNNERS: readonly Section[] = [
  {
    name: 'training',
    title: 'Training throughput (tokens/s, higher is better)',
    async run({ args, files }) {
      const rows = await runTrainingThroughput(files, {
        backends: args.backends,
        archs: args.archs,
        steps: args.steps,
        warmup: args.warmup,
        workers: args.workers,
      });
      return { rows, markdown: renderTraining(rows) };
    },
  },
  {
    name: 'longRange',
    title: 'Long-range dependency: recall a symbol after `lag` distractors',
    async run({ args }) {
      const archs = (['rnn', 'lstm'] as const).filter((a) => args.archs.includes(a));
      const rows = await runLongRange({
        lags: args.lags,
        steps: args.longRangeSteps,
        archs: archs.length ? archs : ['rnn', 'lstm'],
      });
      return { rows, markdown: renderLongRange(rows) };
    },
  },
  {
    name: 'heldOut',
    title: 'Held-out bits per character (lower is better) vs the n-gram baseline',
    async run({ args, files }) {
      const { rows, corpus } = await runHeldOut(files, { archs: args.archs, seconds: args.seconds, preset: args.preset });
      return { rows, meta: { heldOutCorpus: corpus }, markdown: renderHeldOut(rows, corpus) };
    },
  },
  {
    name: 'completion',
    title: 'Inline completions: latency and memory of the provider with the shipped model',
    async run({ args, files }) {
      const value = await runCompletionLatency(repoRoot(), files, { typedChars: args.typedChars, coldSamples: args.coldSamples });
      return { rows: [], value, markdown: renderCompletion(value) };
    },
  },
  {
    name: 'quality',
    title: 'Completion quality on held-out files: bits/char and keystroke savings vs the n-gram',
    async run({ args, files }) {
      const { rows, meta } = await runQuality(repoRoot(), files, {
        archs: args.archs,
        seconds: args.seconds,
        preset: args.preset,
        qualityChars: args.qualityChars,
      });
      return { rows, meta, markdown: renderQuality(rows) };
    },
  },
  {
    name: 'webviewTraining',
    title: 'Training in the trainer webview (headless Chromium) vs Node, same config',
    async run({ args, files }) {
      const value = await runWebviewTraining(files, {
        arch: 'lstm',
        preset: 'small',
        steps: args.quick ? 10 : 30,
        webglSteps: args.quick ? 5 : 10,
        onlyAuto: !args.webgl,
        tokenizeChars: args.quick ? 2_000_000 : 20_000_000,
      });
      return { rows: [], value, markdown: renderWebviewTraining(value) };
    },
  },
  {
    name: 'gpuTraining',
    title: 'Training on a hardware GPU (WebGPU in headless Chromium) next to wasm',
    async run({ args, files }) {
      const archs = (['lstm', 'transformer'] as const).filter((a) => args.archs.includes(a));
      const value = await runGpuTraining(files, { steps: args.quick ? 10 : 30, archs, presets: ['small', 'medium'] });
      return { rows: [], value, markdown: renderGpuTraining(value) };
    },
  },
];

export interface BenchResults {
  training?: unknown[];
  longRange?: unknown[];
  heldOut?: unknown[];
  [section: string]: unknown;
  machine: MachineInfo;
  run: Record<string, unknown>;
}

function resultFileStem(m: MachineInfo): string {
  const d = new Date(m.date);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
  return `${stamp}-${m.slug}`;
}

/** JSON replacer: floats to 5 significant digits (timings and ratios carry no more). */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' ? roundFloat(value) : value;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseBenchArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const root = repoRoot();
  const files = loadSourceFiles(path.join(root, 'sample-workspace'));
  const machine = machineInfo();
  const started = now();
  const sectionSeconds: Record<string, number> = {};
  const loadAverages: Record<string, number> = {};
  const run: Record<string, unknown> = { command, sections: args.sections, sectionSeconds, loadAverages };
  const sectionRows: Record<string, unknown> = {};
  const markdown: string[] = [];

  for (const section of SECTION_RUNNERS) {
    if (!args.sections.includes(section.name)) continue;
    const t0 = now();
    const out = await section.run({ args, files });
    sectionSeconds[section.name] = Math.round((now() - t0) / 100) / 10;
    loadAverages[section.name] = currentLoad();
    sectionRows[section.name] = out.value ?? out.rows;
    Object.assign(run, out.meta ?? {});
    const text = `## ${section.title}\n\n${out.markdown}\n`;
    markdown.push(text);
    console.log(`\n${text}`);
  }

  machine.loadAverageEnd = currentLoad();
  run.totalSeconds = Math.round((now() - started) / 100) / 10;
  const results: BenchResults = { ...sectionRows, machine, run };
  const facts = `${renderMachine(machine, command)}\n- time: ${run.totalSeconds} s in all (${Object.entries(sectionSeconds)
    .map(([k, v]) => `${k} ${v} s`)
    .join(', ')})`;
  const header = `# Sequence Lab benchmark, ${machine.date.slice(0, 10)}, ${machine.cpuModel} (${machine.cores} cores)\n\n${facts}\n`;
  console.log(`\n${facts}`);

  if (args.save) {
    const dir = path.join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const stem = resultFileStem(machine) + (args.quick ? '-quick' : '');
    writeFileSync(path.join(dir, `${stem}.md`), `${header}\n${markdown.join('\n')}`);
    writeFileSync(path.join(dir, `${stem}.json`), `${JSON.stringify(results, jsonNumbers, 2)}\n`);
    log(`results written to bench/results/${stem}.{md,json}`);
  }
  if (args.json) console.log(JSON.stringify(results, jsonNumbers));
}

main().catch((e) => {
  if (e instanceof UsageError) {
    process.stderr.write(`npm run bench: ${e.message}\nRun "npm run bench -- --help" for usage.\n`);
    process.exit(2);
  }
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
