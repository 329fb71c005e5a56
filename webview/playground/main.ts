// Playground panel: which backend training would use here and why, and the arena: pick 2-6
// contenders, a dataset and one budget; they train one after another with live curves
// (bits/char against tokens and against seconds) and end in a table whose rows can become the
// active model. Every control is a labelled form element (keyboard and screen readers).
import type { ArenaBudget, ArenaRow, CurvePoint } from '../../src/core/arena/arena';
import { CONTENDER_KINDS, CONTENDER_LABELS, type ContenderKind, type ContenderSpec } from '../../src/core/arena/contenders';
import { chooseBackend, type BackendProbe } from '../../src/core/backend/choice';
import { PRESETS } from '../../src/core/models/sequenceModel';
import { SEQUENCE_TASKS } from '../../src/core/tasks';
import type { ArenaDatasetChoice, InitMessage } from '../../src/protocol';
import { connect, el, postToHost } from '../shared/host';
import { ArenaChart } from './arenaChart';
import { runArenaHere, stopArena, useAsActiveModel } from './arenaRun';
import { LineChart, seriesColor } from '../shared/charts';
import { currentPalette } from '../shared/theme';
import { probeBackends } from './backendProbe';
import { stepThroughSection } from './stepView';

const app = document.getElementById('app')!;
let init: InitMessage | null = null;
let probe: Promise<BackendProbe> | null = null;
let currentRun: string | null = null;

const curveReadout = el('p', { id: 'arena-chart-readout', class: 'muted', 'aria-live': 'polite' });
const readCurve = (text: string | null) => (curveReadout.textContent = text ?? '');
const tokensChart = new ArenaChart('arena-chart-tokens', 'tokens', readCurve);
const secondsChart = new ArenaChart('arena-chart-seconds', 'seconds', readCurve);
/** Contender i's colour, the same in the table, the legend and every chart. */
const contenderColor = (index: number) => seriesColor(index, currentPalette());
const status = el('p', { id: 'arena-status', role: 'status' }, 'Pick contenders, a dataset and a budget, then Start.');
const legend = el('ul', { id: 'arena-legend', class: 'legend', 'aria-label': 'Contenders' });
const table = el('table', { id: 'arena-table', 'aria-label': 'Arena results', hidden: '' });
const exports = el('div', { class: 'row', hidden: '' });
// ‖∂L/∂h_t‖ of every trained contender on one chart (the lecture's vanishing and exploding gradients).
const flowReadout = el('p', { id: 'arena-gradient-readout', class: 'muted', 'aria-live': 'polite' });
const flowChart = new LineChart('Gradient norm per timestep, per contender', (text) => (flowReadout.textContent = text ?? ''));
const flowFigure = el('figure', { id: 'arena-gradient-flow', class: 'gradient-flow', hidden: '' },
  flowChart.element,
  el('figcaption', {}, '‖∂L/∂h_t‖ on held-out windows, L the last position\'s loss: how much of one prediction\'s error reaches each earlier step (log scale; falling to the left is a vanishing gradient)'),
  flowReadout);
let flows: { label: string; color: number; norms: number[] }[] = [];

function drawGradientFlow(): void {
  flowFigure.hidden = flows.length === 0;
  flowChart.set({
    title: 'Gradient norm per timestep, per contender',
    series: flows.map((f) => ({ label: f.label, color: f.color, points: f.norms.map((y, x) => ({ x, y })), markers: f.norms.length <= 16 })),
    logY: true,
    xLabel: 't',
    yLabel: '‖∂L/∂h_t‖',
  });
}

function showGradientFlow(index: number, row: ArenaRow): void {
  if (!row.gradientFlow) return;
  flows = [...flows.filter((f) => f.label !== row.label), { label: row.label, color: index, norms: row.gradientFlow }];
  drawGradientFlow();
}

function resetGradientFlow(): void {
  flows = [];
  drawGradientFlow();
}
const contenderList = el('ol', { id: 'contenders', 'aria-label': 'Contenders' });

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  return el('label', {}, `${text} `, control);
}

function select(id: string, options: ReadonlyArray<readonly [string, string]>, value: string): HTMLSelectElement {
  const s = el('select', { id });
  for (const [v, text] of options) {
    const o = el('option', { value: v }, text);
    if (v === value) o.selected = true;
    s.append(o);
  }
  return s;
}

