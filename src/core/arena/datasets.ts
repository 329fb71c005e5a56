// What an arena trains on: a lecture task (generated here from its seed, examples held out by
// a second seed and scored for answer accuracy), or texts from the editor (the active file,
// the workspace corpus), split by whole file as training does (a single file by position).
import { splitTexts, type TextFile } from '../corpus/splitTexts';
import { sequenceTask, type SequenceTaskSpec } from '../tasks';
import type { ArenaDataset } from './arena';

export type DatasetSpec =
  | { readonly kind: 'task'; readonly task: SequenceTaskSpec }
  | { readonly kind: 'texts'; readonly description: string; readonly files: readonly TextFile[] };

/** Held-out examples per task, drawn with seed + 1 (never the training seed). */
export const TASK_VALIDATION_EXAMPLES = 128;

export function taskDataset(spec: SequenceTaskSpec): ArenaDataset {
  const seed = spec.seed ?? 0;
  const train = sequenceTask({ ...spec, seed });
  const held = sequenceTask({ ...spec, seed: seed + 1, count: TASK_VALIDATION_EXAMPLES });
  return {
    description: `${train.title} (seed ${seed})`,
    train: train.examples.map((e) => e.text),
    validation: held.examples.map((e) => e.text),
    taskExamples: held.examples,
    taskChance: train.chanceAccuracy,
  };
}

export function textsDataset(description: string, files: readonly TextFile[]): ArenaDataset {
  const split = splitTexts(files);
  return { description, train: split.train.map((f) => f.text), validation: split.validation.map((f) => f.text) };
}

export function arenaDataset(spec: DatasetSpec): ArenaDataset {
  return spec.kind === 'task' ? taskDataset(spec.task) : textsDataset(spec.description, spec.files);
}
