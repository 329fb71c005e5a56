// `seqlab complete`: continue a prefix with a saved model, through the same completion engine
// the evaluation replays against.
import type { BackendName } from '../../core/backend/backend';
import { DEFAULT_DECODING, neuralEngine, ngramEngine, type DecodingOptions } from '../../core/completion/engine';
import { ngramBlend, NgramSide } from '../../core/completion/hybrid';
import { tfjsStepper } from '../../core/completion/stepper';
import { DEFAULT_DOCUMENT_CACHE } from '../../core/ngram/documentCache';
import { Options, type CommandSpec, type ParsedArgs } from '../args';
import { backendOption, countsOption, hybridCounts, jsonOption, printJson, readModel, type CliIO, type Command } from './common';

/** The `--json` result of a completion. */
export interface CompleteJson {
  readonly completion: string;
  readonly meanProbability: number;
  /** The model's chance that the completion is exactly right: the product of its token probabilities. */
  readonly probability: number;
}

/** Most tokens one completion may ask for: far past any line, short of an unbounded loop. */
export const MAX_TOKENS_LIMIT = 100_000;
const DEFAULT_MAX_TOKENS = 64;

const spec: CommandSpec = {
  name: 'complete',
  brief: 'Continue a prefix with a model.',
  summary: 'Print how a model continues --prefix: one line unless --multiline is given.',
  positionals: [{ name: 'model', description: 'Model file written by `seqlab train`.' }],
  options: [
    { name: 'prefix', kind: 'string', valueName: 'TEXT', required: true, description: 'Text to continue.' },
    { name: 'max-tokens', kind: 'integer', valueName: 'N', min: 1, max: MAX_TOKENS_LIMIT, defaultText: String(DEFAULT_MAX_TOKENS), description: 'Most tokens (n-gram: characters) to add.' },
    { name: 'temperature', kind: 'number', valueName: 'T', min: 0, max: 100, defaultText: '0 (greedy)', description: 'Sampling temperature.' },
    { name: 'seed', kind: 'integer', valueName: 'N', min: 0, max: 2 ** 32 - 1, defaultText: '0', description: 'Seed of the sampler (temperature > 0).' },
    { name: 'min-probability', kind: 'number', valueName: 'P', min: 0, max: 1, defaultText: '0', description: 'End before a token the model gives less than P.' },
    {
      name: 'min-suggestion-probability',
      kind: 'number',
      valueName: 'P',
      min: 0,
      max: 1,
      defaultText: '0',
      description: 'End before the token that would bring the product of the token probabilities below P.',
    },
    { name: 'multiline', kind: 'flag', description: 'Go on past the end of the line.' },
    countsOption,
    backendOption,
    jsonOption,
  ],
  examples: ['seqlab complete lstm.seqlab --prefix "function add(a, b) {"', 'seqlab complete lstm.seqlab --prefix "const x = " --counts src/', "seqlab complete ngram.seqlab --prefix $'if (x) {\\n  ' --multiline --max-tokens 80"],
};

async function run(args: ParsedArgs, io: CliIO): Promise<void> {
  const o = new Options(args.options);
  const prefix = o.string('prefix', '');
  const options: DecodingOptions = {
    ...DEFAULT_DECODING,
    maxTokens: o.number('max-tokens', DEFAULT_MAX_TOKENS),
    temperature: o.number('temperature', 0),
    seed: o.number('seed', 0),
    multiline: o.flag('multiline'),
    minProbability: o.number('min-probability', 0),
    minSuggestionProbability: o.number('min-suggestion-probability', 0),
  };
  const modelPath = args.positionals[0];
  const loaded = await readModel(modelPath, o.string('backend', 'wasm') as BackendName);
  const counts = hybridCounts(o.string('counts'), modelPath, loaded);
  const blend = counts && loaded.kind === 'neural' ? ngramBlend(new NgramSide(counts.ngram, loaded.tokenizer, DEFAULT_DOCUMENT_CACHE), counts.gate) : undefined;
  const engine =
    loaded.kind === 'ngram' ? ngramEngine(loaded.ngram, options, DEFAULT_DOCUMENT_CACHE) : neuralEngine(tfjsStepper(loaded.model), loaded.tokenizer, options, undefined, blend);
  let result: CompleteJson;
  try {
    const suggestion = await engine.suggest(prefix);
    result = { completion: suggestion.text, meanProbability: suggestion.meanProbability, probability: suggestion.probability };
  } finally {
    engine.dispose();
    if (loaded.kind === 'neural') loaded.model.dispose();
  }
  if (o.flag('json')) printJson(io, result);
  else io.stdout.write(result.completion + '\n');
}

export const completeCommand: Command = { spec, run };
