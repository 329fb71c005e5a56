import * as assert from 'node:assert/strict';
import { DEFAULT_DECODING, neuralEngine, ngramEngine } from '../../src/core/completion/engine';
import {
  collectGateSamples,
  fitGate,
  gateFeatures,
  GATE_FEATURES,
  mixtureBits,
  mixAt,
  mixtureBitsGradient,
  ngramBlend,
  NgramSide,
  type GateSample,
} from '../../src/core/completion/hybrid';
import { tfjsStepper } from '../../src/core/completion/stepper';
import { charactersLeft } from '../../src/core/completion/validationCompletion';
import { limitCharacters } from '../../src/core/evaluation';
import { softmax } from '../../src/core/generation/sampling';
import { createModel, presetConfig } from '../../src/core/models';
import { disposeState } from '../../src/core/models/sequenceModel';
import { DEFAULT_DOCUMENT_CACHE } from '../../src/core/ngram/documentCache';
import { NgramModel } from '../../src/core/ngram/ngram';
import { buildTokenizer } from '../../src/core/tokenizers';
import { seededRandom } from './support/numeric';
import { assertNoLeak, useTestBackend } from './tfSetup';

const K = GATE_FEATURES.length;

/** Samples where the n-gram is right when it is sure (feature 1 high) and the model right otherwise. */
function contextDependentSamples(n: number, seed: number): GateSample[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const sure = random() < 0.5;
    const features = Float64Array.of(1, sure ? 0.9 : 0.2, random(), random(), random());
    return sure ? { features, ngram: 0.8, model: 0.05 } : { features, ngram: 0.05, model: 0.6 };
  });
}

