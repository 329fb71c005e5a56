// What the Train command asks, and its arguments when run programmatically, as pure functions
// (no vscode import, so unit tests cover them): the quick-pick items with the setting's value
// first and marked, the one-step "train with defaults", argument validation, and the run's
// TrainingSpec.
import type { TrainingBackend } from '../../core/backend/choice';
import { defaultTrainingWindow, presetConfig } from '../../core/models/presets';
import { fitsBaseModel } from '../../core/training/baseModel';
import type { Arch, Preset } from '../../core/models/sequenceModel';
import type { TokenizerKind } from '../../core/tokenizers/tokenizer';
import type { TrainingSpec } from '../../protocol';

export interface TrainChoices {
  readonly arch: Arch;
  readonly tokenizer: TokenizerKind;
  readonly preset: Preset;
  readonly minutes: number;
}

export interface Option<T> {
  readonly value: T;
  readonly label: string;
  readonly detail: string;
}

export const ARCH_OPTIONS: readonly Option<Arch>[] = [
  { value: 'lstm', label: 'LSTM', detail: 'Gated recurrent network with a memory cell: remembers far back, the usual best for code' },
  { value: 'gru', label: 'GRU', detail: 'Gated recurrent network, lighter than the LSTM' },
  { value: 'rnn', label: 'Vanilla RNN', detail: 'The simplest recurrent network: fast, forgets quickly' },
  { value: 'transformer', label: 'Transformer', detail: 'Decoder-only, causal self-attention over a fixed context' },
];

export const TOKENIZER_OPTIONS: readonly Option<TokenizerKind>[] = [
  { value: 'char', label: 'Characters', detail: 'One token per character: small vocabulary, any text' },
  { value: 'word', label: 'Code-aware words', detail: 'Identifiers, operators and whitespace runs, with byte fallback' },
];

export const PRESET_OPTIONS: readonly Option<Preset>[] = [
  { value: 'nano', label: 'Nano', detail: 'Tiny: trains in seconds, for trying things out' },
  { value: 'small', label: 'Small', detail: 'The reference size: one layer of 256 units (Transformer: 2 layers, 128 wide)' },
  { value: 'medium', label: 'Medium', detail: 'Two layers of 512 units (Transformer: 4 layers, 256 wide): best with a GPU' },
];

export const MINUTE_VALUES: readonly number[] = [0.5, 1, 2, 5, 10, 20, 30, 60];

export function formatMinutes(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  return Number.isInteger(minutes) ? `${minutes} min` : `${minutes.toFixed(1)} min`;
}

export function minuteOptions(defaultMinutes: number): Option<number>[] {
  const values = MINUTE_VALUES.includes(defaultMinutes) ? MINUTE_VALUES : [...MINUTE_VALUES, defaultMinutes].sort((a, b) => a - b);
  return values.map((value) => ({ value, label: formatMinutes(value), detail: 'training time budget, pauses excluded' }));
}

export interface PickItem<T> {
  readonly value: T;
  readonly label: string;
  readonly description?: string;
  readonly detail: string;
}

/** Quick-pick items with the default first, described as "default (from settings)". */
export function pickItems<T>(options: readonly Option<T>[], defaultValue: T): PickItem<T>[] {
  const first = options.filter((o) => o.value === defaultValue);
  const rest = options.filter((o) => o.value !== defaultValue);
  return [
    ...first.map((o) => ({ ...o, description: 'default (from settings)' })),
    ...rest.map((o) => ({ value: o.value, label: o.label, detail: o.detail })),
  ];
}

function labelOf<T>(options: readonly Option<T>[], value: T): string {
  return options.find((o) => o.value === value)?.label ?? String(value);
}

/** "LSTM · Characters · Small · 5 min", then "· from the base model" when the run fine-tunes it. */
export function describeChoices(c: TrainChoices, fromBase = false): string {
  const parts = [labelOf(ARCH_OPTIONS, c.arch), labelOf(TOKENIZER_OPTIONS, c.tokenizer), labelOf(PRESET_OPTIONS, c.preset), formatMinutes(c.minutes)];
  return [...parts, ...(fromBase ? ['from the base model'] : [])].join(' · ');
}

/** Whether the run starts from the base model: asked for (setting or argument) and the choices fit it. */
export function startsFromBase(c: TrainChoices, startFrom: 'base' | 'scratch'): boolean {
  return startFrom === 'base' && fitsBaseModel(c);
}

/** Arguments of `seqlab.train` when run from code (tests, other extensions, keybindings). */
export interface TrainArgs {
  readonly arch?: Arch;
  readonly tokenizer?: TokenizerKind;
  readonly preset?: Preset;
  /** Training time budget. */
  readonly minutes?: number;
  /** Stop after this many updates instead of (or before) the time budget. */
  readonly steps?: number;
  /** Skip the corpus summary's confirmation. Default false when arguments are given... see parseTrainArgs. */
  readonly confirm?: boolean;
  readonly name?: string;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly seqLen?: number;
  readonly evalEvery?: number;
  readonly checkpointSeconds?: number;
  readonly sampleEvery?: number;
  readonly backend?: 'auto' | TrainingBackend;
  /** Override seqlab.training.startFrom for this run. */
  readonly startFrom?: 'base' | 'scratch';
  /** Override seqlab.include / seqlab.exclude for this run. */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

export class TrainArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainArgsError';
  }
}