/** The knobs of the form, each tied to a lecture statement; '' keeps the preset's value. */
const KNOB_CHOICES = {
  clipNorm: { label: 'Gradients', title: 'Exploding gradients: clip by global norm, or not', options: [['', 'clip by norm 1'], ['0', 'no clipping']] },
  layers: { label: 'Layers', title: 'Deep models: stacked layers', options: [['', 'preset'], ['1', '1'], ['2', '2'], ['3', '3']] },
  input: { label: 'Input', title: 'One-hot vectors or learned embeddings', options: [['', 'learned embedding'], ['onehot', 'one-hot']] },
  forgetBias: { label: 'Forget bias', title: 'LSTM: the forget gate starts open (1) or half-open (0)', options: [['', '1'], ['0', '0']] },
  heads: { label: 'Heads', title: 'Transformer: attention heads', options: [['', 'preset'], ['1', '1'], ['2', '2'], ['4', '4']] },
  positional: { label: 'Positions', title: 'Transformer: attention alone ignores order; the positional encoding tells it', options: [['', 'sinusoidal'], ['learned', 'learned'], ['none', 'none (order lost)']] },
  scaleScores: { label: 'Scores', title: 'Transformer: softmax(QKᵀ/√d); without 1/√d the scores grow with d and the softmax saturates', options: [['', 'divided by √d'], ['false', 'not scaled']] },
  causalMask: { label: 'Mask in training', title: 'Transformer: with the causal mask off in training each position reads the token it predicts: training loss collapses, held-out and generation fail', options: [['', 'causal'], ['false', 'off (the leak)']] },
} as const;
type KnobName = keyof typeof KNOB_CHOICES;
const KNOB_NAMES = Object.keys(KNOB_CHOICES) as KnobName[];

/** Which knobs an architecture's config has. */
function knobApplies(kind: string, knob: KnobName): boolean {
  if (kind === 'ngram') return false;
  if (knob === 'forgetBias') return kind === 'lstm';
  if (knob === 'heads' || knob === 'positional' || knob === 'scaleScores' || knob === 'causalMask') return kind === 'transformer';
  return true;
}

/** A knob's form value as the contender spec holds it. */
function knobValue(knob: KnobName, value: string): number | string | boolean {
  if (knob === 'input' || knob === 'positional') return value;
  if (knob === 'scaleScores' || knob === 'causalMask') return value === 'true';
  return Number(value);
}

function contenderRow(spec: ContenderSpec): HTMLLIElement {
  const n = contenderList.children.length;
  const kind = select(`contender-${n}-kind`, CONTENDER_KINDS.map((k) => [k, CONTENDER_LABELS[k]] as const), spec.kind);
  const preset = select(`contender-${n}-preset`, PRESETS.map((p) => [p, p] as const), spec.preset ?? 'nano');
  const knobs = KNOB_NAMES.map((name) => {
    const s = select(`contender-${n}-${name}`, KNOB_CHOICES[name].options, '');
    s.dataset.knob = name;
    s.title = KNOB_CHOICES[name].title;
    return { name, control: s, label: labelled(KNOB_CHOICES[name].label, s) };
  });
  const remove = el('button', { type: 'button', 'aria-label': 'Remove this contender' }, 'Remove');
  const li = el('li', { class: 'contender' }, labelled('Model', kind), labelled('Size', preset), ...knobs.map((k) => k.label), remove);
  const sync = () => {
    preset.title = kind.value === 'ngram' ? 'n-gram order: nano 4, small 6, medium 8' : 'Model size';
    for (const k of knobs) {
      k.control.disabled = !knobApplies(kind.value, k.name);
      k.label.hidden = k.control.disabled && kind.value !== 'ngram' && k.name !== 'clipNorm';
    }
  };
  kind.addEventListener('change', sync);
  sync();
  remove.addEventListener('click', () => {
    if (contenderList.children.length > 2) li.remove();
  });
  return li;
}

function readContenders(): ContenderSpec[] {
  return [...contenderList.querySelectorAll('li')].map((li) => {
    const [kind, preset] = [...li.querySelectorAll('select')].map((s) => s.value);
    if (kind === 'ngram') return { kind: 'ngram', preset: preset as ContenderSpec['preset'] };
    const knobs: Record<string, number | string | boolean> = {};
    for (const s of li.querySelectorAll<HTMLSelectElement>('select[data-knob]')) {
      if (s.disabled || s.value === '') continue;
      knobs[s.dataset.knob!] = knobValue(s.dataset.knob as KnobName, s.value);
    }
    return { kind: kind as ContenderKind, preset: preset as ContenderSpec['preset'], knobs: Object.keys(knobs).length ? knobs : undefined };
  });
}

