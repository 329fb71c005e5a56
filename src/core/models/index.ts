// The one place that maps a config to its architecture's code.
import { createGru } from './gru';
import { createLstm } from './lstm';
import { createRnn } from './rnn';
import type { ModelConfig, SequenceModel } from './sequenceModel';
import { createTransformer } from './transformer';

export function createModel(config: ModelConfig): SequenceModel {
  switch (config.arch) {
    case 'rnn':
      return createRnn(config);
    case 'gru':
      return createGru(config);
    case 'lstm':
      return createLstm(config);
    case 'transformer':
      return createTransformer(config);
  }
}

export * from './sequenceModel';
export { defaultTrainingWindow, presetConfig } from './presets';
// Not a SequenceModel (it has no `step`: it reads ahead), so not in createModel; see its file.
export { createBidirectionalRnn, BIDIRECTIONAL_CANNOT_COMPLETE } from './bidirectionalRnn';
