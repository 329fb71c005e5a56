import * as assert from 'node:assert/strict';
import { createModel, presetConfig, type ModelConfig, type RecurrentConfig } from '../../src/core/models';
import { attentionStep, recurrentSteps } from '../../src/core/stepThrough';
import { useTestBackend } from './tfSetup';

const ids = [3, 1, 4, 1, 5, 9, 2, 6];
const V = 12;

function close(actual: readonly number[], expected: readonly number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tolerance, `${what}[${i}]: ${v} vs ${expected[i]}`));
}

describe('stepping through the recurrence and attention', () => {
  before(useTestBackend);

  const recurrent = (arch: 'rnn' | 'gru' | 'lstm', extra: Partial<RecurrentConfig> = {}): ModelConfig =>
    ({ ...(presetConfig(arch, 'nano', V, { seed: 5 }) as RecurrentConfig), hiddenSize: 16, ...extra });

  for (const [name, config] of [
    ['RNN tanh', recurrent('rnn')],
    ['RNN ReLU, identity init, one-hot input', recurrent('rnn', { activation: 'relu', identityInit: true, input: 'onehot' })],
    ['GRU', recurrent('gru')],
    ['LSTM', recurrent('lstm')],
  ] as const) {
    it(`${name}: h_t = f(W x_t + U h_{t−1}) step by step equals the model's inspect()`, () => {
      const model = createModel(config);
      try {
        const steps = recurrentSteps(model, ids);
        const inside = model.inspect(ids);
        const layer = inside.layers[0] as unknown as Record<string, number[][]>;
        steps.forEach((s, t) => {
          close(s.x, inside.inputs[t], 1e-5, `x_${t}`);
          close(s.h, layer.hidden[t], 1e-4, `h_${t}`);
          if (t > 0) close(s.hPrev, layer.hidden[t - 1], 1e-4, `h_${t - 1}`);
          for (const [gate, values] of Object.entries(s.gates)) close(values, layer[gate][t], 1e-4, `${gate}_${t}`);
        });
        assert.ok(steps[0].Uh.every((v) => v === 0), 'U h_0 = 0');
        assert.ok(steps[3].Uh.some((v) => v !== 0));
      } finally {
        model.dispose();
      }
    });
  }

  it('attention: softmax(q·k/√d) over the unmasked keys equals the model’s attention map, every head and query', () => {
    const variants = [{ positional: 'sinusoidal' }, { positional: 'learned' }, { positional: 'none', scaleScores: false }] as const;
    for (const variant of variants) {
      const { positional } = variant;
      const config = { ...presetConfig('transformer', 'nano', V, { seed: 2 }), ...variant } as ModelConfig;
      const model = createModel(config);
      try {
        const inside = model.inspect(ids);
        const layer = inside.layers[0];
        assert.ok(layer.kind === 'attention');
        for (let head = 0; head < 4; head++) {
          for (const query of [0, 3, ids.length - 1]) {
            const s = attentionStep(model, ids, { query, head });
            close(s.weights, layer.attention[head][query], 1e-4, `${positional} head ${head} query ${query}`);
            assert.deepEqual(s.masked, ids.map((_, j) => j > query));
            assert.ok(Math.abs(s.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9);
          }
        }
        const unmasked = attentionStep(model, ids, { query: 0, head: 0, unmasked: true });
        assert.ok(unmasked.weights.slice(1).some((w) => w > 0), 'without the mask the first query reads later keys');
        if (!('scaleScores' in variant)) {
          const scaled = attentionStep(model, ids, { query: 7, head: 1 });
          const unscaled = attentionStep(model, ids, { query: 7, head: 1, unscaled: true });
          close(unscaled.scores, scaled.scores.map((v) => v * Math.sqrt(scaled.d)), 1e-9, 'unscaled = scaled · √d');
          assert.ok(Math.max(...unscaled.weights) >= Math.max(...scaled.weights), 'without 1/√d the softmax is peakier');
        }
      } finally {
        model.dispose();
      }
    }
  });
});
