// The live loss chart: training loss (every progress report) and validation loss (every
// evaluation) against the step, on a canvas, in the theme's chart colours. Redraws at most once
// per animation frame, and not at all while the panel is hidden.

export interface Point {
  readonly step: number;
  readonly value: number;
}

function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

export class LossChart {
  readonly canvas: HTMLCanvasElement;
  private readonly train: Point[] = [];
  private readonly validation: Point[] = [];
  private pending = false;

  constructor() {
    this.canvas = document.createElement('canvas');
    this.canvas.id = 'loss-chart';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Training and validation loss by step');
    this.canvas.dataset.points = '0';
    document.addEventListener('visibilitychange', () => this.schedule());
    window.addEventListener('resize', () => this.schedule());
  }

  addTrain(step: number, loss: number): void {
    if (Number.isFinite(loss)) this.train.push({ step, value: loss });
    this.schedule();
  }

  addValidation(step: number, loss: number): void {
    if (Number.isFinite(loss)) this.validation.push({ step, value: loss });
    this.schedule();
  }

  /** Forgets the points after `step` (a run that fell back continues from an earlier step). */
  truncateAfter(step: number): void {
    for (const series of [this.train, this.validation]) {
      while (series.length && series[series.length - 1].step > step) series.pop();
    }
    this.schedule();
  }

  clear(): void {
    this.train.length = 0;
    this.validation.length = 0;
    this.schedule();
  }

  /** A text version of the chart for screen readers and tests. */
  describe(): string {
    const last = (s: Point[]) => (s.length ? s[s.length - 1].value.toFixed(3) : 'none');
    return `training loss ${last(this.train)} over ${this.train.length} points, validation loss ${last(this.validation)} over ${this.validation.length} points`;
  }

  private schedule(): void {
    this.canvas.dataset.points = String(this.train.length + this.validation.length);
    this.canvas.setAttribute('aria-label', `Loss chart: ${this.describe()}`);
    if (this.pending || document.hidden) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private draw(): void {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(200, this.canvas.clientWidth || 600);
    const height = Math.max(120, this.canvas.clientHeight || 220);
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
    }
    const g = this.canvas.getContext('2d');
    if (!g) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const foreground = cssColor('--vscode-foreground', '#ccc');
    const muted = cssColor('--vscode-descriptionForeground', '#999');
    const trainColor = cssColor('--vscode-charts-blue', '#3794ff');
    const validationColor = cssColor('--vscode-charts-orange', '#d18616');
    const font = cssColor('--vscode-font-family', 'sans-serif');
    g.font = `11px ${font}`;

    const all = [...this.train, ...this.validation];
    const left = 44;
    const right = 8;
    const top = 8;
    const bottom = 22;
    const plotW = width - left - right;
    const plotH = height - top - bottom;
    g.strokeStyle = muted;
    g.lineWidth = 1;
    g.strokeRect(left, top, plotW, plotH);
    if (all.length === 0) {
      g.fillStyle = muted;
      g.fillText('waiting for the first steps…', left + 8, top + 18);
      return;
    }
    const maxStep = Math.max(1, ...all.map((p) => p.step));
    let lo = Math.min(...all.map((p) => p.value));
    let hi = Math.max(...all.map((p) => p.value));
    if (hi - lo < 1e-6) {
      hi += 0.5;
      lo -= 0.5;
    }
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    const x = (step: number) => left + (plotW * step) / maxStep;
    const y = (v: number) => top + plotH * (1 - (v - lo) / (hi - lo));

    g.fillStyle = muted;
    g.textAlign = 'right';
    g.fillText(hi.toFixed(2), left - 4, top + 10);
    g.fillText(lo.toFixed(2), left - 4, top + plotH);
    g.textAlign = 'center';
    g.fillText('0', left, height - 6);
    g.fillText(`step ${maxStep}`, left + plotW - 24, height - 6);
    g.textAlign = 'left';

    const line = (points: Point[], color: string, dots: boolean) => {
      if (!points.length) return;
      g.strokeStyle = color;
      g.fillStyle = color;
      g.lineWidth = 1.5;
      g.beginPath();
      points.forEach((p, i) => (i === 0 ? g.moveTo(x(p.step), y(p.value)) : g.lineTo(x(p.step), y(p.value))));
      g.stroke();
      if (dots) for (const p of points) g.fillRect(x(p.step) - 2, y(p.value) - 2, 4, 4);
    };
    line(this.train, trainColor, this.train.length === 1);
    line(this.validation, validationColor, true);

    // Legend
    g.fillStyle = trainColor;
    g.fillRect(left + 8, top + 6, 10, 3);
    g.fillStyle = foreground;
    g.fillText('train', left + 22, top + 11);
    g.fillStyle = validationColor;
    g.fillRect(left + 60, top + 6, 10, 3);
    g.fillStyle = foreground;
    g.fillText('validation', left + 74, top + 11);
  }
}