const datasetSelect = select(
  'arena-dataset',
  [
    ...SEQUENCE_TASKS.map((t) => [`task:${t}`, { recall: 'Lecture task: long-range recall (size = lag)', copy: 'Lecture task: copy (size = letters)', brackets: 'Lecture task: balanced brackets (size = prefix)' }[t]] as const),
    ['activeFile', 'The active file'],
    ['workspace', 'The workspace corpus'],
  ],
  'task:recall',
);
const sizeInput = el('input', { id: 'arena-task-size', type: 'number', min: '2', max: '256', value: '8' });
const seedInput = el('input', { id: 'arena-seed', type: 'number', min: '0', value: '0' });
const budgetKind = select('arena-budget-kind', [['tokens', 'tokens'], ['seconds', 'seconds']], 'tokens');
const budgetInput = el('input', { id: 'arena-budget', type: 'number', min: '1', value: '20000' });
const startButton = el('button', { id: 'arena-start', type: 'button' }, 'Start');
const stopButton = el('button', { id: 'arena-stop', type: 'button', disabled: '' }, 'Stop');

function readDataset(): ArenaDatasetChoice {
  const v = datasetSelect.value;
  if (v.startsWith('task:')) {
    return { kind: 'task', task: { id: v.slice(5) as (typeof SEQUENCE_TASKS)[number], size: Number(sizeInput.value), seed: Number(seedInput.value), count: 512 } };
  }
  return { kind: v as 'activeFile' | 'workspace' };
}

function readBudget(): ArenaBudget {
  const amount = Number(budgetInput.value);
  return budgetKind.value === 'tokens' ? { kind: 'tokens', tokens: amount } : { kind: 'seconds', seconds: amount };
}