describe('hybrid: the gate that mixes the network with the n-gram', () => {
  it('the analytic gradient of the mixture bits matches central finite differences', () => {
    const random = seededRandom(3);
    const samples: GateSample[] = Array.from({ length: 50 }, () => ({
      features: Float64Array.from({ length: K }, (_, i) => (i === 0 ? 1 : random())),
      ngram: random(),
      model: random(),
    }));
    const weights = Array.from({ length: K }, () => random() * 2 - 1);
    const analytic = mixtureBitsGradient({ weights }, samples);
    const h = 1e-5;
    for (let i = 0; i < K; i++) {
      const plus = weights.slice();
      const minus = weights.slice();
      plus[i] += h;
      minus[i] -= h;
      const numeric = (mixtureBits({ weights: plus }, samples) - mixtureBits({ weights: minus }, samples)) / (2 * h);
      assert.ok(Math.abs(numeric - analytic[i]) < 1e-6, `θ${i}: numeric ${numeric}, analytic ${analytic[i]}`);
    }
  });

  it('a fitted gate beats every fixed weight where which side is right depends on the context', () => {
    const fit = contextDependentSamples(2000, 1);
    const held = contextDependentSamples(2000, 2);
    const gate = fitGate(fit);
    assert.equal(gate.fittedOn, 2000);
    let bestFixed = Infinity;
    for (let w = 0.05; w < 1; w += 0.05) bestFixed = Math.min(bestFixed, mixtureBits({ weights: [Math.log(w / (1 - w)), 0, 0, 0, 0, 0, 0] }, held));
    const gated = mixtureBits(gate, held);
    assert.ok(gated < bestFixed - 0.5, `gated ${gated} bits, best fixed weight ${bestFixed}`);
    // It learned to trust the counts when they are sure.
    assert.ok(gate.weights[1] > 0, `weights ${gate.weights}`);
  });

  it('features: top probability and entropy (bits / 6) of each side, their agreement, whether their tops match', () => {
    const f = gateFeatures([0.5, 0.5, 0], [1, 0, 0]);
    assert.deepEqual(Array.from(f), [1, 0.5, 1 / 6, 1, 0, 0.5, 1]);
    const apart = gateFeatures([0.2, 0.8], [0.9, 0.1]);
    assert.ok(Math.abs(apart[5] - 0.26) < 1e-12, 'Σ 0.2·0.9 + 0.8·0.1');
    assert.equal(apart[6], 0);
  });

  it('mixes at the weight σ(θ · φ): hand-computed at g = 3/4', () => {
    // φ = (1, 0.5, 1/6, 1, 0) as above; θ puts ln 3 on the bias only, so g = 1/(1 + 1/3) = 3/4.
    const { weight, mixed } = mixAt({ weights: [Math.log(3), 0, 0, 0, 0, 0, 0] }, [0.5, 0.5, 0], [1, 0, 0]);
    assert.ok(Math.abs(weight - 0.75) < 1e-12);
    [0.625, 0.375, 0].forEach((p, i) => assert.ok(Math.abs(mixed[i] - p) < 1e-12, `P(${i})`));
    // A weight on the n-gram's top probability moves g: z = 2 · 0.5 = 1.
    assert.ok(Math.abs(mixAt({ weights: [0, 2, 0, 0, 0, 0, 0] }, [0.5, 0.5, 0], [1, 0, 0]).weight - 1 / (1 + Math.exp(-1))) < 1e-12);
  });

  it('replays the start of each file, at most so many of each and in all', () => {
    assert.deepEqual(limitCharacters(['abcdef', 'gh', 'ijklm', 'nop'], 7, 3), ['abc', 'gh', 'ij']);
    assert.deepEqual(limitCharacters(['ab', 'cd'], 10, 3), ['ab', 'cd']);
    // Code points, not code units: a character outside the BMP is one.
    assert.deepEqual(limitCharacters(['😀😀😀x'], 10, 2), ['😀😀']);
  });

  it('fits the gate on what the replay left: the rest of each replayed file, then the files it did not reach', () => {
    assert.deepEqual(charactersLeft(['abcdef', 'gh', 'ijklm', 'nop'], ['abc', 'gh', 'ij'], 6), ['def', 'klm']);
    assert.deepEqual(charactersLeft(['abcdef', 'gh', 'ijklm', 'nop'], ['abc', 'gh', 'ij'], 20), ['def', 'klm', 'nop']);
    assert.deepEqual(charactersLeft(['abc'], ['abc'], 4), []);
  });

  describe('with a model', () => {
    before(useTestBackend);
    const train = ['function add(a, b) {\n  return a + b;\n}\n'.repeat(4)];
    const text = 'function sub(a, b) {\n  return a - b;\n}\nfunction sub(a, b) {\n';
    const tokenizer = buildTokenizer('char', [...train, text]);
    const ngram = NgramModel.train(train, { order: 8 });

    it('collects each position scored by both sides, as computed independently (no cache), leaking nothing', async () => {
      const model = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 4 }));
      try {
        const samples = await assertNoLeak(() => collectGateSamples(tfjsStepper(model), tokenizer, ngram, null, [text], 0));
        assert.equal(samples.length, text.length - 1);
        // Independently: the model stepped by hand; the n-gram's own probability of each character.
        let state = model.initialState();
        let unseen = 0;
        for (let t = 0; t + 1 < text.length; t++) {
          const out = model.step(state, tokenizer.encode(text[t])[0]);
          disposeState(state);
          state = out.state;
          const id = tokenizer.encode(text[t + 1])[0];
          assert.ok(Math.abs(samples[t].model - softmax(out.logits)[id]) < 1e-6, `model at ${t + 1}`);
          // A character the n-gram never counted gets nothing from its side (it cannot be suggested).
          const known = ngram.indexOfUnit(text.charCodeAt(t + 1)) >= 0;
          const expected = known ? ngram.probability(text.slice(0, t + 1), text[t + 1]) : 0;
          assert.ok(Math.abs(samples[t].ngram - expected) < 1e-9, `n-gram at ${t + 1}`);
          unseen += known ? 0 : 1;
        }
        disposeState(state);
        assert.ok(unseen > 0, 'the text has characters the n-gram never counted');
      } finally {
        model.dispose();
      }
    });

    it('a gate that trusts only the counts suggests what the cached n-gram does; one that trusts only the network, what it does', async () => {
      const model = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 4 }));
      const blended = (bias: number) =>
        neuralEngine(tfjsStepper(model), tokenizer, DEFAULT_DECODING, undefined, ngramBlend(new NgramSide(ngram, tokenizer, DEFAULT_DOCUMENT_CACHE), { weights: [bias, 0, 0, 0, 0, 0, 0] }));
      const counts = blended(60);
      const network = blended(-60);
      const cached = ngramEngine(ngram, DEFAULT_DECODING, DEFAULT_DOCUMENT_CACHE);
      const plain = neuralEngine(tfjsStepper(model), tokenizer, DEFAULT_DECODING);
      try {
        let compared = 0;
        for (let end = 10; end <= text.length; end += 7) {
          const prefix = text.slice(0, end);
          const [a, b] = [await counts.suggest(prefix), await cached.suggest(prefix)];
          assert.equal(a.text, b.text, `counts after ${JSON.stringify(prefix)}`);
          assert.ok(Math.abs(a.probability - b.probability) < 1e-6);
          const [c, d] = [await network.suggest(prefix), await plain.suggest(prefix)];
          assert.equal(c.text, d.text, `network after ${JSON.stringify(prefix)}`);
          if (a.text) compared++;
        }
        assert.ok(compared > 2, 'the n-gram suggested something to compare');
      } finally {
        for (const e of [counts, network, cached, plain]) e.dispose();
        model.dispose();
      }
    });
  });
});
