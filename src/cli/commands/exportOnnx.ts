// `seqlab export-onnx`: a neural model file → its two ONNX graphs (core/onnx/export.ts does
// the work, so that the extension's Export Model command writes the same bytes).
import type { BackendName } from '../../core/backend/backend';
import { exportOnnx, stepGraphPath } from '../../core/onnx/export';
import { checkOutputs, OutputError, writeFileAtomic } from '../../node/atomicWrite';
import { Options, type CommandSpec, type ParsedArgs } from '../args';
import { backendOption, CliError, formatNumber, jsonOption, printJson, readModel, type CliIO, type Command } from './common';

/** The `--json` result of an export. */
export interface ExportOnnxJson {
  readonly full: string;
  readonly step: string;
  readonly fullBytes: number;
  readonly stepBytes: number;
}

const spec: CommandSpec = {
  name: 'export-onnx',
  brief: 'Export a neural model to ONNX.',
  summary:
    'Write a neural model as two ONNX files (opset 17): <out>, the full-sequence graph (input_ids →\n' +
    'logits), and <out> with ".step.onnx" in place of ".onnx", the step graph that also takes and\n' +
    'returns the recurrent state or key/value cache. docs/onnx.md describes their inputs and outputs.',
  positionals: [
    { name: 'model', description: 'Model file written by `seqlab train` (not an n-gram model).' },
    { name: 'out', description: 'ONNX file to write, e.g. model.onnx.' },
  ],
  options: [backendOption, jsonOption],
  examples: ['seqlab export-onnx lstm.seqlab lstm.onnx   # writes lstm.onnx and lstm.step.onnx'],
};

async function run(args: ParsedArgs, io: CliIO): Promise<void> {
  const o = new Options(args.options);
  const [modelPath, out] = args.positionals;
  const step = stepGraphPath(out);
  try {
    checkOutputs([out, step], [modelPath]);
  } catch (e) {
    if (e instanceof OutputError) throw new CliError(e.message);
    throw e;
  }
  const loaded = await readModel(modelPath, o.string('backend', 'wasm') as BackendName);
  if (loaded.kind !== 'neural') throw new CliError(`"${modelPath}" is an n-gram model; only neural models have an ONNX form`);
  let graphs;
  try {
    graphs = exportOnnx(loaded.model, { tokenizer: loaded.tokenizer });
  } finally {
    loaded.model.dispose();
  }
  // Each file atomically: killed midway, a previous export is still whole (at worst the full
  // graph is new and the step graph old; both are complete files).
  try {
    await writeFileAtomic(out, graphs.full);
    await writeFileAtomic(step, graphs.step);
  } catch (e) {
    throw new CliError(`cannot write "${out}": ${(e as Error).message}`);
  }
  const result: ExportOnnxJson = { full: out, step, fullBytes: graphs.full.length, stepBytes: graphs.step.length };
  if (o.flag('json')) printJson(io, result);
  else io.stdout.write(`wrote ${out} (${formatNumber(result.fullBytes)} bytes) and ${step} (${formatNumber(result.stepBytes)} bytes)\n`);
}

export const exportOnnxCommand: Command = { spec, run };
