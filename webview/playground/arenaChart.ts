// The arena's live curves: validation bits/char of every contender, against tokens seen or
// against seconds (two charts over the same points), drawn by the shared LineChart. Contender
// i has the theme's series colour i in both charts, the table and the gradient-flow chart.
import type { CurvePoint } from '../../src/core/arena/arena';
import { LineChart } from '../shared/charts';

export class ArenaChart {
  private readonly chart: LineChart;
  private series: CurvePoint[][] = [];
  private labels: string[] = [];

  constructor(
    canvasId: string,
    private readonly axis: 'tokens' | 'seconds',
    onInspect: (text: string | null) => void,
  ) {
    this.chart = new LineChart(`Held-out bits per character against ${this.axisName()}`, onInspect, canvasId);
    this.update();
  }

  get element(): HTMLElement {
    return this.chart.element;
  }

  reset(labels: readonly string[]): void {
    this.labels = [...labels];
    this.series = labels.map(() => []);
    this.update();
  }

  add(index: number, point: CurvePoint): void {
    if (!Number.isFinite(point.bitsPerChar) || !this.series[index]) return;
    this.series[index].push(point);
    this.update();
  }

  /** The curves as text, for screen readers and tests. */
  describe(): string {
    const parts = this.series.map((s, i) => {
      const last = s[s.length - 1];
      return `${this.labels[i]}: ${s.length} points${last ? `, last ${last.bitsPerChar.toFixed(3)} bits/char at ${this.x(last).toFixed(0)} ${this.axisName()}` : ''}`;
    });
    return parts.join('; ');
  }

  private axisName(): string {
    return this.axis === 'tokens' ? 'tokens seen' : 'seconds';
  }

  private x(p: CurvePoint): number {
    return this.axis === 'tokens' ? p.tokens : p.seconds;
  }

  private update(): void {
    this.chart.set({
      title: `Held-out bits per character against ${this.axisName()}`,
      description: this.describe(),
      series: this.series.map((points, i) => ({
        label: this.labels[i],
        color: i,
        points: points.map((p) => ({ x: this.x(p), y: p.bitsPerChar })),
        markers: true,
      })),
      logY: false,
      xLabel: this.axisName(),
      yLabel: 'bits/char',
      xTick: (x) => (this.axis === 'tokens' ? compact(x) : x.toFixed(x < 10 ? 1 : 0)),
      evenXTicks: true,
      emptyText: 'The curves appear with the first evaluations.',
    });
  }
}

function compact(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k` : String(Math.round(n));
}
