// Command-line flags of `npm run bench -- [flags]`.
import type { BackendName } from '../src/core/backend/backend';
import { ARCHS, type Arch } from '../src/core/models';

export const SECTIONS = ['training', 'longRange', 'heldOut', 'completion', 'quality', 'webviewTraining', 'gpuTraining'] as const;
export type SectionName = (typeof SECTIONS)[number];

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
  readonly preset: 'nano' | 'small';
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
  readonly help: boolean;
}

export const USAGE = `npm run bench -- [flags]     (build first: node scripts/build.mjs)

  --json                 end stdout with one JSON object on the last line
  --quick                smoke run: few steps, short training (about 2 minutes)
  --only wasm|cpu        throughput backends (comma-separated; default wasm,cpu)
  --arch lstm,gru        architectures (default rnn,gru,lstm,transformer)
  --sections a,b         training,longRange,heldOut,completion,quality,webviewTraining,gpuTraining (default all;
                         gpuTraining measures only where headless Chromium gets a hardware WebGPU adapter)
  --skip a,b             sections to leave out
  --seconds N            held-out: training seconds per architecture (default 45)
  --preset nano|small    held-out: model size (default small)
  --steps N              throughput: measured steps on wasm (default 12)
  --workers N            throughput: gradient worker threads besides the main one (default cores - 1; 0 = none)
  --cpu-steps N          throughput: measured steps on cpu (default 2: a step takes 5-30 s)
  --lags 5,20,50         long-range: distractors between the symbol and its recall
  --long-range-steps N   long-range: training steps per model and lag (default 400)
  --typed-chars N        completion: characters typed through held-out files (default 3000)
  --quality-chars N      quality: held-out characters replayed per model (default 6000)
  --no-save              do not write bench/results/ (default for --quick)
  --save                 write bench/results/ even with --quick
  --help`;

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${flag} needs a positive number, got ${value}`);
  return n;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const quick = argv.includes('--quick');
  let backends: BackendName[] = ['wasm', 'cpu'];
  let archs: Arch[] = [...ARCHS];
  let sections: SectionName[] = [...SECTIONS];
  let seconds = quick ? 8 : 45;
  let preset: 'nano' | 'small' = 'small';
  const steps: Record<string, number> = quick ? { wasm: 4, cpu: 1 } : { wasm: 12, cpu: 2 };
  const warmup: Record<string, number> = quick ? { wasm: 1, cpu: 1 } : { wasm: 2, cpu: 1 };
  let lags = quick ? [5, 20] : [5, 20, 50];
  let longRangeSteps = quick ? 60 : 400;
  let typedChars = quick ? 600 : 3000;
  const coldSamples = quick ? 10 : 40;
  let qualityChars = quick ? 1500 : 6000;
  let save = !quick;
  let json = false;
  let help = false;
  let workers: number | undefined;
  const skip: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--json':
        json = true;
        break;
      case '--quick':
        break;
      case '--only':
        backends = list(value()).map((b) => {
          if (b !== 'wasm' && b !== 'cpu') throw new Error(`--only: unknown backend '${b}' (wasm or cpu)`);
          return b;
        });
        break;
      case '--arch':
        archs = list(value()).map((a) => {
          if (!(ARCHS as readonly string[]).includes(a)) throw new Error(`--arch: unknown architecture '${a}'`);
          return a as Arch;
        });
        break;
      case '--sections':
        sections = list(value()).map((s) => {
          if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--sections: unknown section '${s}' (${SECTIONS.join(', ')})`);
          return s as SectionName;
        });
        break;
      case '--skip':
        skip.push(...list(value()));
        break;
      case '--seconds':
        seconds = positive(flag, value());
        break;
      case '--preset': {
        const p = value();
        if (p !== 'nano' && p !== 'small') throw new Error(`--preset: nano or small, got '${p}'`);
        preset = p;
        break;
      }
      case '--steps':
        steps.wasm = Math.round(positive(flag, value()));
        break;
      case '--workers': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0) throw new Error(`--workers needs a whole number >= 0`);
        workers = n;
        break;
      }
      case '--cpu-steps':
        steps.cpu = Math.round(positive(flag, value()));
        break;
      case '--lags':
        lags = list(value()).map((l) => Math.round(positive(flag, l)));
        break;
      case '--long-range-steps':
        longRangeSteps = Math.round(positive(flag, value()));
        break;
      case '--typed-chars':
        typedChars = Math.round(positive(flag, value()));
        break;
      case '--quality-chars':
        qualityChars = Math.round(positive(flag, value()));
        break;
      case '--no-save':
        save = false;
        break;
      case '--save':
        save = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new Error(`unknown flag '${flag}'\n\n${USAGE}`);
    }
  }
  for (const s of skip) {
    if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--skip: unknown section '${s}' (${SECTIONS.join(', ')})`);
  }
  sections = sections.filter((s) => !skip.includes(s));
  return { json, quick, backends, archs, sections, seconds, preset, steps, warmup, workers, lags, longRangeSteps, typedChars, coldSamples, qualityChars, save, help };
}
