// Command-line flags of `npm run bench -- [flags]`, declared for the CLI's argument layer, which
// parses them and writes --help from the declarations.
import type { BackendName } from '../src/core/backend/backend';
import { commandHelp, Options, parseArgs, type CommandSpec } from '../src/cli/args';
import { ARCHS, type Arch } from '../src/core/models';

export const SECTIONS = ['training', 'longRange', 'heldOut', 'completion', 'quality', 'webviewTraining', 'gpuTraining'] as const;
export type SectionName = (typeof SECTIONS)[number];

const BACKENDS: readonly BackendName[] = ['wasm', 'cpu'];
const PRESETS = ['nano', 'small'] as const;

export interface BenchArgs {
  /** Print one JSON object as the last line of stdout. */
  readonly json: boolean;
  /** Fewer steps and seconds everywhere: a smoke run of a minute or two. */
  readonly quick: boolean;
  /** Backends of the throughput section. */
  readonly backends: BackendName[];
  readonly archs: Arch[];
  readonly sections: SectionName[];
  /** Held-out section: training seconds per architecture. */
  readonly seconds: number;
  /** Held-out section: model size. */
  readonly preset: (typeof PRESETS)[number];
  /** Throughput section: measured steps per backend. */
  readonly steps: Record<string, number>;
  readonly warmup: Record<string, number>;
  /** Throughput: gradient worker threads of the data-parallel run (undefined: cores − 1). */
  readonly workers?: number;
  /** Long-range section: distractor counts, and training steps per model. */
  readonly lags: number[];
  readonly longRangeSteps: number;
  /** Completion section: characters typed through held-out files, and cold samples. */
  readonly typedChars: number;
  readonly coldSamples: number;
  /** Quality section: held-out characters replayed per model. */
  readonly qualityChars: number;
  /** Write bench/results/<date>-<machine>.{md,json} (default: not with --quick). */
  readonly save: boolean;
  /** Webview training: the WebGL-forced run too. */
  readonly webgl: boolean;
  readonly help: boolean;
}

/** What a full run and a --quick one do unless told otherwise, by option name. */
const DEFAULTS = {
  full: { seconds: 45, steps: 12, 'cpu-steps': 2, lags: [5, 20, 50], 'long-range-steps': 400, 'typed-chars': 3000, 'quality-chars': 6000 },
  quick: { seconds: 8, steps: 4, 'cpu-steps': 1, lags: [5, 20], 'long-range-steps': 60, 'typed-chars': 600, 'quality-chars': 1500 },
};

/** "45; 8 with --quick" */
function defaultText(name: keyof typeof DEFAULTS.full): string {
  return `${String(DEFAULTS.full[name])}; ${String(DEFAULTS.quick[name])} with --quick`;
}

const positiveInteger = { kind: 'integer', valueName: 'N', min: 1 } as const;

