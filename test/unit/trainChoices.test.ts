// What the Train command asks and accepts: quick-pick items with the setting's value first,
// the one-line description of "train with defaults", argument validation, and the run's spec.
import * as assert from 'node:assert/strict';
import {
  ARCH_OPTIONS,
  defaultModelName,
  describeChoices,
  minuteOptions,
  parseTrainArgs,
  pickItems,
  PRESET_OPTIONS,
  startsFromBase,
  trainingSpec,
  type TrainChoices,
} from '../../src/extension/training/trainChoices';

const defaults: TrainChoices = { arch: 'lstm', tokenizer: 'char', preset: 'small', minutes: 5 };

describe('train command choices', () => {
  it('puts the default from settings first and marks it', () => {
    const items = pickItems(ARCH_OPTIONS, 'gru');
    assert.deepEqual(
      items.map((i) => i.value),
      ['gru', 'lstm', 'rnn', 'transformer'],
    );
    assert.equal(items[0].description, 'default (from settings)');
    assert.ok(items.slice(1).every((i) => i.description === undefined));
    assert.deepEqual(
      pickItems(PRESET_OPTIONS, 'nano').map((i) => i.value),
      ['nano', 'small', 'medium'],
    );
  });

  it('offers the configured time budget even when it is not a usual one', () => {
    assert.deepEqual(
      minuteOptions(5).map((o) => o.label),
      ['30 s', '1 min', '2 min', '5 min', '10 min', '20 min', '30 min', '60 min'],
    );
    assert.deepEqual(
      minuteOptions(0.1).map((o) => o.value).slice(0, 2),
      [0.1, 0.5],
    );
    assert.equal(pickItems(minuteOptions(7), 7)[0].label, '7 min');
  });

  it('describes "train with defaults" in one line', () => {
    assert.equal(describeChoices(defaults), 'LSTM · Characters · Small · 5 min');
    assert.equal(describeChoices({ arch: 'transformer', tokenizer: 'word', preset: 'nano', minutes: 0.5 }), 'Transformer · Code-aware words · Nano · 30 s');
    assert.equal(defaultModelName(defaults, 'my-app'), 'LSTM small · char · my-app');
    assert.equal(describeChoices(defaults, true), 'LSTM · Characters · Small · 5 min · from the base model');
  });

  it('starts from the base model only when asked and the choices are its shape (LSTM small on characters)', () => {
    assert.equal(startsFromBase(defaults, 'base'), true);
    assert.equal(startsFromBase(defaults, 'scratch'), false);
    for (const other of [{ arch: 'gru' }, { preset: 'nano' }, { tokenizer: 'word' }] as const) {
      assert.equal(startsFromBase({ ...defaults, ...other }, 'base'), false, JSON.stringify(other));
    }
    assert.equal(parseTrainArgs({ startFrom: 'scratch' }, defaults).args.startFrom, 'scratch');
    assert.throws(() => parseTrainArgs({ startFrom: 'random' }, defaults), /startFrom must be one of base, scratch/);
  });

  it('fills missing arguments from the defaults; a step budget alone means no time limit', () => {
    assert.deepEqual(parseTrainArgs({ arch: 'gru' }, defaults).choices, { ...defaults, arch: 'gru' });
    assert.deepEqual(parseTrainArgs({ preset: 'nano', minutes: 0.1 }, defaults).choices, { ...defaults, preset: 'nano', minutes: 0.1 });
    assert.equal(parseTrainArgs({ steps: 20 }, defaults).choices.minutes, Infinity);
  });

  it('rejects unknown options and out-of-range values, naming them', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ arch: 'xl' }, /arch must be one of lstm, gru, rnn, transformer, got "xl"/],
      [{ stepz: 3 }, /unknown option "stepz"/],
      [{ minutes: -1 }, /minutes must be a number from/],
      [{ steps: 2.5 }, /steps must be an integer/],
      [{ confirm: 'no' }, /confirm must be true or false/],
      [{ include: 'src/**' }, /include must be an array of glob strings/],
      ['lstm', /must be an object/],
    ];
    for (const [args, message] of cases) assert.throws(() => parseTrainArgs(args, defaults), message);
  });

  it('builds the run: Transformer windows fit its context; evaluations twice in a short step budget', () => {
    const spec = trainingSpec({ arch: 'transformer', tokenizer: 'char', preset: 'nano', minutes: 2 }, { seqLen: 128 }, 'name');
    assert.equal(spec.seqLen, 64);
    // By default a Transformer trains on its whole context (serving asks about every position in
    // it); a recurrent model on 64-token windows.
    assert.equal(trainingSpec({ arch: 'transformer', tokenizer: 'char', preset: 'small', minutes: 5 }, {}, 'name').seqLen, 128);
    assert.equal(trainingSpec({ arch: 'lstm', tokenizer: 'char', preset: 'small', minutes: 5 }, {}, 'name').seqLen, 64);
    assert.equal(spec.maxTimeMs, 120_000);
    assert.equal(spec.maxSteps, null);
    assert.equal(spec.evalEvery, 100);
    const short = trainingSpec({ ...defaults, minutes: Infinity }, { steps: 12 }, 'name');
    assert.equal(short.maxTimeMs, null);
    assert.equal(short.maxSteps, 12);
    assert.equal(short.evalEvery, 6);
  });
});
