// A model file and a tfjs model: saving reads the weights back from the variables, loading builds
// the model for the file's config and assigns the file's weights. Everything is checked by
// ./container.ts before any tensor exists; if building the model fails afterwards, what was
// created is disposed, so a bad file gives a ModelFileError, never a half-loaded model.
import * as tf from '@tensorflow/tfjs';
import { createModel as createModelDefault } from '../models';
import type { ModelConfig, SequenceModel } from '../models/sequenceModel';
import type { Tokenizer } from '../tokenizers';
import type { TrainingCheckpoint } from '../training/checkpoint';
import type { NamedArray, OptimizerState } from '../training/optimizers';
import { encodeNeuralFile, ModelFileError, readModelFile, type ModelMetadata, type NeuralFile, type NgramFile, type ReadOptions } from './container';

export interface NeuralModelFileContents {
  readonly model: SequenceModel;
  readonly tokenizer: Pick<Tokenizer, 'toJSON'>;
  /** createdAt defaults to now, backend to the active tfjs backend. */
  readonly metadata?: Partial<ModelMetadata>;
  /** Include to let training resume exactly (adds the optimiser's slots, ~2× the weights for Adam). */
  readonly checkpoint?: TrainingCheckpoint;
}

export interface LoadedNeuralModel {
  readonly kind: 'neural';
  readonly model: SequenceModel;
  readonly tokenizer: Tokenizer;
  readonly metadata: ModelMetadata;
  readonly checkpoint?: TrainingCheckpoint;
  /** Same as checkpoint?.optimizer. */
  readonly optimizerState?: OptimizerState;
}

export type LoadedNgramModel = NgramFile;

export type LoadedModelFile = LoadedNeuralModel | LoadedNgramModel;

export interface LoadOptions extends ReadOptions {
  /** Builds the model for a config (default: models/createModel). */
  readonly createModel?: (config: ModelConfig) => SequenceModel;
}

/** The model's weights as float32 arrays (read back synchronously). */
export function weightArraysOf(model: SequenceModel): NamedArray[] {
  return [...model.weights].map(([name, v]) => {
    if (v.dtype !== 'float32') throw new Error(`weight '${name}' is ${v.dtype}; model files hold float32 weights`);
    return { name, shape: v.shape, data: v.dataSync() as Float32Array };
  });
}

/** Serialises a neural model (weights read back synchronously) into a model file. */
export function saveModelFile(contents: NeuralModelFileContents): Uint8Array {
  return encodeNeuralFile({
    config: contents.model.config,
    tokenizer: contents.tokenizer.toJSON(),
    metadata: { ...contents.metadata, backend: contents.metadata?.backend ?? activeBackend() },
    weights: weightArraysOf(contents.model),
    ...(contents.checkpoint ? { checkpoint: contents.checkpoint } : {}),
  });
}

function activeBackend(): string | undefined {
  try {
    return tf.getBackend();
  } catch {
    return undefined;
  }
}

/** Loads a model file, building the tfjs model of a neural one. Throws ModelFileError. */
export function loadModelFile(bytes: Uint8Array, options: LoadOptions = {}): LoadedModelFile {
  const file = readModelFile(bytes, options);
  return file.kind === 'ngram' ? file : buildModel(file, options.createModel ?? createModelDefault);
}

function buildModel(file: NeuralFile, createModel: (config: ModelConfig) => SequenceModel): LoadedNeuralModel {
  const { config, weights, checkpoint } = file;
  const variablesBefore = new Set(Object.keys(tf.engine().registeredVariables));
  let model: SequenceModel | undefined;
  try {
    model = createModel(config);
    for (const [name, v] of model.weights) {
      const e = weights.get(name);
      if (!e) throw new ModelFileError('mismatch', `model file lacks weight '${name}' of its ${config.arch} model`);
      if (e.shape.length !== v.shape.length || e.shape.some((d, i) => d !== v.shape[i])) {
        throw new ModelFileError('mismatch', `model file's weight '${name}' has shape [${e.shape}], the model needs [${v.shape}]`);
      }
    }
    if (weights.size !== model.weights.size) {
      const extra = [...weights.keys()].filter((n) => !model!.weights.has(n));
      throw new ModelFileError('mismatch', `model file has weights its ${config.arch} model does not: ${extra.join(', ')}`);
    }
    if (checkpoint) {
      for (const s of checkpoint.optimizer.slots) {
        const weightName = s.name.slice(s.name.indexOf('/') + 1);
        const v = model.weights.get(weightName);
        if (!v || v.size !== s.data.length) {
          throw new ModelFileError('mismatch', `model file's optimizer slot '${s.name}' matches no weight of the model`);
        }
      }
    }
    for (const [name, v] of model.weights) {
      const data = weights.get(name)!.data as Float32Array;
      tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
    }
  } catch (e) {
    model?.dispose();
    // Variables a failing factory created before throwing are released too.
    for (const [name, v] of Object.entries(tf.engine().registeredVariables)) {
      if (!variablesBefore.has(name)) v.dispose();
    }
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError('malformed', `model file could not be loaded: ${(e as Error).message}`);
  }
  return {
    kind: 'neural',
    model,
    tokenizer: file.tokenizer,
    metadata: file.metadata,
    ...(checkpoint ? { checkpoint, optimizerState: checkpoint.optimizer } : {}),
  };
}