const BENCH_SPEC: CommandSpec = {
  name: 'bench',
  brief: 'Benchmark training, long-range recall, held-out bits/char and completions.',
  summary: 'Run the benchmark sections and print their report (build first: node scripts/build.mjs).',
  invocation: 'npm run bench --',
  positionals: [],
  options: [
    { name: 'json', kind: 'flag', description: 'End stdout with one JSON object on the last line.' },
    { name: 'quick', kind: 'flag', description: 'Smoke run: few steps, short training (about 2 minutes).' },
    { name: 'only', kind: 'choices', valueName: 'BACKENDS', choices: BACKENDS, defaultText: BACKENDS.join(','), description: 'Throughput backends.' },
    { name: 'arch', kind: 'choices', valueName: 'ARCHS', choices: ARCHS, defaultText: ARCHS.join(','), description: 'Architectures.' },
    {
      name: 'sections',
      kind: 'choices',
      valueName: 'SECTIONS',
      choices: SECTIONS,
      defaultText: 'all',
      description: 'Sections to run (gpuTraining measures only where headless Chromium gets a hardware WebGPU adapter).',
    },
    { name: 'skip', kind: 'choices', valueName: 'SECTIONS', choices: SECTIONS, description: 'Sections to leave out.' },
    { name: 'seconds', kind: 'number', valueName: 'N', min: 0, exclusiveMin: true, defaultText: defaultText('seconds'), description: 'Held-out: training seconds per architecture.' },
    { name: 'preset', kind: 'choice', choices: PRESETS, defaultText: 'small', description: 'Held-out: model size.' },
    { name: 'steps', ...positiveInteger, defaultText: defaultText('steps'), description: 'Throughput: measured steps on wasm.' },
    { name: 'workers', kind: 'integer', valueName: 'N', min: 0, defaultText: 'cores − 1', description: 'Throughput: gradient worker threads besides the main one (0 = none).' },
    { name: 'cpu-steps', ...positiveInteger, defaultText: defaultText('cpu-steps'), description: 'Throughput: measured steps on cpu (a step takes 5-30 s).' },
    { name: 'lags', kind: 'integers', valueName: 'N,...', min: 1, defaultText: defaultText('lags'), description: 'Long-range: distractors between the symbol and its recall.' },
    { name: 'long-range-steps', ...positiveInteger, defaultText: defaultText('long-range-steps'), description: 'Long-range: training steps per model and lag.' },
    { name: 'typed-chars', ...positiveInteger, defaultText: defaultText('typed-chars'), description: 'Completion: characters typed through held-out files.' },
    { name: 'quality-chars', ...positiveInteger, defaultText: defaultText('quality-chars'), description: 'Quality: held-out characters replayed per model.' },
    { name: 'webgl', kind: 'flag', negatable: true, defaultText: 'webgl', description: 'Webview training: also train with WebGL forced (SwiftShader on a machine without a GPU: minutes), or not.' },
    { name: 'save', kind: 'flag', negatable: true, defaultText: 'save; no with --quick', description: 'Write bench/results/<date>-<machine>.{md,json}, or not.' },
  ],
  examples: ['npm run bench -- --quick', 'npm run bench -- --sections quality --arch lstm --seconds 300', 'npm run bench -- --skip webviewTraining,gpuTraining --json'],
};

export const USAGE = commandHelp(BENCH_SPEC);

/** The benchmark's settings from its command line; a UsageError when the flags are wrong. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const parsed = parseArgs(BENCH_SPEC, argv);
  const o = new Options(parsed.options);
  const quick = o.flag('quick');
  const d = quick ? DEFAULTS.quick : DEFAULTS.full;
  const skip = o.strings('skip') ?? [];
  const sections = (o.strings('sections') ?? [...SECTIONS]) as SectionName[];
  return {
    json: o.flag('json'),
    quick,
    backends: (o.strings('only') ?? [...BACKENDS]) as BackendName[],
    archs: (o.strings('arch') ?? [...ARCHS]) as Arch[],
    sections: sections.filter((s) => !skip.includes(s)),
    seconds: o.number('seconds', d.seconds),
    preset: o.string('preset', 'small') as BenchArgs['preset'],
    steps: { wasm: o.number('steps', d.steps), cpu: o.number('cpu-steps', d['cpu-steps']) },
    warmup: quick ? { wasm: 1, cpu: 1 } : { wasm: 2, cpu: 1 },
    workers: o.number('workers'),
    lags: o.numbers('lags') ?? [...d.lags],
    longRangeSteps: o.number('long-range-steps', d['long-range-steps']),
    typedChars: o.number('typed-chars', d['typed-chars']),
    coldSamples: quick ? 10 : 40,
    qualityChars: o.number('quality-chars', d['quality-chars']),
    save: o.has('save') ? o.flag('save') : !quick,
    webgl: o.has('webgl') ? o.flag('webgl') : true,
    help: parsed.help,
  };
}
