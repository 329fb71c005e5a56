// Where keystroke savings are lost: on held-out files (`seqlab train`'s split: seed 0, a tenth of
// the files) of any folder, for the workspace n-gram (with its document cache), a neural model
// file alone, and the two mixed as the editor serves them (the file's stored gate), through the
// same replay as `seqlab eval`:
//
// - the default cut (the product of token probabilities at 0.3, each token at 0.5);
// - the expected-gain cut at each --min-shown (decode to a product of 0.05, end where
//   P · (characters − 1) is greatest, hide below min-shown);
// - an oracle cut: the same greedy text cut at the longest prefix that is right. It bounds what
//   any rule for where to end can reach with this engine's text; the gap to it is the cut's loss;
// - calibration: suggestions the expected-gain cut (min-shown 0) offered, by their product, against
//   the share that was right;
// - top-1: how often each side's most likely next character is the one that comes.
//
//   npm run build && node out/bench/cutAnalysis.js FOLDER --model FILE [--chars N] [--min-shown 0,0.2,0.25,0.3]
//
// One JSON line per measurement. Not part of `npm run bench` (a one-off that says where to work).
import { readFileSync } from 'node:fs';
import { parseOptionValue, parseOrShowHelp, runScript, UsageError, type CommandSpec, type OptionSpec } from '../src/cli/args';
import { adaptationRateOption } from '../src/cli/commands/common';
import { useBackend } from '../src/core/backend/backend';
import { WORKSPACE_NGRAM_ORDER, validationCompletionOf } from '../src/core/completion/autoServing';
import { DEFAULT_DECODING, type DecodingOptions, type EngineTokenizer, type Suggestion } from '../src/core/completion/engine';
import { OutputAdaptation } from '../src/core/completion/dynamicEvaluation';
import { mixAt, ngramBlend, NgramSide, type HybridGate } from '../src/core/completion/hybrid';
import { neuralServing, ngramServing, type ServingEngine } from '../src/core/completion/servingEngine';
import { tfjsStepper } from '../src/core/completion/stepper';
import { fitHybridGate } from '../src/core/completion/validationCompletion';
import { splitTexts } from '../src/core/corpus/splitTexts';
import { keystrokeSavings, limitCharacters, MIN_ACCEPTED_CHARS, codePointCount } from '../src/core/evaluation';
import { argmax, softmax } from '../src/core/generation/sampling';
import { loadModelFile } from '../src/core/modelFile';
import { DEFAULT_DOCUMENT_CACHE } from '../src/core/ngram/documentCache';
import { NgramModel } from '../src/core/ngram/ngram';
import type { SequenceModel } from '../src/core/models/sequenceModel';
import { readCorpus } from '../src/node/corpus';
import { nodeWasmPaths } from '../src/node/wasmPaths';

const DEFAULT_CHARS = 6000;
const DEFAULT_MIN_SHOWN = [0, 0.2, 0.25, 0.3];
/** How far the expected-gain cut decodes: a product under this is never worth showing. */
const GAIN_FLOOR = 0.05;

const SPEC: CommandSpec = {
  name: 'cutAnalysis',
  brief: 'Where keystroke savings are lost: the cut, calibration and top-1 per engine.',
  summary:
    'Replay the held-out files of <folder> (seed 0, a tenth of the files) through the n-gram, the model alone and\n' +
    'their hybrid with the default cut, the expected-gain cut and an oracle cut; then calibration and top-1.\n' +
    'One JSON line per measurement (build first: node scripts/build.mjs).',
  invocation: 'node out/bench/cutAnalysis.js',
  positionals: [{ name: 'folder', description: 'Folder whose text files are split into training and held-out files.' }],
  options: [
    { name: 'model', kind: 'string', valueName: 'FILE', description: 'Neural model file (character tokenizer) trained on the folder.' },
    { name: 'chars', kind: 'integer', valueName: 'N', min: 1, defaultText: String(DEFAULT_CHARS), description: 'Held-out characters replayed.' },
    adaptationRateOption,
    { name: 'fit-gate', kind: 'flag', description: "Fit the gate here (at this adaptation rate) instead of using the file's stored one." },
    { name: 'min-shown', kind: 'string', valueName: 'P,...', defaultText: DEFAULT_MIN_SHOWN.join(','), description: 'Expected-gain cut: hide suggestions whose product is under each of these.' },
  ],
  examples: ['node out/bench/cutAnalysis.js node_modules/mocha/lib --model mocha.seqlab --chars 6000'],
};

