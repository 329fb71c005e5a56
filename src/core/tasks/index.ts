// The lecture tasks a next-token model can be trained and compared on (the arena's datasets).
// The fill-in-the-blank task is not among them: its answer is in the middle of the text, and it
// is scored with the bidirectional RNN in maskedTraining.ts.
import { bracketsTask } from './brackets';
import { copyTask } from './copy';
import { longRangeRecallTask } from './longRangeRecall';
import type { LectureTask, TaskOptions } from './task';

export type SequenceTaskId = 'recall' | 'copy' | 'brackets';
export const SEQUENCE_TASKS: readonly SequenceTaskId[] = ['recall', 'copy', 'brackets'];

export interface SequenceTaskSpec extends TaskOptions {
  readonly id: SequenceTaskId;
  /** recall: the lag; copy: letters copied; brackets: prefix length. */
  readonly size?: number;
}

export function sequenceTask(spec: SequenceTaskSpec): LectureTask {
  const { id, size, ...options } = spec;
  switch (id) {
    case 'recall':
      return longRangeRecallTask({ ...options, lag: size });
    case 'copy':
      return copyTask({ ...options, length: size });
    case 'brackets':
      return bracketsTask({ ...options, length: size });
  }
}

export * from './task';
