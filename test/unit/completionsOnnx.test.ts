// The stepped completion engine (asynchronous, chunked priming) against the core neural engine,
// over tfjs steps and over ONNX Runtime's step graph.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { neuralEngine } from '../../src/core/completionEngine';
import { createModel, presetConfig, type Arch, type ModelState, type SequenceModel } from '../../src/core/models';
import { exportOnnx } from '../../src/core/onnx/export';
import { CharTokenizer, WordTokenizer, type Tokenizer } from '../../src/core/tokenizers';
import { createOnnxStepper } from '../../src/extension/completions/onnxStepper';
import type { DecodingOptions } from '../../src/extension/completions/servingEngine';
import { steppedEngine, Superseded, type Stepper } from '../../src/extension/completions/steppedEngine';
import { loadOnnxRuntime } from '../../src/node/onnxRuntime';
import { useTestBackend } from './tfSetup';

const TEXT = [
  'function add(a, b) {\n  return a + b;\n}\n',
  'function sub(a, b) {\n  return a - b;\n}\n',
  'const total = add(1, 2) + sub(4, 3);\nconsole.log(total);\n',
].join('');

const DECODING: DecodingOptions = { maxTokens: 16, temperature: 0, topK: undefined, multiline: false, minProbability: 0, seed: 0 };

/** A model whose logits are spread out (output weights scaled), so greedy choices have clear margins. */
function peakedModel(arch: Arch, vocabSize: number): SequenceModel {
  const model = createModel(presetConfig(arch, 'nano', vocabSize, { seed: 11 }));
  const name = arch === 'transformer' ? 'head/kernel' : 'output/kernel';
  const kernel = model.weights.get(name)!;
  kernel.assign(tf.tidy(() => kernel.mul(arch === 'transformer' ? 40 : 12)));
  return model;
}

/** The tfjs model's own step as a Stepper: one step per token, the states kept alive (test only). */
function tfjsStepper(model: SequenceModel): Stepper<ModelState> & { calls: number; dispose(): void } {
  const states: ModelState[] = [];
  const initial = model.initialState();
  let calls = 0;
  return {
    initialState: () => initial,
    async feed(state, ids) {
      calls++;
      let s = state;
      let logits: Float32Array | undefined;
      for (const id of ids) {
        const out = model.step(s, id);
        states.push(out.state);
        s = out.state;
        logits = out.logits;
      }
      return { state: s, logits: logits! };
    },
    get calls() {
      return calls;
    },
    dispose() {
      for (const s of [initial, ...states]) for (const t of s.tensors) t.dispose();
    },
  };
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

describe('stepped completion engine', function () {
  this.timeout(120_000);
  before(useTestBackend);

  for (const kind of ['char', 'word'] as const) {
    it(`over tfjs steps equals the core neural engine exactly (${kind} tokenizer)`, async () => {
      const tokenizer: Tokenizer = kind === 'char' ? CharTokenizer.build([TEXT]) : WordTokenizer.build([TEXT]);
      const model = peakedModel('lstm', tokenizer.vocabSize);
      const stepper = tfjsStepper(model);
      const core = neuralEngine(model, tokenizer, { maxTokens: DECODING.maxTokens, contextChars: 48 });
      const stepped = steppedEngine(stepper, tokenizer, DECODING, 48);
      try {
        let nonEmpty = 0;
        for (const prefix of typingPrefixes()) {
          const expected = core.suggest(prefix);
          assert.deepEqual(await stepped.suggest(prefix), expected, JSON.stringify(prefix));
          if (expected.text) nonEmpty++;
        }
        assert.ok(nonEmpty > 20, `${nonEmpty} non-empty suggestions`);
      } finally {
        core.dispose();
        stepper.dispose();
        model.dispose();
      }
    });
  }

  it('gives up a call that a newer one supersedes, and the newer one is right', async () => {
    const tokenizer = CharTokenizer.build([TEXT]);
    const model = peakedModel('gru', tokenizer.vocabSize);
    const stepper = tfjsStepper(model);
    const stepped = steppedEngine(stepper, tokenizer, DECODING, 64);
    const core = neuralEngine(model, tokenizer, { maxTokens: DECODING.maxTokens, contextChars: 64 });
    try {
      const first = stepped.suggest(TEXT.slice(0, 30));
      const second = stepped.suggest(TEXT.slice(0, 31));
      await assert.rejects(first, Superseded);
      assert.deepEqual(await second, core.suggest(TEXT.slice(0, 31)));
    } finally {
      core.dispose();
      stepper.dispose();
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
      const core = neuralEngine(model, tokenizer, { maxTokens: DECODING.maxTokens, contextChars });
      const onnx = steppedEngine(stepper, tokenizer, DECODING, contextChars);
      try {
        for (const prefix of typingPrefixes()) {
          const expected = core.suggest(prefix);
          const got = await onnx.suggest(prefix);
          assert.equal(got.text, expected.text, JSON.stringify(prefix));
          // Logits agree within 1e-4 (docs/onnx.md); the scaled output layer magnifies that.
          assert.ok(Math.abs(got.meanProbability - expected.meanProbability) < 2e-3, `${got.meanProbability} vs ${expected.meanProbability}`);
        }
        // A fresh window: one run primes the whole context, then one run per suggested token.
        const fresh = steppedEngine(stepper, tokenizer, DECODING, contextChars);
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