const PROBABILITY: OptionSpec = { name: 'min-shown', kind: 'number', valueName: 'P', min: 0, max: 1, description: '' };

const NOTHING: Suggestion = { text: '', meanProbability: 0, probability: 0 };

/** `engine` with each suggestion passed through `change` (given the text to come). */
function mapSuggestions(engine: ServingEngine, change: (s: Suggestion, expected: string | undefined) => Suggestion): ServingEngine {
  return {
    ...engine,
    forget: (key) => engine.forget(key),
    dispose: () => engine.dispose(),
    suggest: async (key, prefix, maxChars, expected) => change(await engine.suggest(key, prefix, maxChars, expected), expected),
  };
}

/** `engine` with its suggestion cut at the longest prefix of what comes next (shown only from 2 characters). */
const oracleCut = (engine: ServingEngine) =>
  mapSuggestions(engine, (s, expected) => {
    const rest = expected ?? '';
    let n = 0;
    while (n < s.text.length && s.text[n] === rest[n]) n++;
    const text = s.text.slice(0, n);
    return codePointCount(text) >= MIN_ACCEPTED_CHARS ? { ...s, text } : NOTHING;
  });

/** `engine`, recording each suggestion of 2+ characters it returns: its product and whether it was right. */
const recording = (engine: ServingEngine, into: Array<[number, boolean]>) =>
  mapSuggestions(engine, (s, expected) => {
    if (codePointCount(s.text) >= MIN_ACCEPTED_CHARS && expected !== undefined) into.push([s.probability, expected.startsWith(s.text)]);
    return s;
  });

/** Share right per tenth of the product: [from, suggestions, mean product, share right]. */
function calibrationTable(records: ReadonlyArray<[number, boolean]>): Array<[number, number, number, number]> {
  const rows: Array<[number, number, number, number]> = [];
  for (let k = 0; k < 10; k++) {
    const lo = k / 10;
    const inBin = records.filter(([p]) => p >= lo && (p < lo + 0.1 || k === 9));
    if (!inBin.length) continue;
    const mean = inBin.reduce((s, [p]) => s + p, 0) / inBin.length;
    rows.push([lo, inBin.length, +mean.toFixed(3), +(inBin.filter(([, right]) => right).length / inBin.length).toFixed(3)]);
  }
  return rows;
}

/** Top-1 accuracy of the n-gram (with its cache), the model, the mix, and either of the first two. */
async function topOne(model: SequenceModel, tok: EngineTokenizer, ngram: NgramModel, gate: HybridGate, texts: readonly string[], adaptationRate: number) {
  const stepper = tfjsStepper(model);
  const right = { ngram: 0, model: 0, mix: 0, either: 0 };
  let positions = 0;
  for (const text of texts) {
    const side = new NgramSide(ngram, tok, DEFAULT_DOCUMENT_CACHE);
    // The network as served: learning the file as it reads it (dynamicEvaluation.ts).
    const adaptation = adaptationRate > 0 ? new OutputAdaptation(tok.vocabSize, adaptationRate) : null;
    let state = stepper.initialState();
    let last: { logits: Float32Array; hidden?: Float32Array } | null = null;
    for (let t = 0; t < text.length; t++) {
      const ids = tok.encode(text[t]);
      const probs = last && softmax(adaptation && last.hidden ? adaptation.adjust(last.logits, last.hidden) : last.logits);
      if (probs && ids.length === 1) {
        side.sync(text.slice(0, t));
        const ngramProbs = side.distribution(text.slice(0, t));
        const a = argmax(ngramProbs) === ids[0];
        const b = argmax(probs) === ids[0];
        positions++;
        right.ngram += +a;
        right.model += +b;
        right.either += +(a || b);
        right.mix += +(argmax(mixAt(gate, ngramProbs, probs).mixed) === ids[0]);
      }
      if (!ids.length) continue;
      if (adaptation && last?.hidden) adaptation.learn(last.logits, last.hidden, ids[0]);
      const out = await stepper.feed(state, ids);
      stepper.releaseState?.(state);
      state = out.state;
      last = out;
    }
    stepper.releaseState?.(state);
    side.dispose();
  }
  return { positions, ...Object.fromEntries(Object.entries(right).map(([k, v]) => [k, +(v / positions).toFixed(4)])) };
}