function fmt(x: number | null, digits: number): string {
  return x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

const HEADERS = ['Contender', 'Held-out bits/char', 'Training bits/char', 'Keystroke savings', 'Latency (ms)', 'Parameters', 'Tokens/s', 'Task accuracy', ''];

function addRow(index: number, row: ArenaRow): void {
  if (!table.rows.length) table.append(el('tr', {}, ...HEADERS.map((h) => el('th', { scope: 'col' }, h))));
  const runId = currentRun!;
  const use = el('button', { type: 'button', class: 'use-model', 'data-index': String(index), 'aria-label': `Use ${row.label} as the active model` }, 'Use as active model');
  use.addEventListener('click', () => {
    use.disabled = true;
    if (!useAsActiveModel(runId, index)) use.disabled = false;
  });
  const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
  swatch.style.background = contenderColor(index);
  table.append(
    el('tr', { 'data-index': String(index) },
      el('th', { scope: 'row' }, swatch, row.label),
      el('td', {}, fmt(row.heldOutBitsPerChar, 3)),
      el('td', {}, fmt(row.trainingBitsPerChar, 3)),
      el('td', {}, `${fmt(row.keystrokeSavings * 100, 1)}%`),
      el('td', {}, fmt(row.latencyMs, 2)),
      el('td', {}, row.parameters.toLocaleString('en-US')),
      el('td', {}, fmt(row.tokensPerSecond, 0)),
      el('td', {}, row.taskAccuracy === null ? '—' : `${fmt(row.taskAccuracy * 100, 1)}%`),
      el('td', {}, use),
    ),
  );
  table.hidden = false;
}

const view = {
  started(backend: string, dataset: string, labels: string[]) {
    tokensChart.reset(labels);
    secondsChart.reset(labels);
    legend.replaceChildren(
      ...labels.map((label, i) => {
        const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
        swatch.style.background = contenderColor(i);
        return el('li', {}, swatch, label);
      }),
    );
    status.textContent = `Training on ${backend}: ${dataset}.`;
  },
  contender(index: number, label: string) {
    status.textContent = `Training ${index + 1}: ${label}…`;
  },
  point(index: number, point: CurvePoint) {
    tokensChart.add(index, point);
    secondsChart.add(index, point);
  },
  row(index: number, row: ArenaRow) {
    addRow(index, row);
    showGradientFlow(index, row);
  },
  done() {
    status.textContent = 'Done. Use a row as the active model, or export the run.';
    running(false);
    exports.hidden = false;
  },
  error(message: string) {
    status.textContent = `The run failed: ${message}`;
    running(false);
  },
};

function running(on: boolean): void {
  startButton.disabled = on;
  stopButton.disabled = !on;
}

function renderArena(): HTMLElement {
  contenderList.replaceChildren();
  contenderList.append(contenderRow({ kind: 'lstm', preset: 'nano' }));
  contenderList.append(contenderRow({ kind: 'ngram', preset: 'small' }));
  const add = el('button', { type: 'button', id: 'arena-add' }, 'Add contender');
  add.addEventListener('click', () => {
    if (contenderList.children.length < 6) contenderList.append(contenderRow({ kind: 'gru', preset: 'nano' }));
  });
  startButton.addEventListener('click', () => {
    running(true);
    status.textContent = 'Starting…';
    postToHost({ type: 'arenaRequest', contenders: readContenders(), dataset: readDataset(), budget: readBudget() });
  });
  stopButton.addEventListener('click', () => {
    stopArena();
    status.textContent = 'Stopping after this step…';
  });
  const exportButton = (format: 'json' | 'csv') => {
    const b = el('button', { type: 'button', id: `arena-export-${format}` }, `Export ${format.toUpperCase()}`);
    b.addEventListener('click', () => currentRun && postToHost({ type: 'arenaExport', runId: currentRun, format }));
    return b;
  };
  exports.replaceChildren(exportButton('json'), exportButton('csv'));
  return el('section', { 'aria-labelledby': 'arena-heading' },
    el('h2', { id: 'arena-heading' }, 'Arena'),
    el('p', { class: 'muted' }, 'The same data, the same budget: which architecture learns it best? Each contender trains in turn on the backend above; held-out text scores them.'),
    contenderList,
    el('div', { class: 'row' }, add),
    el('div', { class: 'row' }, labelled('Dataset', datasetSelect), labelled('Size', sizeInput), labelled('Seed', seedInput)),
    el('div', { class: 'row' }, labelled('Budget', budgetInput), labelled('in', budgetKind), startButton, stopButton),
    status,
    legend,
    el('div', { class: 'charts' },
      el('figure', {}, tokensChart.element, el('figcaption', {}, 'Held-out bits/char against tokens seen')),
      el('figure', {}, secondsChart.element, el('figcaption', {}, 'Held-out bits/char against seconds'))),
    curveReadout,
    table,
    flowFigure,
    exports,
  );
}

function render(probed: BackendProbe): void {
  const choice = chooseBackend(probed, init!.preferredBackend);
  postToHost({ type: 'backendReport', probe: probed, choice });
  const rows: Array<[string, string]> = [
    ['WebGPU adapter', probed.webgpuAdapter ? (probed.webgpuSoftware ? 'software fallback' : 'hardware') : 'none'],
    ['WebGL2', probed.webgl2 ? (probed.webglRenderer ?? 'unknown renderer') : 'none'],
    ['WebAssembly', `${yesNo(probed.wasm)}${probed.wasm ? `, SIMD ${yesNo(probed.wasmSimd)}` : ''}`],
  ];
  app.replaceChildren(
    el('h1', {}, 'Sequence Lab Playground'),
    el('section', { 'aria-labelledby': 'backend-heading' },
      el('h2', { id: 'backend-heading' }, 'Training backend'),
      el('p', { id: 'backend-choice', 'data-backend': choice.backend }, el('strong', {}, choice.backend), ` — ${choice.reason}`),
      el('table', { 'aria-label': 'What this browser offers' },
        ...rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, v)))),
    ),
    renderArena(),
    stepThroughSection(),
    el('p', { class: 'muted' }, `Sequence Lab ${init!.extensionVersion}`),
  );
}

connect({
  init: (message) => {
    init = message;
    app.replaceChildren(el('p', {}, 'Probing backends…'));
    probe = probeBackends();
    void probe.then(render);
  },
  arenaStart: (start) => {
    currentRun = start.runId;
    running(true);
    table.replaceChildren();
    table.hidden = true;
    resetGradientFlow();
    exports.hidden = true;
    void probe!.then((probed) => runArenaHere(start, probed, init!.preferredBackend, view));
  },
  arenaStop: () => stopArena(),
  arenaRefused: (m) => {
    status.textContent = m.reason;
    running(false);
  },
  arenaModelSaved: (m) => {
    const button = table.querySelector<HTMLButtonElement>(`button.use-model[data-index="${m.index}"]`);
    if (button) button.textContent = 'Active model';
    status.textContent = `“${m.name}” is now the active model: completions and Inside the Model use it.`;
  },
});
