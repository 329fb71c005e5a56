// How the document cache's defaults were chosen: keystroke savings, precision and bits/char on
// held-out files (`seqlab train`'s split: seed 0, a tenth of the files) of any folder, the n-gram
// counted on the training files alone, with and without the cache, through the same replay as
// `seqlab eval`. Each held-out file is replayed from its start, so the cache holds exactly the
// text typed before each position (scored first, counted after).
//
//   npm run build && node out/bench/documentCacheSweep.js FOLDER [--chars N] [--order 8] [--caches off,3:1,3:2,2:1,4:1]
//
// --chars: held-out characters replayed (default 20000); --order: the n-gram's order, and the
// cache's; --caches: comma-separated, each `off` or `minContext:concentration` (an integer ≥ 1 and
// a number > 0). The flags are declared for the CLI's argument layer (src/cli/args.ts), which
// writes --help; a wrong flag is a usage error (exit code 2). One JSON line per measurement. Not
// part of `npm run bench`.
import { parseOptionValue, parseOrShowHelp, runScript, UsageError, type CommandSpec, type OptionSpec } from '../src/cli/args';
import { DEFAULT_DECODING } from '../src/core/completion/engine';
import { ngramServing } from '../src/core/completion/servingEngine';
import { keystrokeSavings, limitCharacters, percentile } from '../src/core/evaluation';
import { DocumentCache, type DocumentCacheOptions } from '../src/core/ngram/documentCache';
import { MAX_NGRAM_ORDER, NgramModel } from '../src/core/ngram/ngram';
import { splitTexts } from '../src/core/corpus/splitTexts';
import { readCorpus } from '../src/node/corpus';

/** Bits per character of `texts`, each from its start, the cache (if any) counting as it goes. */
function bitsPerChar(ngram: NgramModel, texts: readonly string[], options: DocumentCacheOptions | undefined): number {
  const symbolOf = (unit: number) => ngram.indexOfUnit(unit);
  let bits = 0;
  let n = 0;
  for (const text of texts) {
    const cache = options ? new DocumentCache(options) : undefined;
    for (let i = 0; i < text.length; i++) {
      const context = text.slice(Math.max(0, i - 2 * ngram.order), i);
      const d = ngram.distribution(context);
      const k = symbolOf(text.charCodeAt(i));
      let p: number;
      if (k < 0) p = d.unknown;
      else if (cache) {
        cache.sync(text.slice(0, i));
        // The mix renormalises over known characters; scale back so the unknown mass stays.
        const known = 1 - d.unknown;
        const probs = d.probs.map((x) => x / known);
        cache.mixInto(context, probs, symbolOf);
        p = probs[k] * known;
      } else p = d.probs[k];
      bits -= Math.log2(Math.max(p, 1e-12));
      n++;
    }
  }
  return bits / n;
}

const DEFAULT_CHARS = 20000;
const DEFAULT_ORDER = 8;
const DEFAULT_CACHES = 'off,3:1,3:2,2:1,4:1';

const SPEC: CommandSpec = {
  name: 'documentCacheSweep',
  brief: 'Keystroke savings, precision and bits/char of the n-gram with and without document caches.',
  summary:
    'Count the n-gram on the training files of <folder> (seed 0, a tenth of the files held out) and replay\n' +
    'each held-out file from its start with each cache, the cache counting the text typed so far. One\n' +
    'JSON line per cache (build first: node scripts/build.mjs).',
  invocation: 'node out/bench/documentCacheSweep.js',
  positionals: [{ name: 'folder', description: 'Folder whose text files are split into training and held-out files.' }],
  options: [
    { name: 'chars', kind: 'integer', valueName: 'N', min: 1, defaultText: String(DEFAULT_CHARS), description: 'Held-out characters replayed.' },
    { name: 'order', kind: 'integer', valueName: 'N', min: 1, max: MAX_NGRAM_ORDER, defaultText: String(DEFAULT_ORDER), description: "The n-gram's order, and the caches' (a cache needs 2 or more)." },
    {
      name: 'caches',
      kind: 'string',
      valueName: 'CACHES',
      defaultText: DEFAULT_CACHES,
      description: 'Comma-separated, each off or MIN:BETA: contexts of MIN+ characters (an integer >= 1), BETA (> 0) observations of the level below.',
    },
  ],
  examples: ['node out/bench/documentCacheSweep.js sample-workspace', 'node out/bench/documentCacheSweep.js sample-workspace --chars 50000 --caches off,5:8'],
};