async function main(): Promise<void> {
  const parsed = parseOrShowHelp(SPEC, process.argv.slice(2));
  if (!parsed) return;
  const root = parsed.positionals[0];
  const modelPath = parsed.options.string('model');
  if (!modelPath) throw new UsageError('--model FILE is required');
  const minShownRaw = parsed.options.string('min-shown');
  const minShown = minShownRaw === undefined ? DEFAULT_MIN_SHOWN : minShownRaw.split(',').map((s) => parseOptionValue(PROBABILITY, s.trim()) as number);
  const split = splitTexts(readCorpus(root).files, { seed: 0, validationFraction: 0.1 });
  const validation = split.validation.map((f) => f.text);
  const held = limitCharacters(validation, parsed.options.number('chars', DEFAULT_CHARS));
  const characters = held.reduce((s, t) => s + t.length, 0);
  const ngram = NgramModel.train(
    split.train.map((f) => f.text),
    { order: WORKSPACE_NGRAM_ORDER },
  );
  await useBackend('wasm', { wasmPaths: nodeWasmPaths() });
  const loaded = loadModelFile(readFileSync(modelPath));
  if (loaded.kind !== 'neural' || loaded.tokenizer.kind !== 'char') throw new UsageError('--model must be a neural model on characters');
  const { model, tokenizer } = loaded;
  const stepper = tfjsStepper(model);
  const adaptationRate = parsed.options.number('adaptation-rate', DEFAULT_DECODING.adaptationRate);
  const stored = parsed.options.flag('fit-gate') ? undefined : validationCompletionOf(loaded.metadata)?.hybrid?.gate;
  const gate = stored ?? (await fitHybridGate(stepper, tokenizer, ngram, validation, held, undefined, adaptationRate)).gate;
  const served: DecodingOptions = { ...DEFAULT_DECODING, adaptationRate };

  const engines: Record<string, (decoding: DecodingOptions) => ServingEngine> = {
    ngram: (d) => ngramServing('n-gram', ngram, d),
    model: (d) => neuralServing('model', 'tfjs', stepper, model, tokenizer, d),
    hybrid: (d) => neuralServing('hybrid', 'tfjs', stepper, model, tokenizer, d, () => ngramBlend(new NgramSide(ngram, tokenizer, DEFAULT_DOCUMENT_CACHE), gate)),
  };
  const gainDecoding = (min: number): DecodingOptions => ({ ...served, minProbability: 0, minSuggestionProbability: GAIN_FLOOR, expectedGainCut: { minShown: min } });
  const rules: Array<{ rule: string; decoding: DecodingOptions; wrap?: (e: ServingEngine) => ServingEngine }> = [
    { rule: 'default', decoding: served },
    ...minShown.map((m) => ({ rule: `expected-gain, min-shown ${m}`, decoding: gainDecoding(m) })),
    { rule: 'oracle cut', decoding: { ...served, minProbability: 0, minSuggestionProbability: 0 }, wrap: oracleCut },
  ];
  const common = { root, model: modelPath, gate: stored ? 'stored' : 'fitted', adaptationRate, characters };
  for (const [name, make] of Object.entries(engines)) {
    for (const { rule, decoding, wrap } of rules) {
      const engine = make(decoding);
      const records: Array<[number, boolean]> = [];
      const r = await keystrokeSavings(wrap ? wrap(engine) : recording(engine, records), held);
      engine.dispose();
      const calibration = rule === `expected-gain, min-shown 0` ? { calibration: calibrationTable(records) } : {};
      console.log(JSON.stringify({ ...common, engine: name, rule, keystrokeSavings: r.savings, precision: r.precision, shown: r.shownSuggestions, acceptedCharsPerShown: r.acceptedCharsPerShown, ...calibration }));
    }
  }
  console.log(JSON.stringify({ ...common, topOne: await topOne(model, tokenizer, ngram, gate, held, adaptationRate) }));
  model.dispose();
}

runScript(SPEC, main);
