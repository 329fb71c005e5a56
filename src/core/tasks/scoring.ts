// How well a next-token model solves a lecture task: with the true text fed in (teacher
// forcing), is the most likely next character the right one at every answer position? Reported
// per answer character and per example (all of its answer right), to read against the task's
// chance accuracy.
import { argmax } from '../generation/sampling';
import { disposeState, type SequenceModel } from '../models/sequenceModel';
import type { NgramModel } from '../ngram/ngram';
import type { Tokenizer } from '../tokenizers/tokenizer';
import type { TaskExample } from './task';

export interface TaskAccuracy {
  /** Share of answer characters predicted right. */
  readonly perCharacter: number;
  /** Share of examples whose whole answer is predicted right. */
  readonly exact: number;
}

/** The most likely character at each answer position i, given text[0..i−1]. */
export type AnswerPredictor = (example: TaskExample) => string[];

export function answerAccuracy(examples: readonly TaskExample[], predict: AnswerPredictor): TaskAccuracy {
  let chars = 0;
  let right = 0;
  let exact = 0;
  for (const example of examples) {
    const predicted = predict(example);
    let all = true;
    for (let i = example.answerStart; i < example.text.length; i++) {
      chars++;
      if (predicted[i - example.answerStart] === example.text[i]) right++;
      else all = false;
    }
    if (all) exact++;
  }
  return { perCharacter: chars ? right / chars : 0, exact: examples.length ? exact / examples.length : 0 };
}

/** A character model's predictions: one step per character of the text. */
export function neuralPredictor(model: SequenceModel, tokenizer: Tokenizer): AnswerPredictor {
  if (tokenizer.kind !== 'char') throw new Error('lecture tasks are scored with a character tokenizer');
  return (example) => {
    const ids = tokenizer.encode(example.text);
    const predicted: string[] = [];
    let state = model.initialState();
    try {
      for (let t = 0; t + 1 < ids.length; t++) {
        const out = model.step(state, ids[t]);
        disposeState(state);
        state = out.state;
        if (t + 1 >= example.answerStart) predicted.push(tokenizer.decode([argmax(out.logits)]));
      }
    } finally {
      disposeState(state);
    }
    return predicted;
  };
}

export function ngramPredictor(ngram: NgramModel): AnswerPredictor {
  return (example) => {
    const predicted: string[] = [];
    for (let i = example.answerStart; i < example.text.length; i++) {
      const { chars, probs } = ngram.distribution(example.text.slice(0, i));
      predicted.push(chars[argmax(probs)] ?? '');
    }
    return predicted;
  };
}
