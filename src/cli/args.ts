// A small, strict command-line parser: every command declares its positionals and options, and
// anything else is a UsageError with a message meant for the person at the terminal.
//
// Accepted forms: `--name value`, `--name=value`, `--flag`, `-h`/`--help`, and `--` to end the
// options. A value may start with '-' (e.g. `--prefix -x`) but not with '--'.

/** A mistake in how the command was called: reported without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionValue = string | number | boolean;

interface OptionBase {
  /** Without the leading dashes, e.g. 'max-tokens'. */
  readonly name: string;
  readonly description: string;
  /** Shown in help as the option's default. */
  readonly defaultText?: string;
  readonly required?: boolean;
}

export type OptionSpec = OptionBase &
  (
    | { readonly kind: 'flag' }
    | { readonly kind: 'string'; readonly valueName: string }
    | { readonly kind: 'choice'; readonly choices: readonly string[] }
    | {
        readonly kind: 'integer' | 'number';
        readonly valueName: string;
        /** Smallest allowed value. */
        readonly min?: number;
        /** The value must be greater than `min`, not equal to it. */
        readonly exclusiveMin?: boolean;
        /** Largest allowed value. */
        readonly max?: number;
      }
  );

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  /** Takes every remaining argument (at least one). */
  readonly variadic?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  /** One line for the command list. */
  readonly brief: string;
  readonly summary: string;
  readonly positionals: readonly PositionalSpec[];
  readonly options: readonly OptionSpec[];
  /** Lines shown under "Examples:" in help. */
  readonly examples?: readonly string[];
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: ReadonlyMap<string, OptionValue>;
  /** --help or -h was given: nothing else was checked. */
  readonly help: boolean;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The value of `raw` for `spec`, or a UsageError saying what is wrong with it. */
export function parseOptionValue(spec: OptionSpec, raw: string): OptionValue {
  const flag = `--${spec.name}`;
  switch (spec.kind) {
    case 'flag':
      return true;
    case 'string':
      return raw;
    case 'choice':
      if (!spec.choices.includes(raw)) throw new UsageError(`${flag} must be one of ${spec.choices.join(', ')}; got "${raw}"`);
      return raw;
    case 'integer':
    case 'number': {
      const what = spec.kind === 'integer' ? 'an integer' : 'a number';
      const lower = spec.min === undefined ? '' : ` ${spec.exclusiveMin ? '>' : '>='} ${spec.min}`;
      const upper = spec.max === undefined ? '' : `${lower ? ' and' : ''} <= ${spec.max}`;
      const bound = lower + upper;
      const value = NUMBER.test(raw) ? Number(raw) : NaN;
      const ok =
        Number.isFinite(value) &&
        (spec.kind === 'number' || Number.isSafeInteger(value)) &&
        (spec.min === undefined || (spec.exclusiveMin ? value > spec.min : value >= spec.min)) &&
        (spec.max === undefined || value <= spec.max);
      if (!ok) throw new UsageError(`${flag} must be ${what}${bound}; got "${raw}"`);
      return value;
    }
  }
}

/** Whether -h or --help appears as an option (not as another option's value, not after `--`). */
function asksForHelp(spec: CommandSpec, argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
    const option = arg.startsWith('--') && !arg.includes('=') ? spec.options.find((o) => o.name === arg.slice(2)) : undefined;
    if (option && option.kind !== 'flag' && !argv[i + 1]?.startsWith('--')) i++;
  }
  return false;
}

/** Parses the arguments after the command name. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  if (asksForHelp(spec, argv)) return { positionals: [], options: new Map(), help: true };
  const positionals: string[] = [];
  const options = new Map<string, OptionValue>();
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const option = spec.options.find((o) => o.name === name);
    if (!option) throw new UsageError(`unknown option --${name}`);
    if (options.has(name)) throw new UsageError(`--${name} given more than once`);
    if (option.kind === 'flag') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      options.set(name, true);
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      raw = next;
      i++;
    }
    options.set(name, parseOptionValue(option, raw));
  }

  const variadic = spec.positionals.find((p) => p.variadic);
  for (let i = 0; i < spec.positionals.length; i++) {
    if (positionals.length <= i) throw new UsageError(`missing <${spec.positionals[i].name}>`);
  }
  if (!variadic && positionals.length > spec.positionals.length) {
    throw new UsageError(`unexpected argument "${positionals[spec.positionals.length]}"`);
  }
  for (const o of spec.options) {
    if (o.required && !options.has(o.name)) throw new UsageError(`--${o.name} is required`);
  }
  return { positionals, options, help: false };
}

function usageLine(spec: CommandSpec): string {
  const positionals = spec.positionals.map((p) => (p.variadic ? `<${p.name}>...` : `<${p.name}>`));
  const options = spec.options.map((o) => {
    const text = o.kind === 'flag' ? `--${o.name}` : `--${o.name} ${valueName(o)}`;
    return o.required ? text : `[${text}]`;
  });
  return ['seqlab', spec.name, ...positionals, ...options].join(' ');
}

function valueName(o: OptionSpec): string {
  switch (o.kind) {
    case 'flag':
      return '';
    case 'choice':
      return o.choices.join('|');
    default:
      return o.valueName;
  }
}

/** The command's --help text. */
export function commandHelp(spec: CommandSpec): string {
  const rows: Array<[string, string]> = [
    ...spec.positionals.map((p): [string, string] => [`<${p.name}>`, p.description]),
    ...spec.options.map((o): [string, string] => {
      const name = o.kind === 'flag' ? `--${o.name}` : `--${o.name} ${valueName(o)}`;
      const extra = o.required ? ' (required)' : o.defaultText ? ` (default: ${o.defaultText})` : '';
      return [name, o.description + extra];
    }),
    ['-h, --help', 'Show this help.'],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [`Usage: ${usageLine(spec)}`, '', spec.summary, '', 'Arguments and options:'];
  for (const [name, text] of rows) lines.push(`  ${name.padEnd(width)}  ${text}`);
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

/** Typed access to parsed options (the spec guarantees the types). */
export class Options {
  constructor(private readonly values: ReadonlyMap<string, OptionValue>) {}
  has(name: string): boolean {
    return this.values.has(name);
  }
  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    const v = this.values.get(name);
    return v === undefined ? fallback : String(v);
  }
  number(name: string): number | undefined;
  number(name: string, fallback: number): number;
  number(name: string, fallback?: number): number | undefined {
    const v = this.values.get(name);
    return v === undefined ? fallback : Number(v);
  }
  flag(name: string): boolean {
    return this.values.get(name) === true;
  }
}
