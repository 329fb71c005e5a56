// The flags of `npm run bench`: declared for the CLI's argument layer, they give the same
// settings as the benchmark's hand-written parser did, and wrong values are UsageErrors.
import * as assert from 'node:assert/strict';
import { parseBenchArgs, SECTIONS, USAGE, type BenchArgs } from '../../bench/args';
import { UsageError } from '../../src/cli/args';

const FULL: BenchArgs = {
  json: false,
  quick: false,
  backends: ['wasm', 'cpu'],
  archs: ['rnn', 'gru', 'lstm', 'transformer'],
  sections: [...SECTIONS],
  seconds: 45,
  preset: 'small',
  steps: { wasm: 12, cpu: 2 },
  warmup: { wasm: 2, cpu: 1 },
  workers: undefined,
  lags: [5, 20, 50],
  longRangeSteps: 400,
  typedChars: 3000,
  coldSamples: 40,
  qualityChars: 6000,
  save: true,
  webgl: true,
  help: false,
};

const QUICK: BenchArgs = {
  ...FULL,
  quick: true,
  seconds: 8,
  steps: { wasm: 4, cpu: 1 },
  warmup: { wasm: 1, cpu: 1 },
  lags: [5, 20],
  longRangeSteps: 60,
  typedChars: 600,
  coldSamples: 10,
  qualityChars: 1500,
  save: false,
};

describe('bench arguments', () => {
  const good: Array<[string[], BenchArgs]> = [
    [[], FULL],
    [['--quick'], QUICK],
    [['--sections', 'quality', '--arch', 'lstm', '--seconds', '300'], { ...FULL, sections: ['quality'], archs: ['lstm'], seconds: 300 }],
    [['--skip', 'webviewTraining,gpuTraining'], { ...FULL, sections: ['training', 'longRange', 'heldOut', 'completion', 'quality'] }],
    [['--sections', 'training,heldOut', '--skip=heldOut'], { ...FULL, sections: ['training'] }],
    [
      ['--sections', 'training', '--only', 'wasm', '--arch', 'lstm,transformer', '--steps', '8'],
      { ...FULL, sections: ['training'], backends: ['wasm'], archs: ['lstm', 'transformer'], steps: { wasm: 8, cpu: 2 } },
    ],
    [['--quick', '--cpu-steps', '3', '--workers', '0'], { ...QUICK, steps: { wasm: 4, cpu: 3 }, workers: 0 }],
    [['--lags', '5, 10', '--long-range-steps', '100', '--preset', 'nano', '--seconds', '0.5'], { ...FULL, lags: [5, 10], longRangeSteps: 100, preset: 'nano', seconds: 0.5 }],
    [['--typed-chars', '500', '--quality-chars', '700', '--json'], { ...FULL, typedChars: 500, qualityChars: 700, json: true }],
    [['--quick', '--save'], { ...QUICK, save: true }],
    [['--no-save'], { ...FULL, save: false }],
    [['--sections', 'webviewTraining', '--no-webgl'], { ...FULL, sections: ['webviewTraining'], webgl: false }],
    [['--help'], { ...FULL, help: true }],
    [['--arch', 'cnn', '-h'], { ...FULL, help: true }],
  ];
  for (const [argv, expected] of good) {
    it(`parses: ${argv.join(' ') || '(no flags)'}`, () => assert.deepEqual(parseBenchArgs(argv), expected));
  }

  const bad: Array<[string[], string]> = [
    [['--only', 'wasm,webgl'], '--only must be one or more of wasm, cpu, comma-separated; got "webgl"'],
    [['--arch', 'cnn'], '--arch must be one or more of rnn, gru, lstm, transformer, comma-separated; got "cnn"'],
    [['--arch', ','], '--arch must be one or more of rnn, gru, lstm, transformer, comma-separated; got ","'],
    [['--sections', 'heldout'], `--sections must be one or more of ${SECTIONS.join(', ')}, comma-separated; got "heldout"`],
    [['--skip', 'training,gpu'], `--skip must be one or more of ${SECTIONS.join(', ')}, comma-separated; got "gpu"`],
    [['--lags', '5,0'], '--lags must be integers >= 1, comma-separated; got "0"'],
    [['--seconds', '0'], '--seconds must be a number > 0; got "0"'],
    [['--steps', '2.5'], '--steps must be an integer >= 1; got "2.5"'],
    [['--workers', '-1'], '--workers must be an integer >= 0; got "-1"'],
    [['--preset', 'medium'], '--preset must be one of nano, small; got "medium"'],
    [['--steps'], '--steps needs a value'],
    [['--save', '--no-save'], '--[no-]save given more than once'],
    [['--no-json'], 'unknown option --no-json'],
    [['--quick=yes'], '--quick takes no value'],
    [['--bogus'], 'unknown option --bogus'],
    [['quick'], 'unexpected argument "quick"'],
  ];
  for (const [argv, message] of bad) {
    it(`rejects: ${argv.join(' ')}`, () => {
      assert.throws(() => parseBenchArgs(argv), (e: unknown) => e instanceof UsageError && e.message === message);
    });
  }

  it('writes --help from the declarations', () => {
    assert.match(USAGE, /^Usage: npm run bench -- \[--json\] \[--quick\] \[--only BACKENDS\] /);
    assert.match(USAGE, /\n {2}--seconds N +Held-out: training seconds per architecture\. \(default: 45; 8 with --quick\)\n/);
    assert.match(USAGE, /\n {2}--lags N,\.\.\. +.* \(default: 5,20,50; 5,20 with --quick\)\n/);
    assert.match(USAGE, /\n {2}--\[no-\]save +.* \(default: save; no with --quick\)\n/);
    assert.match(USAGE, new RegExp(`\\n {2}--sections SECTIONS +.* One or more of: ${SECTIONS.join(', ')} \\(comma-separated\\)\\.`));
  });
});
