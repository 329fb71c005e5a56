import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { generate, generateTokens } from '../../src/core/generation/generate';
import { endOfLine, firstStop, maxTokens, stopSequences, stopTokens } from '../../src/core/generation/stopping';
import { createRng } from '../../src/core/random';
import { alphabetCodec, LeakyBagModel, leakyBagConfig } from './leakyBagModel';
import { assertNoLeak, useTestBackend } from './tfSetup';

const codec = alphabetCodec('abcdefg \n');
const V = codec.vocabSize;

function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

describe('generation', () => {
  let model: LeakyBagModel;
  before(async () => {
    await useTestBackend();
    model = new LeakyBagModel(leakyBagConfig(V, 6, 11), 0.7);
    // Larger weights make a peaked, varied distribution.
    tf.tidy(() => model.weights.get('output/kernel')!.assign(model.weights.get('output/kernel')!.mul(4)));
  });
  after(() => model.dispose());

  /** Greedy decoding by re-running the whole sequence through `forward` each time. */
  function referenceGreedy(prompt: string, n: number) {
    const ids = codec.encode(prompt);
    const out: { id: number; probability: number }[] = [];
    for (let i = 0; i < n; i++) {
      const row = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).arraySync()[0][ids.length - 1]);
      const p = softmax(row);
      const id = p.indexOf(Math.max(...p));
      out.push({ id, probability: p[id] });
      ids.push(id);
    }
    return out;
  }

  it('greedy decoding with carried state equals re-running the prefix, with model probabilities', async () => {
    const result = await assertNoLeak(() => generate(model, codec, 'abc', { temperature: 0, maxTokens: 12 }));
    const reference = referenceGreedy('abc', 12);
    assert.equal(result.stopReason, 'maxTokens');
    assert.equal(result.promptTokens, 3);
    assert.deepEqual(result.tokens.map((t) => t.id), reference.map((r) => r.id));
    result.tokens.forEach((t, i) => {
      assert.ok(Math.abs(t.probability - reference[i].probability) < 1e-5);
      assert.equal(t.samplingProbability, 1);
    });
    assert.equal(result.text, codec.decode(reference.map((r) => r.id)));
    assert.equal(result.tokens.map((t) => t.text).join(''), result.text);
    const mean = reference.reduce((s, r) => s + r.probability, 0) / 12;
    assert.ok(Math.abs(result.meanProbability - mean) < 1e-5);
  });

  it('cuts at a stop sequence and reports only the tokens before it', () => {
    const free = generate(model, codec, 'ga', { temperature: 1, seed: 3, maxTokens: 40 });
    // A two-character stop sequence first occurring at position ≥ 2.
    let at = 2;
    while (free.text.indexOf(free.text.slice(at, at + 2)) !== at) at++;
    const stop = free.text.slice(at, at + 2);
    const cut = generate(model, codec, 'ga', { temperature: 1, seed: 3, maxTokens: 40, stop: ['zz', stop] });
    assert.equal(cut.stopReason, 'stopSequence');
    assert.equal(cut.text, free.text.slice(0, at));
    assert.equal(cut.tokens.length, at);
    assert.deepEqual(cut.tokens.map((t) => t.id), free.tokens.slice(0, at).map((t) => t.id));
    const mean = free.tokens.slice(0, at).reduce((s, t) => s + t.probability, 0) / at;
    assert.ok(Math.abs(cut.meanProbability - mean) < 1e-12);
  });

  it('stops at a stop token without keeping it, and at max tokens exactly', () => {
    const free = generate(model, codec, 'b', { temperature: 1.5, seed: 9, maxTokens: 30 });
    const id = free.tokens[5].id;
    const first = free.tokens.findIndex((t) => t.id === id);
    const r = generate(model, codec, 'b', { temperature: 1.5, seed: 9, maxTokens: 30, stopTokens: [id] });
    assert.equal(r.stopReason, 'stopToken');
    assert.equal(r.text, free.text.slice(0, first));
    const short = generate(model, codec, 'b', { temperature: 1.5, seed: 9, maxTokens: 4 });
    assert.equal(short.tokens.length, 4);
    assert.equal(short.text, free.text.slice(0, 4));
    const none = generate(model, codec, 'b', { maxTokens: 0 });
    assert.deepEqual([none.text, none.tokens.length, none.meanProbability, none.stopReason], ['', 0, 0, 'maxTokens']);
  });

  it('cuts a stop sequence that arrives as the last allowed token', () => {
    const free = generate(model, codec, 'b', { temperature: 1.5, seed: 9, maxTokens: 30 });
    const last = free.tokens[6].text; // stop on the 7th token's text, with room for exactly 7 tokens
    const first = free.text.indexOf(last);
    const r = generate(model, codec, 'b', { temperature: 1.5, seed: 9, maxTokens: first + 1, stop: [last] });
    assert.equal(r.stopReason, 'stopSequence');
    assert.equal(r.text, free.text.slice(0, first));
  });

  it('is reproducible from a seed and samples from the model distribution', () => {
    const a = generate(model, codec, 'cab', { temperature: 1.2, topK: 5, seed: 42, maxTokens: 25 });
    const b = generate(model, codec, 'cab', { temperature: 1.2, topK: 5, seed: 42, maxTokens: 25 });
    const c = generate(model, codec, 'cab', { temperature: 1.2, topK: 5, seed: 43, maxTokens: 25 });
    assert.deepEqual(a, b);
    assert.notEqual(a.text, c.text);

    const row = tf.tidy(() => model.forward(tf.tensor2d([codec.encode('cab')], [1, 3], 'int32')).arraySync()[0][2]);
    const p = softmax(row);
    const rng = createRng(1);
    const n = 3000;
    const counts = new Array(V).fill(0);
    for (let i = 0; i < n; i++) counts[generate(model, codec, 'cab', { rng, maxTokens: 1 }).tokens[0].id]++;
    let chi2 = 0;
    let dof = -1;
    for (let v = 0; v < V; v++) {
      if (n * p[v] < 5) continue;
      chi2 += (counts[v] - n * p[v]) ** 2 / (n * p[v]);
      dof++;
    }
    // P(χ² > 26.12) = 0.001 at 8 degrees of freedom (all 9 tokens are frequent enough here).
    assert.equal(dof, 8);
    assert.ok(chi2 < 26.12, `chi-square ${chi2.toFixed(1)} with ${dof} dof`);
  });

  it('uses only the last contextTokens of the prompt when asked', () => {
    const long = generate(model, codec, 'gfedcba', { temperature: 0, maxTokens: 6, contextTokens: 2 });
    const short = generate(model, codec, 'ba', { temperature: 0, maxTokens: 6 });
    assert.equal(long.text, short.text);
    assert.equal(long.promptTokens, 2);
  });

  it('leaks no tensors when iteration stops early or decoding throws', async () => {
    await assertNoLeak(() => {
      const seen = [];
      for (const token of generateTokens(model, codec, 'abc', { temperature: 0, maxTokens: 50 })) {
        seen.push(token);
        if (seen.length === 3) break;
      }
      assert.equal(seen.length, 3);
    });
    await assertNoLeak(() => {
      let calls = 0;
      const failing = { encode: codec.encode, decode: (ids: readonly number[]) => (++calls === 3 ? assert.fail('boom') : codec.decode(ids)) };
      assert.throws(() => generate(model, failing, 'abc', { maxTokens: 10 }), /boom/);
    });
    assert.throws(() => generate(model, codec, ''), /at least one token/);
  });
});

describe('stopping criteria', () => {
  const soFar = (text: string, lastTokenStart: number) => ({ ids: [...text].map(() => 0), text, lastTokenStart });

  it('stop sequences cut where the earliest match begins', () => {
    const c = stopSequences(['\n', 'end']);
    assert.deepEqual(c(soFar('abc\nd', 4)), { reason: 'stopSequence', keep: 3 });
    assert.deepEqual(c(soFar('the end', 6)), { reason: 'stopSequence', keep: 4 });
    assert.equal(c(soFar('the en', 5)), null);
    assert.deepEqual(endOfLine()(soFar('x\n', 1)), { reason: 'stopSequence', keep: 1 });
  });

  it('max tokens and stop tokens', () => {
    assert.deepEqual(maxTokens(2)(soFar('ab', 1)), { reason: 'maxTokens' });
    assert.equal(maxTokens(3)(soFar('ab', 1)), null);
    assert.deepEqual(stopTokens([0])(soFar('ab', 1)), { reason: 'stopToken', keep: 1 });
    assert.deepEqual(firstStop([maxTokens(5), stopTokens([0])], soFar('ab', 1)), { reason: 'stopToken', keep: 1 });
  });
});