const ARCHS: readonly Arch[] = ['lstm', 'gru', 'rnn', 'transformer'];
const TOKENIZERS: readonly TokenizerKind[] = ['char', 'word'];
const PRESETS: readonly Preset[] = ['nano', 'small', 'medium'];
const BACKENDS: readonly string[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
const KNOWN_KEYS = new Set([
  'arch', 'tokenizer', 'preset', 'minutes', 'steps', 'confirm', 'name', 'seed', 'batchSize', 'seqLen', 'evalEvery',
  'checkpointSeconds', 'sampleEvery', 'backend', 'include', 'exclude', 'startFrom',
]);

/**
 * Validates `seqlab.train`'s argument object: every key known, every value in range. Missing
 * choices take the defaults. Throws TrainArgsError naming the first problem.
 */
export function parseTrainArgs(raw: unknown, defaults: TrainChoices): { choices: TrainChoices; args: TrainArgs } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TrainArgsError('the argument must be an object');
  const a = raw as Record<string, unknown>;
  for (const key of Object.keys(a)) if (!KNOWN_KEYS.has(key)) throw new TrainArgsError(`unknown option "${key}"`);
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = a[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !allowed.includes(v as T)) throw new TrainArgsError(`${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  };
  const number = (key: string, min: number, max: number, integer: boolean): number | undefined => {
    const v = a[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new TrainArgsError(`${key} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const globs = (key: string): string[] | undefined => {
    const v = a[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((g) => typeof g !== 'string')) throw new TrainArgsError(`${key} must be an array of glob strings`);
    return v as string[];
  };
  if (a.confirm !== undefined && typeof a.confirm !== 'boolean') throw new TrainArgsError('confirm must be true or false');
  if (a.name !== undefined && (typeof a.name !== 'string' || a.name.trim() === '')) throw new TrainArgsError('name must be a non-empty string');
  const args: TrainArgs = {
    arch: oneOf('arch', ARCHS),
    tokenizer: oneOf('tokenizer', TOKENIZERS),
    preset: oneOf('preset', PRESETS),
    minutes: number('minutes', 0.001, 600, false),
    steps: number('steps', 1, 10_000_000, true),
    confirm: a.confirm as boolean | undefined,
    name: a.name as string | undefined,
    seed: number('seed', 0, 2 ** 31 - 1, true),
    batchSize: number('batchSize', 1, 1024, true),
    seqLen: number('seqLen', 2, 4096, true),
    evalEvery: number('evalEvery', 1, 1_000_000, true),
    checkpointSeconds: number('checkpointSeconds', 1, 86_400, false),
    sampleEvery: number('sampleEvery', 0, 1_000_000, true),
    backend: oneOf('backend', BACKENDS) as TrainArgs['backend'],
    startFrom: oneOf('startFrom', ['base', 'scratch'] as const),
    include: globs('include'),
    exclude: globs('exclude'),
  };
  const choices: TrainChoices = {
    arch: args.arch ?? defaults.arch,
    tokenizer: args.tokenizer ?? defaults.tokenizer,
    preset: args.preset ?? defaults.preset,
    // A step budget alone means no time limit.
    minutes: args.minutes ?? (args.steps !== undefined ? Infinity : defaults.minutes),
  };
  return { choices, args };
}

/**
 * Rows per step when the palette trains. 32, where `seqlab train` takes the trainer's 16: in the
 * webview's workers data parallel pays only with the larger batch (LSTM small, headless
 * Chromium, two runs each: 5,966-6,362 tokens/s at 16, one thread 5,906-5,961; 8,328-8,365 at
 * 32), and at 5 minutes batch 32 read validation as well as 16 did (docs/benchmarks.md).
 */
export const PALETTE_BATCH_SIZE = 32;

export function trainingSpec(choices: TrainChoices, args: TrainArgs, name: string): TrainingSpec {
  // A Transformer attends over at most its context, and trains on all of it by default.
  const config = presetConfig(choices.arch, choices.preset, 1);
  const seqLen = Math.min(args.seqLen ?? defaultTrainingWindow(config), config.arch === 'transformer' ? config.contextSize : Infinity);
  const maxSteps = args.steps ?? null;
  const evalEvery = args.evalEvery ?? (maxSteps !== null ? Math.max(1, Math.min(100, Math.ceil(maxSteps / 2))) : 100);
  return {
    arch: choices.arch,
    preset: choices.preset,
    tokenizer: choices.tokenizer,
    seed: args.seed ?? 0,
    batchSize: args.batchSize ?? PALETTE_BATCH_SIZE,
    seqLen,
    maxTimeMs: Number.isFinite(choices.minutes) ? Math.round(choices.minutes * 60_000) : null,
    maxSteps,
    evalEvery,
    progressEvery: 5,
    checkpointSeconds: args.checkpointSeconds ?? 30,
    sampleEvery: args.sampleEvery ?? 0,
    name,
  };
}

/** "LSTM small · char · my-workspace" */
export function defaultModelName(choices: Pick<TrainChoices, 'arch' | 'preset' | 'tokenizer'>, workspaceName: string | undefined): string {
  return `${labelOf(ARCH_OPTIONS, choices.arch)} ${choices.preset} · ${choices.tokenizer}${workspaceName ? ` · ${workspaceName}` : ''}`;
}
