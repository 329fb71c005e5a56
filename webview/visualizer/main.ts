// "Inside the Model" view: the active model's internals over the tokens before the cursor, one
// tab per picture (attention, positions, gates or hidden state, next token, embeddings,
// gradient flow, training curves), each with the lecture's equation beside it. Only the tab
// on show draws; the others catch up when chosen.
import type {
  CursorContextMessage,
  VisualizerEmbeddingsMessage,
  VisualizerGradientFlowMessage,
  VisualizerInternalsMessage,
  VisualizerModelMessage,
} from '../../src/protocol';
import { connect, el, postToHost } from '../shared/host';
import { AttentionView, PositionalView } from './attentionView';
import { GradientView, TrainingView } from './curveViews';
import { EmbeddingsView, NextTokenView } from './distributionViews';
import { requestDraw } from '../shared/frame';
import { RecurrentView } from './recurrentView';
import type { View, ViewData, ViewHost } from './view';

const app = document.getElementById('app')!;
const host: ViewHost = { post: postToHost };

const header = el('header', { class: 'vis-header' });
const modelLine = el('p', { id: 'model', class: 'model-line' });
const subject = el('p', { id: 'subject', class: 'muted' });
const tabs = el('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Views of the model' });
const panel = el('section', { role: 'tabpanel', id: 'view-panel', class: 'view-panel', tabindex: '-1' });
header.append(modelLine, subject);

let modelMessage: VisualizerModelMessage | null = null;
let internals: VisualizerInternalsMessage | null = null;
let gradientFlow: VisualizerGradientFlowMessage | null = null;
let embeddings: VisualizerEmbeddingsMessage | null = null;
let views: View[] = [];
let viewsFor = '';
let lastArch = '';
let active = 'attention';
let cursor: CursorContextMessage | null = null;

function data(): ViewData | null {
  const model = modelMessage?.model;
  if (!model) return null;
  return {
    model,
    internals: internals && internals.modelId === model.id ? internals : null,
    gradientFlow,
    embeddings,
  };
}

function viewsOf(arch: string, kind: 'neural' | 'ngram'): View[] {
  if (kind === 'ngram') return [new NextTokenView(true), new TrainingView()];
  const first: View[] =
    arch === 'transformer'
      ? [new AttentionView(host), new PositionalView()]
      : [new RecurrentView(arch === 'gru' ? 'gru' : arch === 'rnn' ? 'rnn' : 'lstm')];
  return [...first, new NextTokenView(false), new EmbeddingsView(host), new GradientView(host), new TrainingView()];
}

/** Rebuilds the tabs when another model (or kind of model) is shown; true if it did. */
function rebuildViews(): boolean {
  const model = modelMessage?.model;
  const key = model ? `${model.id}:${model.arch}` : '';
  if (key === viewsFor) return false;
  // Another kind of model opens on its own picture (attention, gates); the same kind keeps the tab.
  const sameArch = lastArch === model?.arch;
  lastArch = model?.arch ?? lastArch;
  viewsFor = key;
  for (const v of views) v.dispose();
  views = model ? viewsOf(model.arch, model.kind) : [];
  if (!sameArch || !views.some((v) => v.id === active)) active = views[0]?.id ?? '';
  tabs.replaceChildren(
    ...views.map((v) => {
      const tab = el('button', { role: 'tab', id: `tab-${v.id}`, type: 'button', 'aria-controls': 'view-panel', 'data-view': v.id }, v.label);
      tab.addEventListener('click', () => activate(v.id, false));
      return tab;
    }),
  );
  showActive();
  return true;
}

/** WAI-ARIA tabs: arrow keys move between tabs (and show them), Home/End jump. */
tabs.addEventListener('keydown', (e) => {
  const i = views.findIndex((v) => v.id === active);
  let next = i;
  if (e.key === 'ArrowRight') next = (i + 1) % views.length;
  else if (e.key === 'ArrowLeft') next = (i - 1 + views.length) % views.length;
  else if (e.key === 'Home') next = 0;
  else if (e.key === 'End') next = views.length - 1;
  else return;
  e.preventDefault();
  activate(views[next].id, true);
});

function activate(id: string, focusTab: boolean): void {
  active = id;
  showActive();
  if (focusTab) (tabs.querySelector(`#tab-${id}`) as HTMLElement | null)?.focus();
}

