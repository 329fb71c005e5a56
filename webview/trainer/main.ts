// The trainer panel: runs a training run the host starts (trainingRun.ts) and shows it live —
// backend and why, loss chart, bits/char, tokens/s, ETA, learning rate, gradient norm, a
// sample with a temperature slider, the corpus it trains on — with pause, resume and stop.
// A run on a CPU backend (wasm, cpu) trains in a worker (worker.ts, with data-parallel gradient
// workers beside it), so the chart and the buttons answer at once; a run that may use a GPU
// backend trains on the page, where its WebGL/WebGPU context lives (and where a lost context is
// watched for). If the worker cannot start, the run trains on the page and says why.
import { summarizeCorpus } from '../../src/core/corpus/summary';
import type { BackendProbe } from '../../src/core/backend/choice';
import { backendCandidates } from '../../src/core/backend/fallback';
import type { CheckpointSavedMessage, TrainControlMessage, TrainStartMessage } from '../../src/protocol';
import { probeBackends } from '../playground/backendProbe';
import { connect, el, postToHost } from '../shared/host';
import { LossChart } from './lossChart';
import { BUNDLED_BACKENDS, TrainingRun, type RunView } from './trainingRun';
import { WorkerRun, type RunHandle } from './workerRun';

const app = document.getElementById('app')!;
let run: RunHandle | null = null;
/** worker.js sits beside this bundle. */
const workerScript = (document.currentScript as HTMLScriptElement | null)?.src.replace(/main\.js([?#].*)?$/, 'worker.js') ?? '';
let probe: Promise<BackendProbe> | null = null;

function text(id: string, value: string): void {
  const node = document.getElementById(id);
  if (node) node.textContent = value;
}

function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function metric(id: string, label: string): HTMLElement {
  return el('div', { class: 'metric' }, el('span', { class: 'metric-label', id: `${id}-label` }, label), el('span', { class: 'metric-value', id, 'aria-labelledby': `${id}-label ${id}` }, '—'));
}

function render(start: TrainStartMessage): { chart: LossChart; view: RunView } {
  const chart = new LossChart();
  const spec = start.spec;
  const summary = summarizeCorpus(start.corpus);
  const pause = el('button', { id: 'pause', type: 'button', 'aria-pressed': 'false', title: 'Pause training' }, 'Pause');
  const stop = el('button', { id: 'stop', type: 'button', title: 'Stop training and save the model' }, 'Stop');
  const temperature = el('input', { id: 'temperature', type: 'range', min: '0', max: '1.5', step: '0.05', value: '0.8', 'aria-label': 'Sample temperature' });
  const temperatureValue = el('output', { id: 'temperature-value', for: 'temperature' }, '0.80');
  const sampleNow = el('button', { id: 'sample-now', type: 'button', class: 'secondary' }, 'Sample now');
  const budget = [spec.maxSteps ? `${spec.maxSteps} steps` : null, spec.maxTimeMs ? `${duration(spec.maxTimeMs)} of training` : null].filter(Boolean).join(' or ');

  app.replaceChildren(
    el('h1', {}, 'Sequence Lab Training'),
    el('p', { id: 'run-title' }, `${spec.name} — ${spec.arch.toUpperCase()} ${spec.preset}, ${spec.tokenizer} tokenizer, batch ${spec.batchSize} × ${spec.seqLen}, budget ${budget}${start.resumeFrom ? ', resumed from a checkpoint' : start.base ? `, fine-tuning the base model (${start.base.name})` : ''}`),
    el('p', { id: 'trainer-backend', 'data-backend': '' }, 'Choosing a backend…'),
    el('p', { id: 'trainer-threads', class: 'muted', 'data-threads': '' }),
    el('div', { class: 'controls', role: 'toolbar', 'aria-label': 'Training controls' }, pause, stop),
    el('p', { id: 'run-state', 'data-state': 'starting', 'aria-live': 'polite' }, 'Starting…'),
    el('p', { id: 'memory', class: 'muted' }),
    el('progress', { id: 'run-progress', max: '1', value: '0', 'aria-label': 'Share of the training budget used' }),
    el('section', { 'aria-label': 'Metrics', class: 'metrics' },
      metric('metric-step', 'step'),
      metric('metric-loss', 'train loss'),
      metric('metric-val-loss', 'validation loss'),
      metric('metric-bpc', 'bits/char (validation)'),
      metric('metric-tps', 'tokens/s'),
      metric('metric-eta', 'time left'),
      metric('metric-lr', 'learning rate'),
      metric('metric-grad-norm', 'gradient norm'),
      metric('metric-checkpoint', 'saved'),
    ),
    el('section', { 'aria-labelledby': 'chart-heading' }, el('h2', { id: 'chart-heading' }, 'Loss (nats per token)'), chart.element),
    el('section', { 'aria-labelledby': 'sample-heading' },
      el('h2', { id: 'sample-heading' }, 'Sample'),
      el('div', { class: 'controls' }, el('label', { for: 'temperature' }, 'Temperature '), temperature, temperatureValue, sampleNow),
      el('pre', { id: 'sample', class: 'context', 'aria-live': 'off' }, 'The first sample comes with the first evaluation.'),
    ),
    el('section', { 'aria-labelledby': 'corpus-heading' },
      el('h2', { id: 'corpus-heading' }, 'Corpus'),
      el('p', { id: 'corpus-headline' }, summary.headline),
      ...(summary.excluded.length
        ? [el('p', { class: 'muted' }, 'Left out:'), el('ul', { id: 'corpus-excluded' }, ...summary.excluded.map((l) => el('li', {}, l)))]
        : []),
      el('p', { class: 'muted' }, `${start.data.trainDocuments} training and ${start.data.lengths.length - start.data.trainDocuments} validation documents (split by ${start.data.splitBy}), ${start.data.tokens.length.toLocaleString('en-US')} tokens.`),
    ),
  );

  pause.addEventListener('click', () => {
    if (!run) return;
    if (run.paused) run.resume();
    else run.pause();
  });
  stop.addEventListener('click', () => run?.stop());
  temperature.addEventListener('input', () => {
    const t = Number(temperature.value);
    if (run) run.temperature = t;
    temperatureValue.textContent = t.toFixed(2);
  });
  sampleNow.addEventListener('click', () => run?.requestSample());

  const view: RunView = {
    backend: (backend, reason, fallbackFrom, resumedAt) => {
      const node = document.getElementById('trainer-backend')!;
      node.dataset.backend = backend;
      const from = resumedAt > 0 ? `the checkpoint at step ${resumedAt}` : 'the start';
      node.replaceChildren(el('strong', {}, backend), ` — ${reason}`, ...(fallbackFrom ? [el('br'), `Fell back after ${fallbackFrom}; continuing from ${from}.`] : []));
      if (fallbackFrom) chart.truncateAfter(resumedAt);
    },
    progress: (p, fraction, etaMs) => {
      chart.addTrain(p.step, p.loss);
      text('metric-step', String(p.step));
      text('metric-loss', p.loss.toFixed(3));
      text('metric-tps', Math.round(p.tokensPerSecond).toLocaleString('en-US'));
      text('metric-eta', duration(etaMs));
      text('metric-lr', p.learningRate.toExponential(2));
      text('metric-grad-norm', p.gradNorm.toFixed(3));
      (document.getElementById('run-progress') as HTMLProgressElement).value = fraction;
    },
    evaluation: (r) => {
      chart.addValidation(r.step, r.validationLoss);
      text('metric-val-loss', r.validationLoss.toFixed(3));
      text('metric-bpc', r.validationBitsPerChar.toFixed(3));
    },
    sample: (step, prompt, generated, t) => {
      const pre = document.getElementById('sample')!;
      pre.replaceChildren(el('span', { class: 'muted' }, prompt), generated);
      pre.setAttribute('aria-label', `Sample at step ${step}, temperature ${t.toFixed(2)}`);
      pre.dataset.step = String(step);
    },
    released: (tensors, bytes) => {
      const node = document.getElementById('memory')!;
      node.dataset.tensors = String(tensors);
      node.textContent = tensors === 0 ? 'Model, optimiser and corpus freed.' : `Still held after the run: ${tensors} tensors, ${Math.round(bytes / 1024)} KiB.`;
    },
    threads: (threads, where, note) => {
      const node = document.getElementById('trainer-threads')!;
      node.dataset.threads = String(threads);
      node.dataset.where = where;
      node.textContent = `${threads === 1 ? 'One thread' : `${threads} threads`}, in ${where}${note ? ` — ${note}` : ''}.`;
    },
    finished: (steps) => {
      text('metric-step', String(steps));
      text('metric-eta', '—');
    },
    state: (state, detail) => {
      const node = document.getElementById('run-state')!;
      node.dataset.state = state;
      node.textContent = `${state[0].toUpperCase()}${state.slice(1)}: ${detail}`;
      pause.textContent = state === 'paused' ? 'Resume' : 'Pause';
      pause.setAttribute('aria-pressed', String(state === 'paused'));
      pause.title = state === 'paused' ? 'Resume training' : 'Pause training';
      const over = state === 'done' || state === 'error';
      (pause as HTMLButtonElement).disabled = over || state === 'stopping';
      (stop as HTMLButtonElement).disabled = over || state === 'stopping';
    },
  };
  return { chart, view };
}

function onStart(start: TrainStartMessage): void {
  if (run) run.stop();
  const { view } = render(start);
  const post = (m: Parameters<typeof postToHost>[0], transfer?: Transferable[]) => postToHost(m, transfer);
  const onPage = (p: BackendProbe, why: string): RunHandle => {
    const current = new TrainingRun(start, post, view, { thread: `the page (${why})` });
    void current.run(p);
    return current;
  };
  // Until the worker runs, controls are remembered and passed on.
  let stopped = false;
  let paused = false;
  const pending: RunHandle = {
    runId: start.runId,
    get paused() {
      return paused;
    },
    temperature: 0.8,
    pause: () => void (paused = true),
    resume: () => void (paused = false),
    stop: () => void (stopped = true),
    requestSample: () => undefined,
  };
  run = pending;
  void (probe ??= probeBackends()).then(async (p) => {
    const gpu = backendCandidates(p, start.preferredBackend, BUNDLED_BACKENDS).some((c) => c.backend === 'webgl' || c.backend === 'webgpu');
    let started: RunHandle;
    if (gpu || !workerScript || typeof Worker !== 'function') {
      started = onPage(p, gpu ? 'a GPU backend may train' : 'no workers here');
    } else {
      try {
        started = await WorkerRun.start(start, p, workerScript, post, view);
      } catch (error) {
        started = onPage(p, `the training worker did not start: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (run !== pending) return started.stop(); // a newer run replaced this one meanwhile
    run = started;
    started.temperature = pending.temperature;
    if (stopped) started.stop();
    else if (paused) started.pause();
  });
}

function onControl(m: TrainControlMessage): void {
  if (!run || run.runId !== m.runId) return;
  if (m.action === 'pause') run.pause();
  else if (m.action === 'resume') run.resume();
  else run.stop();
}

function onSaved(m: CheckpointSavedMessage): void {
  if (!run || run.runId !== m.runId) return;
  text('metric-checkpoint', `step ${m.step}${m.final ? ' (final)' : ''}`);
}

app.replaceChildren(
  el('h1', {}, 'Sequence Lab Training'),
  el('p', { class: 'muted' }, 'Waiting for a run. Start one with “Sequence Lab: Train Model on Workspace”.'),
);
probe = probeBackends();
connect({ trainStart: onStart, trainControl: onControl, checkpointSaved: onSaved });
