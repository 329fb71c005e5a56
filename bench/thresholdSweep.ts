// How seqlab.completions.minSuggestionProbability (and the workspace n-gram's order) were chosen:
// keystroke savings and precision on held-out files (`seqlab train`'s split: seed 0, a tenth of
// the files) of any folder, through the same replay as `seqlab eval` and the `quality` section.
// Each threshold cuts suggestions where the product of their token probabilities falls below it
// ("cut"); "gate" decodes with the per-token rule only and hides a suggestion whose whole product
// is below the threshold, for comparison. 0 is the gates as they were before (mean probability ≥
// minConfidence, every token ≥ minTokenProbability).
//
//   npm run build && node out/bench/thresholdSweep.js FOLDER [--chars N] [--model FILE] [--thresholds 0,0.2,0.3,0.5] [--orders 6,8]
//
// --chars: held-out characters replayed (default 20000); --model: a neural model file, swept with
// the "cut" rule after the n-grams; --thresholds: numbers in 0..1; --orders: n-gram orders. The
// flags are declared for the CLI's argument layer (src/cli/args.ts), which writes --help; a wrong
// flag is a usage error (exit code 2).
//
// One JSON line per measurement. Not part of `npm run bench` (it is a one-off for choosing defaults).
// The n-gram runs without its document cache here, as when these defaults were chosen (the cache
// came after; bench/documentCacheSweep.ts measures it).
import { readFileSync } from 'node:fs';
import { parseOptionValue, parseOrShowHelp, runScript, UsageError, type CommandSpec, type OptionSpec } from '../src/cli/args';
import { useBackend } from '../src/core/backend/backend';
import { DEFAULT_DECODING, type Suggestion } from '../src/core/completion/engine';
import { neuralServing, ngramServing, type ServingEngine } from '../src/core/completion/servingEngine';
import { tfjsStepper } from '../src/core/completion/stepper';
import { keystrokeSavings, limitCharacters, scoreNgram, type KeystrokeResult } from '../src/core/evaluation';
import { loadModelFile } from '../src/core/modelFile';
import { MAX_NGRAM_ORDER, NgramModel } from '../src/core/ngram/ngram';
import { splitTexts } from '../src/core/corpus/splitTexts';
import { readCorpus } from '../src/node/corpus';
import { nodeWasmPaths } from '../src/node/wasmPaths';

const NOTHING: Suggestion = { text: '', meanProbability: 0, probability: 0 };

/** `engine` shown only when the product of the whole suggestion is at least `threshold`. */
function gateOnly(engine: ServingEngine, threshold: number): ServingEngine {
  return {
    label: engine.label,
    runtime: engine.runtime,
    contextChars: engine.contextChars,
    suggest: async (key, prefix, maxChars, expected) => {
      const s = await engine.suggest(key, prefix, maxChars, expected);
      return s.probability >= threshold ? s : NOTHING;
    },
    forget: (key) => engine.forget(key),
    dispose: () => engine.dispose(),
  };
}

const DEFAULT_CHARS = 20000;
const DEFAULT_THRESHOLDS = [0, 0.2, 0.3, 0.5];
const DEFAULT_ORDERS = [6, 8];

const SPEC: CommandSpec = {
  name: 'thresholdSweep',
  brief: 'Keystroke savings and precision per suggestion threshold and n-gram order.',
  summary:
    'Replay the held-out files of <folder> (seed 0, a tenth of the files) through the completion path for\n' +
    'each threshold: "cut" ends suggestions where the product of their token probabilities falls below it,\n' +
    '"gate" hides a whole suggestion whose product is below it (0: the old per-token gates). One JSON line\n' +
    'per measurement (build first: node scripts/build.mjs).',
  invocation: 'node out/bench/thresholdSweep.js',
  positionals: [{ name: 'folder', description: 'Folder whose text files are split into training and held-out files.' }],
  options: [
    { name: 'chars', kind: 'integer', valueName: 'N', min: 1, defaultText: String(DEFAULT_CHARS), description: 'Held-out characters replayed.' },
    { name: 'model', kind: 'string', valueName: 'FILE', description: 'Also sweep this neural model file (rule "cut").' },
    {
      name: 'thresholds',
      kind: 'string',
      valueName: 'P,...',
      defaultText: DEFAULT_THRESHOLDS.join(','),
      description: 'Thresholds on the probability of a whole suggestion, numbers in 0..1, comma-separated.',
    },
    { name: 'orders', kind: 'integers', valueName: 'N,...', min: 1, max: MAX_NGRAM_ORDER, defaultText: DEFAULT_ORDERS.join(','), description: 'N-gram orders.' },
  ],
  examples: [
    'node out/bench/thresholdSweep.js sample-workspace --chars 20000 --orders 6,8 --thresholds 0,0.2,0.3,0.5',
    'node out/bench/thresholdSweep.js sample-workspace --chars 6000 --orders 8 --model models/lstm-small-js.seqlab',
  ],
};

