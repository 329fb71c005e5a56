// Step through the recurrence: type a short string and step one token at a time through the
// first layer of a small model, seeing the vectors the lecture's equations name (computed by
// core/stepThrough.ts on the model's own weights). The model is the last arena run's of that
// architecture when there is one, else a freshly initialised nano model (seed 0): its numbers
// show the arithmetic, not learned behaviour. Values are cells coloured by sign and size (the
// theme's chart blue / red), each with its number as a tooltip.
import * as tf from '@tensorflow/tfjs';
import { contenderConfig, type ContenderKind } from '../../src/core/arena/contenders';
import { createModel, type SequenceModel } from '../../src/core/models';
import { attentionStep, recurrentSteps } from '../../src/core/stepThrough';
import { CharTokenizer } from '../../src/core/tokenizers';
import type { Tokenizer } from '../../src/core/tokenizers/tokenizer';
import { el } from '../shared/host';
import { currentPalette } from '../shared/theme';
import { trainedModelOf } from './arenaRun';

type StepKind = Exclude<ContenderKind, 'ngram'>;
const KINDS: ReadonlyArray<readonly [StepKind, string]> = [
  ['rnn-tanh', 'RNN tanh'],
  ['rnn-relu-identity', 'RNN ReLU + identity init'],
  ['gru', 'GRU'],
  ['lstm', 'LSTM'],
  ['transformer', 'Transformer (attention)'],
];
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

function strip(label: string, values: readonly number[], note = ''): HTMLElement {
  const max = Math.max(1e-9, ...values.map(Math.abs));
  const { positive, negative } = currentPalette();
  const cells = values.map((v) => {
    const cell = el('span', { class: 'cell', title: v.toFixed(4) });
    cell.style.background = v >= 0 ? positive : negative;
    cell.style.opacity = String(0.08 + 0.92 * (Math.abs(v) / max));
    return cell;
  });
  return el('div', { class: 'strip', role: 'group', 'aria-label': `${label}: ${values.length} values, largest magnitude ${max.toFixed(3)}` },
    el('span', { class: 'strip-label' }, label), el('span', { class: 'cells' }, ...cells), el('span', { class: 'muted' }, note));
}

export function stepThroughSection(): HTMLElement {
  const kind = el('select', { id: 'step-kind' });
  for (const [k, label] of KINDS) kind.append(el('option', { value: k }, label));
  const text = el('input', { id: 'step-text', type: 'text', value: 'if (a) {', maxlength: '32', 'aria-label': 'Text to step through' });
  const back = el('button', { type: 'button', id: 'step-back' }, '◀ Back');
  const next = el('button', { type: 'button', id: 'step-next' }, 'Step ▶');
  const head = el('input', { id: 'step-head', type: 'number', min: '0', value: '0', 'aria-label': 'Attention head' });
  const unscaled = el('input', { id: 'step-unscaled', type: 'checkbox' });
  const unmasked = el('input', { id: 'step-unmasked', type: 'checkbox' });
  const where = el('p', { id: 'step-where', role: 'status' });
  const out = el('div', { id: 'step-vectors' });
  const printable = CharTokenizer.build([PRINTABLE]);
  let model: { kind: StepKind; model: SequenceModel; tokenizer: Tokenizer; own: boolean } | null = null;
  let t = 0;

  /** The arena's trained model of this kind (with its vocabulary), else a fresh one over printable ASCII. */
  const modelFor = (k: StepKind) => {
    const trained = trainedModelOf(k);
    if (model && model.kind === k && (trained ? model.model === trained.model : model.own)) return model;
    if (model?.own) model.model.dispose();
    model = trained
      ? { kind: k, ...trained, own: false }
      : { kind: k, model: createModel(contenderConfig({ kind: k, preset: 'nano' }, printable.vocabSize, 0)), tokenizer: printable, own: true };
    return model;
  };

  const show = async () => {
    // Never pick a backend here: tfjs's automatic choice would be WebGL on a software GPU, and
    // the arena switches to its own choice later. Without one yet, the cpu backend serves the
    // few small reads this view makes.
    if (!tf.engine().backendName) await tf.setBackend('cpu');
    const k = kind.value as StepKind;
    const { model: m, tokenizer } = modelFor(k);
    const ids = tokenizer.encode(text.value || ' ');
    t = Math.max(0, Math.min(t, ids.length - 1));
    const token = JSON.stringify(tokenizer.decode([ids[t]]));
    const source = model!.own ? 'a freshly initialised nano model (untrained)' : 'the model from the last arena run';
    if (m.config.arch === 'transformer') {
      const h = Math.max(0, Math.min(Number(head.value) || 0, m.config.heads - 1));
      const s = attentionStep(m, ids, { query: t, head: h, unscaled: unscaled.checked, unmasked: unmasked.checked });
      where.textContent = `Query ${t} (${token}), head ${h}, first block, ${source}.`;
      out.replaceChildren(
        el('p', { class: 'equation' }, 'Attention(Q, K, V) = softmax(Q Kᵀ / √d + M) V'),
        strip('q (query)', s.q),
        ...s.keys.map((k2, j) => strip(`k_${j}${s.masked[j] ? ' (masked)' : ''}`, k2)),
        strip(unscaled.checked ? 'q·k_j (unscaled)' : 'q·k_j / √d', s.scores.map((v, j) => (s.masked[j] ? 0 : v)), s.masked.some(Boolean) ? 'masked keys shown as 0' : ''),
        strip('softmax weights', s.weights, `max ${Math.max(...s.weights).toFixed(3)}`),
        strip('output Σ w_j v_j', s.output),
      );
      return;
    }
    const s = recurrentSteps(m, ids)[t];
    where.textContent = `Step t = ${t} of ${ids.length - 1}: token ${token}, first layer, ${source}.`;
    const rows = [
      el('p', { class: 'equation' }, 'h_t = f(W x_t + U h_{t−1}),  y_t = g(V h_t)'),
      strip('x_t', s.x),
      strip('W x_t + b', s.Wx, m.config.arch === 'rnn' ? '' : 'all gate blocks side by side'),
      strip('U h_{t−1}', s.Uh),
      strip('h_{t−1}', s.hPrev),
      ...Object.entries(s.gates).map(([name, v]) => strip(name, v)),
      strip('h_t', s.h),
    ];
    out.replaceChildren(...rows);
  };
  /** Whether a step is shown (the first Step shows t = 0; later ones advance). */
  let started = false;
  const redraw = () => {
    started = true;
    void show().catch((e: unknown) => (where.textContent = `Cannot step: ${e instanceof Error ? e.message : e}`));
  };
  back.addEventListener('click', () => {
    t = Math.max(0, t - 1);
    redraw();
  });
  next.addEventListener('click', () => {
    if (started) t++;
    redraw();
  });
  for (const control of [kind, text, head, unscaled, unmasked]) control.addEventListener('change', redraw);
  text.addEventListener('input', () => {
    t = 0;
    redraw();
  });
  where.textContent = 'Press Step to begin at the first token.';
  return el('section', { 'aria-labelledby': 'step-heading' },
    el('h2', { id: 'step-heading' }, 'Step through the recurrence'),
    el('div', { class: 'row' },
      el('label', {}, 'Model ', kind), el('label', {}, 'Text ', text), back, next,
      el('label', {}, 'Head ', head), el('label', {}, unscaled, ' no 1/√d'), el('label', {}, unmasked, ' no causal mask')),
    where,
    out,
  );
}
