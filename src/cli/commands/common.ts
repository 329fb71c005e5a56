// What the commands share: where output goes, how failures are told apart from usage mistakes,
// preparing the tfjs backend and reading a model file.
import { statSync } from 'node:fs';
import { useBackend, type BackendName } from '../../core/backend/backend';
import { describeModelFile, loadModelFile, ModelFileError, type LoadedModelFile } from '../../core/modelFile';
import { validationCompletionOf, WORKSPACE_NGRAM_ORDER } from '../../core/completion/autoServing';
import { DEFAULT_DECODING } from '../../core/completion/engine';
import type { HybridGate } from '../../core/completion/hybrid';
import { NgramModel } from '../../core/ngram/ngram';
import { readCorpus } from '../../node/corpus';
import { readModelFileBytes } from '../../node/modelFileReader';
import { nodeWasmPaths } from '../../node/wasmPaths';
import { UsageError, type CommandSpec, type OptionSpec, type ParsedArgs } from '../args';
import type { ProgressStream } from '../progressBar';

export interface CliIO {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
}

export interface Command {
  readonly spec: CommandSpec;
  run(args: ParsedArgs, io: CliIO): Promise<void>;
}

/** The command was called right but could not do its work (exit code 1). */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export const BACKENDS = ['wasm', 'cpu'] as const;

export const backendOption: OptionSpec = {
  name: 'backend',
  kind: 'choice',
  choices: BACKENDS,
  defaultText: 'wasm',
  description: 'TensorFlow.js backend for neural models.',
};

export const jsonOption: OptionSpec = {
  name: 'json',
  kind: 'flag',
  description: 'Make the last line of stdout one JSON object with the results.',
};

/** Activates the tfjs backend, with the wasm files found next to the bundle. */
export async function prepareBackend(name: BackendName): Promise<BackendName> {
  try {
    return await useBackend(name, { wasmPaths: nodeWasmPaths() });
  } catch (e) {
    throw new CliError(`could not start the ${name} backend: ${(e as Error).message}`);
  }
}

/** Throws a UsageError unless `path` is an existing file (or folder, when `folder` is set). */
export function requirePath(path: string, what: string, kind: 'file' | 'folder' | 'either'): 'file' | 'folder' {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new UsageError(`${what} "${path}" does not exist`);
  }
  if (stats.isDirectory()) {
    if (kind === 'file') throw new UsageError(`${what} "${path}" is a folder, not a file`);
    return 'folder';
  }
  if (kind === 'folder') throw new UsageError(`${what} "${path}" is not a folder`);
  return 'file';
}

/** Reads and loads a model file, starting `backend` first if the model is a neural one. */
export async function readModel(path: string, backend: BackendName): Promise<LoadedModelFile> {
  requirePath(path, 'model file', 'file');
  const cannot = (e: unknown) =>
    new CliError(`cannot load model "${path}"${e instanceof ModelFileError ? ` [${e.code}]` : ''}: ${(e as Error).message}`);
  let bytes: Uint8Array;
  let kind: 'neural' | 'ngram';
  try {
    bytes = readModelFileBytes(path);
    kind = describeModelFile(bytes).kind;
  } catch (e) {
    throw cannot(e);
  }
  if (kind === 'neural') await prepareBackend(backend);
  try {
    return loadModelFile(bytes);
  } catch (e) {
    throw cannot(e);
  }
}

/** The `--adaptation-rate R` option: `seqlab.completions.adaptationRate`, dynamic evaluation's step size. */
export const adaptationRateOption: OptionSpec = {
  name: 'adaptation-rate',
  kind: 'number',
  valueName: 'R',
  min: 0,
  max: 1,
  defaultText: String(DEFAULT_DECODING.adaptationRate),
  description: 'Dynamic evaluation: a recurrent model keeps learning the text it reads, one step of this size on its output layer per character (0: off), as the editor does.',
};

/** The `--counts FOLDER` option of eval and complete. */
export const countsOption: OptionSpec = {
  name: 'counts',
  kind: 'string',
  valueName: 'FOLDER',
  description:
    'Serve a character model as the editor does when its training measured the hybrid best: mixed with an n-gram counted on FOLDER (the workspace) and the document cache.',
};

/**
 * With `--counts FOLDER`: the model's hybrid gate and the n-gram the editor's workspace n-gram
 * would count on FOLDER; undefined without the option. A model without a gate is refused (and
 * disposed), since it would not serve as the hybrid in the editor either.
 */
export function hybridCounts(countsFolder: string | undefined, modelPath: string, loaded: LoadedModelFile): { gate: HybridGate; ngram: NgramModel } | undefined {
  if (countsFolder === undefined) return undefined;
  const gate = validationCompletionOf(loaded.metadata)?.hybrid?.gate;
  if (!gate || loaded.kind !== 'neural') {
    if (loaded.kind === 'neural') loaded.model.dispose();
    throw new CliError(`--counts: "${modelPath}" has no hybrid gate (a character model trained by this version measures one at the end of training)`);
  }
  requirePath(countsFolder, '--counts', 'folder');
  return { gate, ngram: NgramModel.train(readCorpus(countsFolder).files.map((f) => f.text), { order: WORKSPACE_NGRAM_ORDER }) };
}

/** Writes `value` as the single JSON line that ends stdout. */
export function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + '\n');
}

/** 12345 → "12,345"; 0.1234 → "0.123" (for people, not for --json). */
export function formatNumber(value: number, fractionDigits = 0): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
}

export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : String(fraction);
}
