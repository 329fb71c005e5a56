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
// One JSON line per measurement. Not part of `npm run bench` (it is a one-off for choosing defaults).
// The n-gram runs without its document cache here, as when these defaults were chosen (the cache
// came after; bench/documentCacheSweep.ts measures it).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { useBackend } from '../src/core/backend/backend';
import { DEFAULT_DECODING, type Suggestion } from '../src/core/completion/engine';
import { neuralServing, ngramServing, type ServingEngine } from '../src/core/completion/servingEngine';
import { tfjsStepper } from '../src/core/completion/stepper';
import { keystrokeSavings, limitCharacters, scoreNgram, type KeystrokeResult } from '../src/core/evaluation';
import { loadModelFile } from '../src/core/modelFile';
import { NgramModel } from '../src/core/ngram/ngram';
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

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      chars: { type: 'string', default: '20000' },
      model: { type: 'string' },
      thresholds: { type: 'string', default: '0,0.2,0.3,0.5' },
      orders: { type: 'string', default: '6,8' },
    },
  });
  const root = positionals[0];
  if (!root) throw new Error('usage: thresholdSweep.js FOLDER [--chars N] [--model FILE] [--thresholds …] [--orders …]');
  const thresholds = values.thresholds.split(',').map(Number);
  const split = splitTexts(readCorpus(root).files, { seed: 0, validationFraction: 0.1 });
  const held = limitCharacters(
    split.validation.map((f) => f.text),
    Number(values.chars),
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
  for (const order of values.orders.split(',').map(Number)) {
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
  if (values.model) {
    await useBackend('wasm', { wasmPaths: nodeWasmPaths() });
    const loaded = loadModelFile(readFileSync(values.model));
    if (loaded.kind !== 'neural') throw new Error('--model must be a neural model file');
    for (const t of thresholds) {
      const engine = neuralServing('model', 'tfjs', tfjsStepper(loaded.model), loaded.model, loaded.tokenizer, { ...DEFAULT_DECODING, minSuggestionProbability: t });
      report(values.model, 'cut', t, await keystrokeSavings(engine, held));
      engine.dispose();
    }
    loaded.model.dispose();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
