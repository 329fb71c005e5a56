// The live loss chart: training loss (every progress report) and validation loss (every
// evaluation) against the step, drawn by the shared LineChart in the theme's series colours.
import { LineChart } from '../shared/charts';

interface Point {
  readonly x: number;
  readonly y: number;
}

export class LossChart {
  private readonly chart = new LineChart('Training and validation loss by step', (text) => (this.readout.textContent = text ?? ''), 'loss-chart');
  private readonly readout = document.createElement('p');
  private readonly train: Point[] = [];
  private readonly validation: Point[] = [];
  /** The chart and its readout (the values under the cursor or the arrow keys). */
  readonly element = document.createElement('div');

  constructor() {
    this.readout.className = 'muted chart-readout';
    this.readout.setAttribute('aria-live', 'polite');
    this.element.append(this.chart.element, this.readout);
    this.update();
  }

  addTrain(step: number, loss: number): void {
    if (Number.isFinite(loss)) this.train.push({ x: step, y: loss });
    this.update();
  }

  addValidation(step: number, loss: number): void {
    if (Number.isFinite(loss)) this.validation.push({ x: step, y: loss });
    this.update();
  }

  /** Forgets the points after `step` (a run that fell back continues from an earlier step). */
  truncateAfter(step: number): void {
    for (const series of [this.train, this.validation]) {
      while (series.length && series[series.length - 1].x > step) series.pop();
    }
    this.update();
  }

  /** A text version of the chart for screen readers and tests. */
  describe(): string {
    const last = (s: Point[]) => (s.length ? s[s.length - 1].y.toFixed(3) : 'none');
    return `training loss ${last(this.train)} over ${this.train.length} points, validation loss ${last(this.validation)} over ${this.validation.length} points`;
  }

  private update(): void {
    this.chart.set({
      title: 'Loss chart',
      description: this.describe(),
      series: [
        { label: 'train', color: 0, points: this.train, markers: this.train.length === 1 },
        { label: 'validation', color: 1, points: this.validation, markers: true },
      ],
      logY: false,
      xLabel: 'step',
      xTick: (x) => String(Math.round(x)),
      evenXTicks: true,
      yLabel: 'nats/token',
      emptyText: 'waiting for the first steps…',
    });
  }
}