function showActive(): void {
  for (const tab of tabs.querySelectorAll<HTMLElement>('[role=tab]')) {
    const selected = tab.dataset.view === active;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  const view = views.find((v) => v.id === active);
  panel.setAttribute('aria-labelledby', `tab-${active}`);
  panel.replaceChildren(...(view ? [view.element] : []));
  const d = data();
  if (view && d) {
    view.shown(d);
    acknowledge(view);
  }
}

/** Tells the host what was drawn for which request, after the frame that draws it. */
function acknowledge(view: View): void {
  const requestId = internals?.requestId;
  if (requestId === undefined) return;
  requestDraw(() => postToHost({ type: 'visualizerRendered', requestId, view: view.id, painted: view.painted() }));
}

function updateActive(): void {
  const view = views.find((v) => v.id === active);
  const d = data();
  if (!view || !d) return;
  view.update(d);
  acknowledge(view);
}

function renderHeader(): void {
  const m = modelMessage;
  if (m?.state === 'ready' && m.model) {
    const info = m.model;
    const params = info.parameters > 0 ? ` · ${(info.parameters / 1000).toFixed(1)}k parameters` : '';
    modelLine.textContent = `${info.name} — ${info.arch}, ${info.tokenizer} tokens${params} · ${info.details.join(' · ')}`;
  } else {
    // The full message (and what to do) is in the panel below.
    modelLine.textContent =
      m?.state === 'none' ? 'No active model' : m?.state === 'error' ? 'The active model could not be used' : (m?.message ?? 'Waiting for the model…');
  }
  const where = cursor?.fileName ? `Following ${cursor.fileName}` : cursor ? (cursor.unavailableReason ?? 'Not following any editor.') : 'Waiting for an editor…';
  const window = internals && m?.model && internals.modelId === m.model.id
    ? ` · ${internals.tokens.labels.length} tokens before the cursor${internals.tokens.truncated ? ' (earlier ones left out)' : ''} · computed in ${internals.elapsedMs.toFixed(0)} ms on ${m.model.backend}`
    : '';
  subject.textContent = `${where}${window}`;
}

/** No model, loading, or an error: say so, and offer the ways to get a model. */
function renderStatus(): void {
  const m = modelMessage;
  const state = m?.state ?? 'loading';
  if (state === 'ready') return;
  const children: Node[] = [el('p', { id: 'unavailable', class: state === 'error' ? 'error' : 'muted' }, m?.message ?? 'Loading…')];
  if (state === 'none' || state === 'error') {
    const actions = el('div', { class: 'actions' });
    for (const [command, text] of [
      ['train', 'Train a model'],
      ['importModel', 'Import a model file…'],
      ['selectModel', 'Select a model…'],
    ] as const) {
      const b = el('button', { type: 'button', 'data-command': command }, text);
      b.addEventListener('click', () => postToHost({ type: 'visualizerCommand', command }));
      actions.append(b);
    }
    children.push(actions);
  }
  panel.replaceChildren(...children);
}

/** Renders the page for the current state; true if the tabs were (re)built and shown. */
function render(): boolean {
  renderHeader();
  if (modelMessage?.state === 'ready') {
    if (!tabs.isConnected) app.replaceChildren(header, tabs, panel);
    return rebuildViews();
  } else if (modelMessage?.state === 'loading' && views.length) {
    // A newer checkpoint or another model is loading: keep showing the last one until it is ready.
    return false;
  } else {
    for (const v of views) v.dispose();
    views = [];
    viewsFor = '';
    tabs.replaceChildren();
    app.replaceChildren(header, panel);
    renderStatus();
    return false;
  }
}

connect({
  init: () => render(),
  cursorContext: (m) => {
    cursor = m;
    renderHeader();
  },
  visualizerModel: (m) => {
    const changed = m.model?.id !== modelMessage?.model?.id;
    modelMessage = m;
    if (changed) {
      internals = null;
      gradientFlow = null;
      embeddings = null;
    }
    if (!render() && m.state === 'ready') showActive();
  },
  visualizerInternals: (m) => {
    internals = m;
    renderHeader();
    updateActive();
    // The gradient view keeps itself current while it is on show.
    if (active === 'gradient') views.find((v) => v.id === 'gradient')?.shown(data()!);
  },
  visualizerGradientFlow: (m) => {
    gradientFlow = m;
    if (active === 'gradient') updateActive();
  },
  visualizerEmbeddings: (m) => {
    embeddings = m;
    if (active === 'embeddings') updateActive();
  },
});

render();