/** The parts of a `minContext:concentration` cache, checked as the argument layer checks number options. */
const MIN_CONTEXT = { name: 'caches', kind: 'integer', valueName: 'MIN', min: 1, description: 'an integer >= 1' } as const satisfies OptionSpec;
const CONCENTRATION = { name: 'caches', kind: 'number', valueName: 'BETA', min: 0, exclusiveMin: true, description: 'a number > 0' } as const satisfies OptionSpec;

/** One part of the cache `label`; a UsageError naming the part when it is out of its bounds. */
function cachePart(spec: OptionSpec & { readonly valueName: string }, raw: string, label: string): number {
  try {
    return parseOptionValue(spec, raw) as number;
  } catch {
    throw new UsageError(`--caches: ${spec.valueName} in "${label}" must be ${spec.description}; got "${raw}"`);
  }
}

interface CacheArg {
  /** As given: 'off' or 'minContext:concentration'. */
  readonly label: string;
  readonly options?: DocumentCacheOptions;
}

/** The caches of `raw` ("off,3:1"); a UsageError when one is neither off nor MIN:BETA, or there are none. */
function parseCaches(raw: string, order: number): CacheArg[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new UsageError(`--caches must be off or MIN:BETA, comma-separated; got "${raw}"`);
  return items.map((label): CacheArg => {
    if (label === 'off') return { label };
    const parts = label.split(':');
    if (parts.length !== 2) throw new UsageError(`--caches must be off or MIN:BETA, comma-separated; got "${label}"`);
    if (order < 2) throw new UsageError(`--order must be 2 or more for a cache; got ${order}`);
    const minContext = cachePart(MIN_CONTEXT, parts[0], label);
    const concentration = cachePart(CONCENTRATION, parts[1], label);
    return { label, options: { order, minContext, concentration } };
  });
}

interface SweepArgs {
  readonly root: string;
  readonly chars: number;
  readonly order: number;
  readonly caches: CacheArg[];
}

/** The sweep's settings, or undefined after printing --help; a UsageError when the flags are wrong. */
function parseSweepArgs(argv: readonly string[]): SweepArgs | undefined {
  const parsed = parseOrShowHelp(SPEC, argv);
  if (!parsed) return undefined;
  const o = parsed.options;
  const order = o.number('order', DEFAULT_ORDER);
  return {
    root: parsed.positionals[0],
    chars: o.number('chars', DEFAULT_CHARS),
    order,
    caches: parseCaches(o.string('caches', DEFAULT_CACHES), order),
  };
}

async function main(): Promise<void> {
  const args = parseSweepArgs(process.argv.slice(2));
  if (!args) return;
  const { root, order } = args;
  const split = splitTexts(readCorpus(root).files, { seed: 0, validationFraction: 0.1 });
  const held = limitCharacters(
    split.validation.map((f) => f.text),
    args.chars,
  );
  const characters = held.reduce((s, t) => s + t.length, 0);
  const ngram = NgramModel.train(
    split.train.map((f) => f.text),
    { order },
  );
  for (const { label, options } of args.caches) {
    const started = performance.now();
    const r = await keystrokeSavings(ngramServing('n-gram', ngram, DEFAULT_DECODING, options ?? null), held);
    console.log(
      JSON.stringify({
        root,
        order,
        cache: label,
        characters,
        files: held.length,
        bitsPerChar: +bitsPerChar(ngram, held, options).toFixed(4),
        keystrokeSavings: +r.savings.toFixed(4),
        precision: +r.precision.toFixed(4),
        shown: r.shownSuggestions,
        p50Ms: +percentile(r.latenciesMs, 50).toFixed(3),
        p99Ms: +percentile(r.latenciesMs, 99).toFixed(3),
        replayS: +((performance.now() - started) / 1000).toFixed(1),
      }),
    );
  }
}

runScript(SPEC, main);
