// The arena's live curves: validation bits/char of every contender on one canvas, against tokens
// seen or against seconds (the two charts share the data). One theme chart colour per
// contender; redrawn at most once per animation frame.
import type { CurvePoint } from '../../src/core/arena/arena';

/** VS Code's chart colours, one per contender (at most six). */
export const SERIES_COLORS: ReadonlyArray<readonly [string, string]> = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-yellow', '#cca700'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-orange', '#d18616'],
];

export function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

export function seriesColor(index: number): string {
  const [name, fallback] = SERIES_COLORS[index % SERIES_COLORS.length];
  return cssColor(name, fallback);
}

export class ArenaChart {
  readonly canvas: HTMLCanvasElement;
  private series: CurvePoint[][] = [];
  private labels: string[] = [];
  private pending = false;

  constructor(
    id: string,
    private readonly axis: 'tokens' | 'seconds',
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.id = id;
    this.canvas.width = 560;
    this.canvas.height = 240;
    this.canvas.setAttribute('role', 'img');
    this.canvas.dataset.points = '0';
    this.updateLabel();
  }

  reset(labels: readonly string[]): void {
    this.labels = [...labels];
    this.series = labels.map(() => []);
    this.schedule();
  }

  add(index: number, point: CurvePoint): void {
    if (!Number.isFinite(point.bitsPerChar)) return;
    this.series[index]?.push(point);
    this.schedule();
  }

  /** The curves as text, for screen readers and tests. */
  describe(): string {
    const x = this.axis === 'tokens' ? 'tokens seen' : 'seconds';
    const parts = this.series.map((s, i) => {
      const last = s[s.length - 1];
      return `${this.labels[i]}: ${s.length} points${last ? `, last ${last.bitsPerChar.toFixed(3)} bits/char at ${this.x(last).toFixed(0)} ${x}` : ''}`;
    });
    return `Held-out bits per character against ${x}. ${parts.join('; ')}`;
  }

  private x(p: CurvePoint): number {
    return this.axis === 'tokens' ? p.tokens : p.seconds;
  }

  private updateLabel(): void {
    this.canvas.setAttribute('aria-label', this.describe());
    this.canvas.dataset.points = String(this.series.reduce((s, c) => s + c.length, 0));
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private draw(): void {
    this.updateLabel();
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { width: W, height: H } = this.canvas;
    const pad = { left: 44, right: 10, top: 10, bottom: 28 };
    ctx.clearRect(0, 0, W, H);
    const all = this.series.flat();
    const fg = cssColor('--vscode-foreground', '#cccccc');
    ctx.strokeStyle = cssColor('--vscode-panel-border', '#80808059');
    ctx.strokeRect(pad.left, pad.top, W - pad.left - pad.right, H - pad.top - pad.bottom);
    if (all.length === 0) return;
    const xMax = Math.max(...all.map((p) => this.x(p)), 1e-9);
    const yMin = Math.min(...all.map((p) => p.bitsPerChar));
    const yMax = Math.max(...all.map((p) => p.bitsPerChar));
    const ySpan = Math.max(yMax - yMin, 0.1);
    const px = (v: number) => pad.left + (v / xMax) * (W - pad.left - pad.right);
    const py = (v: number) => pad.top + (1 - (v - yMin) / ySpan) * (H - pad.top - pad.bottom);
    ctx.fillStyle = fg;
    ctx.font = '11px sans-serif';
    ctx.fillText(yMax.toFixed(2), 2, pad.top + 8);
    ctx.fillText(yMin.toFixed(2), 2, H - pad.bottom);
    ctx.fillText(`${this.axis === 'tokens' ? 'tokens' : 'seconds'} → ${xMax.toFixed(this.axis === 'tokens' ? 0 : 1)}`, W - 150, H - 8);
    ctx.fillText('bits/char', pad.left + 4, pad.top + 12);
    this.series.forEach((points, i) => {
      if (points.length === 0) return;
      ctx.strokeStyle = seriesColor(i);
      ctx.fillStyle = seriesColor(i);
      ctx.lineWidth = 2;
      ctx.beginPath();
      points.forEach((p, k) => (k === 0 ? ctx.moveTo(px(this.x(p)), py(p.bitsPerChar)) : ctx.lineTo(px(this.x(p)), py(p.bitsPerChar))));
      ctx.stroke();
      for (const p of points) ctx.fillRect(px(this.x(p)) - 2, py(p.bitsPerChar) - 2, 5, 5);
    });
  }
}
