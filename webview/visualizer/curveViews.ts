// Curves: ‖∂L/∂h_t‖ over the window (the active model next to freshly initialised comparisons,
// with clipping on or off) and the active model's training curves.
import { clipSeries, decayRatio } from '../../src/core/visualization/gradientFlow';
import { CURVE_NAMES, type CurveName } from '../../src/core/visualization/trainingCurves';
import { el } from '../shared/host';
import { LineChart, seriesColor, type LineSeries } from '../shared/charts';
import { currentPalette } from '../shared/theme';
import { checkboxControl, setReadout, viewBody, type View, type ViewData, type ViewHost } from './view';

export class GradientView implements View {
  readonly id = 'gradient';
  readonly label = 'Gradient flow';
  readonly element: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly chart: LineChart;
  private readonly legend: HTMLElement;
  private readonly note: HTMLElement;
  private readonly clip: HTMLInputElement;
  private readonly hidden = new Set<string>();
  private data: ViewData | undefined;
  private requestedFor = -1;
  private lines = 0;

  constructor(private readonly host: ViewHost) {
    const body = viewBody('gradient');
    this.element = body.element;
    this.readout = body.readout;
    this.chart = new LineChart('Gradient norm per timestep', (text) => setReadout(this.readout, text));
    const clip = checkboxControl('Clip by global norm', false, () => this.refresh());
    this.clip = clip.input;
    this.legend = el('div', { class: 'legend', role: 'group', 'aria-label': 'Curves to show' });
    this.note = el('p', { class: 'muted' });
    body.figure.append(el('div', { class: 'controls' }, clip.element), this.note, this.readout, this.chart.element, this.legend);
  }

  /** Asks the host for the curves at the current window (it coalesces repeated requests). */
  shown(data: ViewData): void {
    this.data = data;
    const request = data.internals?.requestId ?? 0;
    if (request !== this.requestedFor) {
      this.requestedFor = request;
      this.note.textContent = 'Computing ‖∂L/∂h_t‖ (one backward pass per model)…';
      this.host.post({ type: 'visualizerRequest', what: 'gradientFlow' });
    }
    this.update(data);
  }

  update(data: ViewData): void {
    this.data = data;
    const g = data.gradientFlow;
    if (!g || g.modelId !== data.model.id) return;
    if (g.message) {
      this.note.textContent = g.message;
      this.chart.set({ title: 'No gradient', series: [], logY: true, xLabel: 't', yLabel: '‖∂L/∂h_t‖' });
      this.legend.replaceChildren();
      this.lines = 0;
      return;
    }
    const palette = currentPalette();
    const clipOn = this.clip.checked;
    const series: LineSeries[] = [];
    const legend: HTMLElement[] = [];
    g.series.forEach((s, i) => {
      const color = palette.series[i % palette.series.length];
      const norms = s.norms ? (clipOn ? clipSeries(s.norms, g.clipNorm) : s.norms) : null;
      const ratio = s.norms ? decayRatio(s.norms) : NaN;
      const toggle = checkboxControl('', !this.hidden.has(s.label), (on) => {
        if (on) this.hidden.delete(s.label);
        else this.hidden.add(s.label);
        this.refresh();
      });
      const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.backgroundColor = color;
      toggle.element.append(swatch, ` ${s.label}`, el('span', { class: 'muted' }, Number.isFinite(ratio) ? ` — first/last ${ratio.toExponential(1)}` : ''));
      toggle.element.title = s.note;
      legend.push(el('div', { class: 'legend-item' }, toggle.element, el('span', { class: 'muted legend-note' }, s.note)));
      if (!norms || this.hidden.has(s.label)) return;
      series.push({ label: s.label, color, points: norms.map((y, x) => ({ x, y })), width: s.active ? 3 : 1.5, dashed: !s.active });
    });
    this.lines = series.reduce((n, s) => n + s.points.length, 0);
    this.legend.replaceChildren(...legend);
    this.note.textContent = `L: the loss of predicting the last token (“${data.internals?.tokens.labels.at(-1) ?? ''}”) from the ${g.labels.length} before it.${clipOn ? ` Clipped at global norm ${g.clipNorm} (the model's training threshold, else 1).` : ''}`;
    this.chart.set({
      title: '‖∂L/∂h_t‖ per position, log scale',
      series,
      logY: true,
      xLabel: 'token',
      yLabel: '‖∂L/∂h_t‖',
      xTick: (x) => g.labels[x] ?? String(x),
      height: 240,
    });
  }

  private refresh(): void {
    if (this.data) this.update(this.data);
  }

  painted(): number {
    return this.lines;
  }

  dispose(): void {
    this.chart.dispose();
    this.element.remove();
  }
}

const CURVE_TEXT: Record<CurveName, string> = {
  trainLoss: 'training loss (nats/token)',
  validationLoss: 'validation loss (nats/token)',
  validationBitsPerChar: 'validation bits/char',
  gradNorm: 'gradient norm',
  learningRate: 'learning rate',
};

export class TrainingView implements View {
  readonly id = 'training';
  readonly label = 'Training';
  readonly element: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly chart: LineChart;
  private readonly note: HTMLElement;
  private readonly legend: HTMLElement;
  private points = 0;

  constructor() {
    const body = viewBody('training');
    this.element = body.element;
    this.readout = body.readout;
    this.chart = new LineChart('Training curves', (text) => setReadout(this.readout, text));
    this.note = el('p', { class: 'muted' });
    this.legend = el('div', { class: 'legend' });
    body.figure.append(this.note, this.readout, this.chart.element, this.legend);
  }

  shown(data: ViewData): void {
    this.update(data);
  }

  update(data: ViewData): void {
    const { curves, source, steps } = data.model.curves;
    const palette = currentPalette();
    const names = CURVE_NAMES.filter((n) => n !== 'learningRate' && n !== 'gradNorm' && curves[n]?.length);
    const series: LineSeries[] = names.map((n, i) => ({
      label: CURVE_TEXT[n],
      color: palette.series[i % palette.series.length],
      points: curves[n]!.map((p) => ({ x: p.step, y: p.value })),
      markers: source === 'lastEval' || (curves[n]?.length ?? 0) < 12,
    }));
    this.points = series.reduce((n, s) => n + s.points.length, 0);
    this.legend.replaceChildren(
      ...series.map((s) => {
        const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
        swatch.style.backgroundColor = seriesColor(s.color, palette);
        const last = s.points[s.points.length - 1];
        return el('div', { class: 'legend-item' }, swatch, ` ${s.label}`, el('span', { class: 'muted' }, last ? ` — ${last.y.toFixed(3)} at update ${last.x}` : ''));
      }),
    );
    const stepsText = steps !== undefined ? `Trained for ${steps} updates. ` : '';
    this.note.textContent =
      source === 'history'
        ? `${stepsText}Evaluations recorded in the model file.`
        : source === 'lastEval'
          ? `${stepsText}This model file records only its last evaluation, drawn as points.`
          : data.model.kind === 'ngram'
            ? 'An n-gram model is counted in one pass: there is no training curve.'
            : `${stepsText}This model file records no evaluations.`;
    this.chart.set({ title: 'Training curves', series, logY: false, xLabel: 'update', yLabel: 'loss', height: 220 });
  }

  painted(): number {
    return this.points;
  }

  dispose(): void {
    this.chart.dispose();
    this.element.remove();
  }
}
