// The pretrained start: a model trained on several MB of permissively licensed source code
// (models/BASE-SOURCES.md) with a fixed vocabulary (tokenizers' ASCII_CHARS), so any workspace can
// be trained from it. Training on the workspace fine-tunes it instead of starting from random
// weights; five minutes then go into learning the workspace rather than learning code itself.
import type { ModelMetadata } from '../modelFile';
import type { Arch, Preset } from '../models/sequenceModel';
import type { TokenizerKind } from '../tokenizers/tokenizer';

/** The base model's file name in the extension's models/ folder. */
export const BASE_MODEL_FILE = 'base-lstm-small-ascii.seqlab';

/** The choices the base model can start: its architecture, tokenizer and size. */
export const BASE_MODEL_SHAPE = { arch: 'lstm', tokenizer: 'char', preset: 'small' } as const satisfies {
  arch: Arch;
  tokenizer: TokenizerKind;
  preset: Preset;
};

/** Whether a run with these choices can start from the base model. */
export function fitsBaseModel(choices: { readonly arch: Arch; readonly tokenizer: TokenizerKind; readonly preset: Preset }): boolean {
  return choices.arch === BASE_MODEL_SHAPE.arch && choices.tokenizer === BASE_MODEL_SHAPE.tokenizer && choices.preset === BASE_MODEL_SHAPE.preset;
}

/** What a fine-tuned model's metadata says about the model it started from (`metadata.base`). */
export interface BaseModelRecord {
  readonly name: string;
  readonly createdAt: string;
  /** Characters of the base's training text, when its file says. */
  readonly characters?: number;
  readonly steps?: number;
  readonly validationBitsPerChar?: number;
}

export function baseModelRecord(name: string, metadata: ModelMetadata): BaseModelRecord {
  const training = metadata.training;
  const lastBits = training?.lastEval?.validationBitsPerChar;
  return {
    name,
    createdAt: metadata.createdAt,
    ...(typeof metadata.corpus?.characters === 'number' ? { characters: metadata.corpus.characters } : {}),
    ...(typeof training?.steps === 'number' ? { steps: training.steps } : {}),
    ...(typeof lastBits === 'number' ? { validationBitsPerChar: lastBits } : {}),
  };
}
