// The next-token distribution (with temperature and sampling), the hybrid's two sides and their
// mix when completions serve the model so, and the embedding map.
import type { HybridNextToken } from '../../src/protocol';
import { entropyBits, sampleIndex, softmaxAt, topK } from '../../src/core/visualization/distribution';
import { el } from '../shared/host';
import { BarChart, ScatterChart, type Bar } from '../shared/charts';
import { selectControl, setReadout, viewBody, type View, type ViewData, type ViewHost } from './view';

export class NextTokenView implements View {
  readonly id = 'next';
  readonly label: string;
  readonly element: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly chart: BarChart;
  private readonly entropy: HTMLElement;
  private readonly sampled: HTMLElement;
  private readonly temperatureText: HTMLElement;
  private temperature = 1;
  private k = 10;
  private samples: string[] = [];
  private data: ViewData | undefined;
  private bars = 0;
  private hybridBars = 0;
  private readonly hybrid: HTMLElement;
  private readonly hybridNote: HTMLElement;
  private readonly ngramChart: BarChart;
  private readonly mixChart: BarChart;

  constructor(ngram: boolean) {
    this.label = ngram ? 'Next character' : 'Next token';
    const body = viewBody(ngram ? 'nextNgram' : 'next');
    this.element = body.element;
    this.readout = body.readout;
    this.chart = new BarChart('Next-token probabilities', (text) => setReadout(this.readout, text));
    const slider = el('input', { type: 'range', min: '0', max: '2', step: '0.05', value: '1', 'aria-label': 'Temperature' });
    this.temperatureText = el('output', { 'aria-live': 'off' }, 'τ = 1.00');
    slider.addEventListener('input', () => {
      this.temperature = Number(slider.value);
      this.refresh();
    });
    const k = selectControl(
      'Top',
      [5, 10, 20, 40].map((v) => ({ value: String(v), text: String(v) })),
      String(this.k),
      (v) => {
        this.k = Number(v);
        this.refresh();
      },
    );
    const sample = el('button', { type: 'button', class: 'sample' }, 'Sample');
    sample.addEventListener('click', () => this.sample());
    this.entropy = el('p', { class: 'muted' });
    this.sampled = el('p', { class: 'sampled', 'aria-live': 'polite' });
    const versusModel = (side: string) => (b: Bar) =>
      `${b.label}: ${(b.value * 100).toFixed(2)}% ${side}, ${(b.reference * 100).toFixed(2)}% from the model alone`;
    this.ngramChart = new BarChart('Workspace n-gram next-character probabilities', (text) => setReadout(this.readout, text), versusModel('from the workspace n-gram'));
    this.mixChart = new BarChart('Mixed next-character probabilities', (text) => setReadout(this.readout, text), versusModel('in the mix'));
    this.hybridNote = el('p', { 'aria-live': 'polite' });
    this.hybrid = el(
      'section',
      { class: 'hybrid', 'aria-label': 'What completions choose from' },
      el('h3', {}, 'What completions choose from'),
      el('pre', { class: 'equation' }, 'P(next) = g · P_n-gram + (1 − g) · P_model,   g = σ(θ · φ)'),
      el(
        'p',
        { class: 'muted' },
        'Completions mix this model with the workspace n-gram, which also counts this document before the cursor. The gate g looks at how sure each side is here (φ: each one’s top probability and entropy, and how far they agree); θ was fitted on validation text at the end of training. Ticks: the model alone, at τ = 1.',
      ),
      this.hybridNote,
      el('h4', {}, 'Workspace n-gram'),
      this.ngramChart.element,
      el('h4', {}, 'The mix'),
      this.mixChart.element,
    );
    this.hybrid.hidden = true;
    body.figure.append(
      el('div', { class: 'controls' }, el('label', { class: 'control' }, 'Temperature ', slider, ' ', this.temperatureText), k.element, sample),
      this.entropy,
      this.readout,
      this.chart.element,
      this.sampled,
      this.hybrid,
    );
  }

  shown(data: ViewData): void {
    this.update(data);
  }

  update(data: ViewData): void {
    this.data = data;
    const logits = data.internals?.nextLogits;
    if (!logits || logits.length === 0) {
      this.chart.set([], 'No tokens before the cursor');
      this.entropy.textContent = 'Place the cursor after some text.';
      return;
    }
    const vocabulary = data.model.vocabulary;
    const p = softmaxAt(logits, this.temperature);
    const p1 = softmaxAt(logits, 1);
    const top = topK(p, this.k);
    const bars = top.map((r) => ({ label: vocabulary[r.index] ?? String(r.index), value: r.probability, reference: p1[r.index] }));
    this.bars = bars.length;
    this.temperatureText.textContent = this.temperature === 0 ? 'τ = 0 (greedy)' : `τ = ${this.temperature.toFixed(2)}`;
    this.chart.set(
      bars,
      `Top ${bars.length} next tokens at temperature ${this.temperature.toFixed(2)}: ${bars
        .slice(0, 5)
        .map((b) => `${b.label} ${(b.value * 100).toFixed(1)}%`)
        .join(', ')}. Up and down arrow keys read each bar.`,
    );
    this.entropy.textContent = `Entropy ${entropyBits(p).toFixed(2)} bits at this temperature, ${entropyBits(p1).toFixed(2)} bits at τ = 1 (uniform over ${vocabulary.length} would be ${Math.log2(vocabulary.length).toFixed(2)}).`;
    this.showHybrid(data.internals?.hybrid ?? null, vocabulary, p1);
  }