/** One threshold as the argument layer checks a number option. */
const THRESHOLD: OptionSpec = { name: 'thresholds', kind: 'number', valueName: 'P', min: 0, max: 1, description: '' };

/** The thresholds of `raw` ("0,0.2,0.3"); a UsageError when one is not a number in 0..1 or there are none. */
function parseThresholds(raw: string): number[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new UsageError(`--thresholds must be numbers in 0..1, comma-separated; got "${raw}"`);
  return items.map((item) => parseOptionValue(THRESHOLD, item) as number);
}

interface SweepArgs {
  readonly root: string;
  readonly chars: number;
  readonly model?: string;
  readonly thresholds: number[];
  readonly orders: number[];
}

/** The sweep's settings, or undefined after printing --help; a UsageError when the flags are wrong. */
function parseSweepArgs(argv: readonly string[]): SweepArgs | undefined {
  const parsed = parseOrShowHelp(SPEC, argv);
  if (!parsed) return undefined;
  const o = parsed.options;
  const thresholds = o.string('thresholds');
  return {
    root: parsed.positionals[0],
    chars: o.number('chars', DEFAULT_CHARS),
    model: o.string('model'),
    thresholds: thresholds === undefined ? [...DEFAULT_THRESHOLDS] : parseThresholds(thresholds),
    orders: o.numbers('orders') ?? [...DEFAULT_ORDERS],
  };
}

async function main(): Promise<void> {
  const args = parseSweepArgs(process.argv.slice(2));
  if (!args) return;
  const { root, thresholds } = args;
  const split = splitTexts(readCorpus(root).files, { seed: 0, validationFraction: 0.1 });
  const held = limitCharacters(
    split.validation.map((f) => f.text),
    args.chars,
  );
  const characters = held.reduce((s, t) => s + t.length, 0);
  const report = (engine: string, rule: string, threshold: number, r: KeystrokeResult, bitsPerChar?: number) =>
    console.log(
      JSON.stringify({
        root,
        engine,
        rule,
        threshold,
        characters,
        bitsPerChar,
        keystrokeSavings: r.savings,
        precision: r.precision,
        shown: r.shownSuggestions,
        acceptedCharsPerShown: r.acceptedCharsPerShown,
      }),
    );
  for (const order of args.orders) {
    const ngram = NgramModel.train(
      split.train.map((f) => f.text),
      { order },
    );
    const bits = scoreNgram(ngram, held).bitsPerChar;
    for (const t of thresholds) {
      report(`ngram-${order}`, 'cut', t, await keystrokeSavings(ngramServing('n-gram', ngram, { ...DEFAULT_DECODING, minSuggestionProbability: t }, null), held), bits);
      const gated = gateOnly(ngramServing('n-gram', ngram, { ...DEFAULT_DECODING, minSuggestionProbability: 0 }, null), t);
      report(`ngram-${order}`, 'gate', t, await keystrokeSavings(gated, held), bits);
    }
  }
  if (args.model) {
    await useBackend('wasm', { wasmPaths: nodeWasmPaths() });
    const loaded = loadModelFile(readFileSync(args.model));
    if (loaded.kind !== 'neural') throw new Error('--model must be a neural model file');
    for (const t of thresholds) {
      const engine = neuralServing('model', 'tfjs', tfjsStepper(loaded.model), loaded.model, loaded.tokenizer, { ...DEFAULT_DECODING, minSuggestionProbability: t });
      report(args.model, 'cut', t, await keystrokeSavings(engine, held));
      engine.dispose();
    }
    loaded.model.dispose();
  }
}

runScript(SPEC, main);
