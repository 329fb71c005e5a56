// The command-line layer of `seqlab` and `npm run bench`: every command declares its positionals
// and options, Node's util.parseArgs splits the arguments, and anything the declarations do not
// allow is a UsageError with a message meant for the person at the terminal.
//
// Accepted forms: `--name value`, `--name=value`, `--flag`, `--no-flag` (negatable flags),
// `-h`/`--help`, and `--` to end the options. A value may start with '-' (e.g. `--prefix -x`) but
// not with '--'.
import { parseArgs as tokenizeArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: reported without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionValue = string | number | boolean | readonly string[] | readonly number[];

interface OptionBase {
  /** Without the leading dashes, e.g. 'max-tokens'. */
  readonly name: string;
  readonly description: string;
  /** Shown in help as the option's default. */
  readonly defaultText?: string;
  readonly required?: boolean;
}

interface Bounds {
  /** Smallest allowed value. */
  readonly min?: number;
  /** The value must be greater than `min`, not equal to it. */
  readonly exclusiveMin?: boolean;
  /** Largest allowed value. */
  readonly max?: number;
}

export type OptionSpec = OptionBase &
  (
    | {
        readonly kind: 'flag';
        /** `--no-NAME` is accepted too, and gives the value false. */
        readonly negatable?: boolean;
      }
    | { readonly kind: 'string'; readonly valueName: string }
    | { readonly kind: 'choice'; readonly choices: readonly string[] }
    /** Comma-separated, each one of `choices`. */
    | { readonly kind: 'choices'; readonly valueName: string; readonly choices: readonly string[] }
    /** 'integers': comma-separated, each an integer within the bounds. */
    | ({ readonly kind: 'integer' | 'number' | 'integers'; readonly valueName: string } & Bounds)
  );

type ValueSpec = Exclude<OptionSpec, { kind: 'flag' | 'string' }>;
type NumericSpec = Extract<OptionSpec, { kind: 'integer' | 'number' | 'integers' }>;

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
  /** What runs the command, at the start of the usage line (default: `seqlab <name>`). */
  readonly invocation?: string;
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

function bounds(spec: NumericSpec): string {
  const lower = spec.min === undefined ? '' : ` ${spec.exclusiveMin ? '>' : '>='} ${spec.min}`;
  const upper = spec.max === undefined ? '' : `${lower ? ' and' : ''} <= ${spec.max}`;
  return lower + upper;
}

/** What a value of `spec` must be, as in "--steps must be an integer >= 1". */
function requirement(spec: ValueSpec): string {
  switch (spec.kind) {
    case 'choice':
      return `one of ${spec.choices.join(', ')}`;
    case 'choices':
      return `one or more of ${spec.choices.join(', ')}, comma-separated`;
    case 'integer':
      return `an integer${bounds(spec)}`;
    case 'number':
      return `a number${bounds(spec)}`;
    case 'integers':
      return `integers${bounds(spec)}, comma-separated`;
  }
}

function invalid(spec: ValueSpec, raw: string): UsageError {
  return new UsageError(`--${spec.name} must be ${requirement(spec)}; got "${raw}"`);
}

/** `raw` as a number of `spec`'s kind within its bounds, or undefined. */
function numberWithin(spec: NumericSpec, raw: string): number | undefined {
  const value = NUMBER.test(raw) ? Number(raw) : NaN;
  const ok =
    Number.isFinite(value) &&
    (spec.kind === 'number' || Number.isSafeInteger(value)) &&
    (spec.min === undefined || (spec.exclusiveMin ? value > spec.min : value >= spec.min)) &&
    (spec.max === undefined || value <= spec.max);
  return ok ? value : undefined;
}

/** The items of a comma-separated list; a UsageError when there are none. */
function listItems(spec: ValueSpec, raw: string): string[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw invalid(spec, raw);
  return items;
}

/** The value of `raw` for `spec`, or a UsageError saying what is wrong with it. */
export function parseOptionValue(spec: OptionSpec, raw: string): OptionValue {
  switch (spec.kind) {
    case 'flag':
      return true;
    case 'string':
      return raw;
    case 'choice':
      if (!spec.choices.includes(raw)) throw invalid(spec, raw);
      return raw;
    case 'choices': {
      const items = listItems(spec, raw);
      const wrong = items.find((item) => !spec.choices.includes(item));
      if (wrong !== undefined) throw invalid(spec, wrong);
      return items;
    }
    case 'integer':
    case 'number': {
      const value = numberWithin(spec, raw);
      if (value === undefined) throw invalid(spec, raw);
      return value;
    }
    case 'integers':
      return listItems(spec, raw).map((item) => {
        const value = numberWithin(spec, item);
        if (value === undefined) throw invalid(spec, item);
        return value;
      });
  }
}

type Token = NonNullable<ReturnType<typeof tokenizeArgs>['tokens']>[number];
type TokenizerOptions = NonNullable<ParseArgsConfig['options']>;

/** parseArgs' view of the spec: which options take a value, and -h for --help. */
function tokenizerOptions(spec: CommandSpec): TokenizerOptions {
  const options: TokenizerOptions = { help: { type: 'boolean', short: 'h' } };
  for (const o of spec.options) options[o.name] = { type: o.kind === 'flag' ? 'boolean' : 'string' };
  return options;
}

/**
 * The arguments as parseArgs tokens, checked against the spec by the caller. Not strict mode: it
 * refuses `--prefix -x` (a value starting with '-' as the next argument), and its errors are
 * Node's sentences with no field naming the option, so they could not be worded as ours are.
 *
 * Without strict mode parseArgs takes whatever follows `--name` as its value, even `--json`. A
 * value may start with '-', but an argument starting with '--' is the next option (or the end of
 * them): there the option is left without a value and the rest is tokenised again.
 */
function tokenize(spec: CommandSpec, args: readonly string[]): Token[] {
  const { tokens } = tokenizeArgs({ args: [...args], options: tokenizerOptions(spec), strict: false, allowPositionals: true, tokens: true });
  const at = tokens.findIndex((t) => t.kind === 'option' && t.inlineValue === false && t.value.startsWith('--'));
  const swallowing = tokens[at];
  if (at < 0 || swallowing.kind !== 'option') return tokens;
  const { index, name, rawName } = swallowing;
  const bare: Token = { kind: 'option', index, name, rawName, value: undefined, inlineValue: undefined };
  return [...tokens.slice(0, at), bare, ...tokenize(spec, args.slice(index + 1))];
}

/** The option a token names, and whether as `--no-NAME`; undefined when the spec has none. */
function optionOf(spec: CommandSpec, name: string): { option: OptionSpec; negated: boolean } | undefined {
  const option = spec.options.find((o) => o.name === name);
  if (option) return { option, negated: false };
  const positive = name.startsWith('no-') ? spec.options.find((o) => o.name === name.slice(3)) : undefined;
  return positive?.kind === 'flag' && positive.negatable ? { option: positive, negated: true } : undefined;
}

/** `--name`, or `--[no-]name` for a negatable flag. */
function optionName(o: OptionSpec): string {
  return o.kind === 'flag' && o.negatable ? `--[no-]${o.name}` : `--${o.name}`;
}

/** Parses the arguments after the command name. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const tokens = tokenize(spec, argv);
  // -h or --help as an option (not a value, not after `--`) wins over any mistake in the rest.
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { positionals: [], options: new Map(), help: true };
  const positionals: string[] = [];
  const options = new Map<string, OptionValue>();
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const found = optionOf(spec, t.name);
    if (!found) throw new UsageError(`unknown option ${t.rawName}`);
    const { option, negated } = found;
    if (options.has(option.name)) throw new UsageError(`${optionName(option)} given more than once`);
    if (option.kind === 'flag') {
      if (t.value !== undefined) throw new UsageError(`${t.rawName} takes no value`);
      options.set(option.name, !negated);
    } else {
      if (t.value === undefined) throw new UsageError(`${t.rawName} needs a value`);
      options.set(option.name, parseOptionValue(option, t.value));
    }
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

/** `--name VALUE` as in the usage line and the help table. */
function optionForm(o: OptionSpec): string {
  switch (o.kind) {
    case 'flag':
      return optionName(o);
    case 'choice':
      return `--${o.name} ${o.choices.join('|')}`;
    default:
      return `--${o.name} ${o.valueName}`;
  }
}

function usageLine(spec: CommandSpec): string {
  const positionals = spec.positionals.map((p) => (p.variadic ? `<${p.name}>...` : `<${p.name}>`));
  const options = spec.options.map((o) => (o.required ? optionForm(o) : `[${optionForm(o)}]`));
  return [spec.invocation ?? `seqlab ${spec.name}`, ...positionals, ...options].join(' ');
}

function optionText(o: OptionSpec): string {
  const choices = o.kind === 'choices' ? ` One or more of: ${o.choices.join(', ')} (comma-separated).` : '';
  const extra = o.required ? ' (required)' : o.defaultText ? ` (default: ${o.defaultText})` : '';
  return o.description + choices + extra;
}

/** For a one-off script: its parsed flags, or undefined after writing its help (--help) to stdout. */
export function parseOrShowHelp(spec: CommandSpec, argv: readonly string[]): { positionals: string[]; options: Options } | undefined {
  const parsed = parseArgs(spec, argv);
  if (parsed.help) {
    process.stdout.write(commandHelp(spec));
    return undefined;
  }
  return { positionals: parsed.positionals, options: new Options(parsed.options) };
}

/** Runs a script's `main`: a UsageError exits 2 with the message and where help is, any other error 1. */
export function runScript(spec: CommandSpec, main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${spec.invocation}: ${e.message}\nRun "${spec.invocation} --help" for usage.\n`);
      process.exit(2);
    }
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

/** The command's --help text. */
export function commandHelp(spec: CommandSpec): string {
  const rows: Array<[string, string]> = [
    ...spec.positionals.map((p): [string, string] => [`<${p.name}>`, p.description]),
    ...spec.options.map((o): [string, string] => [optionForm(o), optionText(o)]),
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
  /** A 'choices' option's values (a copy). */
  strings(name: string): string[] | undefined {
    const v = this.values.get(name);
    return v === undefined ? undefined : (v as readonly string[]).slice();
  }
  /** An 'integers' option's values (a copy). */
  numbers(name: string): number[] | undefined {
    const v = this.values.get(name);
    return v === undefined ? undefined : (v as readonly number[]).slice();
  }
}
