// The one neural completion engine over its two steppers: tfjs `step` and ONNX Runtime's step
// graph (asynchronous, chunked priming), and a call superseded by a newer one.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_DECODING, neuralEngine, Superseded, type DecodingOptions } from '../../src/core/completion/engine';
import { tfjsStepper } from '../../src/core/completion/stepper';
import { createModel, presetConfig, type Arch, type SequenceModel } from '../../src/core/models';
import { exportOnnx } from '../../src/core/onnx/export';
import { CharTokenizer } from '../../src/core/tokenizers';
import { loadOnnxRuntime } from '../../src/node/onnxRuntime';
import { createOnnxStepper } from '../../src/node/onnxStepper';
import { assertNoLeak, useTestBackend } from './tfSetup';

const TEXT = [
  'function add(a, b) {\n  return a + b;\n}\n',
  'function sub(a, b) {\n  return a - b;\n}\n',
  'const total = add(1, 2) + sub(4, 3);\nconsole.log(total);\n',
].join('');

// Dynamic evaluation on, at a rate that moves the suggestions: the two steppers' top-layer states must agree too.
const DECODING: DecodingOptions = { ...DEFAULT_DECODING, maxTokens: 16, minProbability: 0, minSuggestionProbability: 0, adaptationRate: 0.1 };

/** A model whose logits are spread out (output weights scaled), so greedy choices have clear margins. */
function peakedModel(arch: Arch, vocabSize: number): SequenceModel {
  const model = createModel(presetConfig(arch, 'nano', vocabSize, { seed: 11 }));
  const name = arch === 'transformer' ? 'head/kernel' : 'output/kernel';
  const kernel = model.weights.get(name)!;
  kernel.assign(tf.tidy(() => kernel.mul(arch === 'transformer' ? 40 : 12)));
  return model;
}

/** Prefixes of a person typing through TEXT, with a jump back and a deletion mixed in. */
function typingPrefixes(): string[] {
  const out: string[] = [];
  for (let end = 20; end < 70; end++) out.push(TEXT.slice(0, end));
  out.push(TEXT.slice(0, 40)); // jumped back
  out.push(TEXT.slice(0, 40) + 'zz'); // typed something new
  for (let end = 70; end < 95; end += 3) out.push(TEXT.slice(0, end));
  return out;
}

describe('completion engine over its steppers', function () {
  this.timeout(120_000);
  before(useTestBackend);

  it('gives up a call that a newer one supersedes, and the newer one is right', async () => {
    const tokenizer = CharTokenizer.build([TEXT]);
    const model = peakedModel('gru', tokenizer.vocabSize);
    try {
      await assertNoLeak(async () => {
        const engine = neuralEngine(tfjsStepper(model), tokenizer, DECODING, 64);
        const fresh = neuralEngine(tfjsStepper(model), tokenizer, DECODING, 64);
        const first = engine.suggest(TEXT.slice(0, 30));
        const second = engine.suggest(TEXT.slice(0, 31));
        await assert.rejects(first, Superseded);
        const expected = await fresh.suggest(TEXT.slice(0, 31));
        assert.ok(expected.text.length > 0);
        assert.deepEqual(await second, expected);
        engine.dispose();
        fresh.dispose();
      });
    } finally {
      model.dispose();
    }
  });

  for (const arch of ['lstm', 'gru', 'transformer'] as const) {
    it(`over ONNX Runtime matches the tfjs engine and costs one run a typed character (${arch})`, async () => {
      const ort = await loadOnnxRuntime();
      const tokenizer = CharTokenizer.build([TEXT]);
      const model = peakedModel(arch, tokenizer.vocabSize);
      const contextChars = 48;
      const stepper = await createOnnxStepper(ort, exportOnnx(model).step, model.config);
      const core = neuralEngine(tfjsStepper(model), tokenizer, DECODING, contextChars);
      const onnx = neuralEngine(stepper, tokenizer, DECODING, contextChars);
      try {
        let nonEmpty = 0;
        for (const prefix of typingPrefixes()) {
          const expected = await core.suggest(prefix);
          if (expected.text) nonEmpty++;
          const got = await onnx.suggest(prefix);
          assert.equal(got.text, expected.text, JSON.stringify(prefix));
          // Logits agree within 1e-4 (docs/onnx.md); the scaled output layer magnifies that.
          assert.ok(Math.abs(got.meanProbability - expected.meanProbability) < 2e-3, `${got.meanProbability} vs ${expected.meanProbability}`);
        }
        assert.ok(nonEmpty > 20, `${nonEmpty} non-empty suggestions`);
        // A fresh window: one run primes the whole context, then one run per suggested token.
        const fresh = neuralEngine(stepper, tokenizer, DECODING, contextChars);
        let runs = stepper.runs;
        const s = await fresh.suggest(TEXT.slice(0, 60));
        assert.ok(s.text.length >= 2, `suggestion ${JSON.stringify(s.text)}`);
        const tokens = [...s.text].length;
        // Each suggested token is fed to see what follows it; a closing line break is not.
        assert.equal(stepper.runs - runs, 1 + tokens);
        // Typing the suggestion's next character: the rest comes from the states already
        // computed; at most the one token past its end costs a run.
        runs = stepper.runs;
        const along = await fresh.suggest(TEXT.slice(0, 60) + s.text[0]);
        assert.ok(along.text.startsWith(s.text.slice(1)), JSON.stringify([along.text, s.text]));
        assert.ok(stepper.runs - runs <= 1, `${stepper.runs - runs} runs`);
        fresh.dispose();
      } finally {
        core.dispose();
        await stepper.release();
        model.dispose();
      }
    });
  }
});