  private showHybrid(hybrid: HybridNextToken | null, vocabulary: readonly string[], model: Float64Array): void {
    this.hybrid.hidden = !hybrid;
    this.hybridBars = 0;
    if (!hybrid) return;
    const barsOf = (probs: Float32Array) =>
      topK(probs, this.k).map((r) => ({ label: vocabulary[r.index] ?? String(r.index), value: r.probability, reference: model[r.index] ?? 0 }));
    const ngram = barsOf(hybrid.ngram);
    const mixed = barsOf(hybrid.mixed);
    const first = (bars: typeof ngram) => (bars[0] ? `“${bars[0].label}” ${(bars[0].value * 100).toFixed(1)}%` : 'nothing');
    this.hybridNote.textContent =
      `Here g = ${hybrid.weight.toFixed(2)}: ${Math.round(hybrid.weight * 100)}% of the mix is the workspace n-gram, ${Math.round((1 - hybrid.weight) * 100)}% the model. ` +
      `Top of the n-gram: ${first(ngram)}; of the mix: ${first(mixed)}.`;
    this.ngramChart.set(ngram, `Top ${ngram.length} next characters from the workspace n-gram: ${ngram.slice(0, 5).map((b) => `${b.label} ${(b.value * 100).toFixed(1)}%`).join(', ')}`);
    this.mixChart.set(mixed, `Top ${mixed.length} next characters of the mix at g = ${hybrid.weight.toFixed(2)}: ${mixed.slice(0, 5).map((b) => `${b.label} ${(b.value * 100).toFixed(1)}%`).join(', ')}`);
    this.hybridBars = ngram.length + mixed.length;
  }

  private sample(): void {
    const logits = this.data?.internals?.nextLogits;
    if (!logits || !logits.length) return;
    const p = softmaxAt(logits, this.temperature);
    const u = crypto.getRandomValues(new Uint32Array(1))[0] / 2 ** 32;
    const i = sampleIndex(p, u);
    const label = this.data!.model.vocabulary[i] ?? String(i);
    this.samples = [label, ...this.samples].slice(0, 16);
    this.sampled.textContent = `Sampled “${label}” (p = ${(p[i] * 100).toFixed(2)}%). Recent: ${this.samples.join(' ')}`;
  }

  private refresh(): void {
    if (this.data) this.update(this.data);
  }

  painted(): number {
    return this.bars + this.hybridBars;
  }

  dispose(): void {
    this.chart.dispose();
    this.ngramChart.dispose();
    this.mixChart.dispose();
    this.element.remove();
  }
}

export class EmbeddingsView implements View {
  readonly id = 'embeddings';
  readonly label = 'Embeddings';
  readonly element: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly chart: ScatterChart;
  private readonly note: HTMLElement;
  private readonly search: HTMLInputElement;
  private data: ViewData | undefined;
  private requestedFor = '';
  private points = 0;

  constructor(private readonly host: ViewHost) {
    const body = viewBody('embeddings');
    this.element = body.element;
    this.readout = body.readout;
    this.chart = new ScatterChart('Token embeddings', (text) => setReadout(this.readout, text));
    this.search = el('input', { type: 'search', placeholder: 'Find tokens…', 'aria-label': 'Find tokens in the embedding map' });
    this.search.addEventListener('input', () => this.refresh());
    this.note = el('p', { class: 'muted' });
    body.figure.append(el('div', { class: 'controls' }, this.search), this.note, this.readout, this.chart.element);
  }

  shown(data: ViewData): void {
    this.data = data;
    if (!data.embeddings || data.embeddings.modelId !== data.model.id) {
      if (this.requestedFor !== data.model.id) {
        this.requestedFor = data.model.id;
        this.note.textContent = 'Projecting the token vectors…';
        this.host.post({ type: 'visualizerRequest', what: 'embeddings' });
      }
      return;
    }
    this.update(data);
  }

  update(data: ViewData): void {
    this.data = data;
    const e = data.embeddings;
    if (!e || e.modelId !== data.model.id) return;
    if (e.message) {
      this.note.textContent = e.message;
      this.chart.set({ title: 'No embeddings', points: new Float32Array(0), labels: [], emphasis: new Set(), xLabel: '', yLabel: '' });
      return;
    }
    const query = this.search.value.trim().toLowerCase();
    const emphasis = new Set<number>();
    if (query) {
      e.labels.forEach((label, i) => {
        if (emphasis.size < 200 && label.toLowerCase().includes(query)) emphasis.add(i);
      });
    } else {
      for (const id of data.internals?.tokens.ids ?? []) if (id < e.labels.length) emphasis.add(id);
    }
    this.points = e.points.length / 2;
    this.note.textContent = `${this.points} tokens, rows of ${e.source}. ${query ? `${emphasis.size} match “${query}”.` : 'Labelled: the tokens before the cursor.'}`;
    this.chart.set({
      title: 'Token embeddings, PCA to two dimensions',
      points: e.points,
      labels: e.labels,
      emphasis,
      xLabel: `PC 1 (${(e.explained[0] * 100).toFixed(1)}% of variance)`,
      yLabel: `PC 2 (${(e.explained[1] * 100).toFixed(1)}%)`,
    });
  }

  private refresh(): void {
    if (this.data) this.update(this.data);
  }

  painted(): number {
    return this.points;
  }

  dispose(): void {
    this.chart.dispose();
    this.element.remove();
  }
}
