// Canvas charts of every webview except the heatmaps: lines (the trainer's loss, the arena's
// curves, gradient flow), bars (the next-token distribution) and a scatter (the embedding map).
// Each redraws on the next animation frame when its data, width or the theme changes, and is
// keyboard-operable.
import { prepareCanvas, requestDraw, watchWidth } from './frame';
import { currentPalette, onThemeChange, type Palette } from './theme';

/** A focusable canvas that repaints on resize and theme change. */
abstract class CanvasChart {
  readonly element: HTMLDivElement;
  protected readonly canvas: HTMLCanvasElement;
  private readonly cleanup: Array<() => void> = [];
  protected readonly redraw = () => this.paintNow();

  /** `canvasId` names the canvas itself (tests read its pixels and `data-points`). */
  constructor(ariaLabel: string, canvasId?: string) {
    this.element = document.createElement('div');
    this.element.className = 'chart';
    this.canvas = document.createElement('canvas');
    if (canvasId) this.canvas.id = canvasId;
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', ariaLabel);
    this.element.append(this.canvas);
    const resize = watchWidth(this.element, this.redraw);
    this.cleanup.push(() => resize.disconnect(), onThemeChange(() => requestDraw(this.redraw)));
  }

  /** The pointer over the canvas, in CSS pixels from its top left, and its leaving. */
  protected onPointer(move: (x: number, y: number) => void, leave: () => void): void {
    this.canvas.addEventListener('mousemove', (e) => {
      const rect = this.canvas.getBoundingClientRect();
      move(e.clientX - rect.left, e.clientY - rect.top);
    });
    this.canvas.addEventListener('mouseleave', leave);
  }

  protected width(): number {
    return Math.max(120, this.element.clientWidth || 300);
  }

  private paintNow(): void {
    this.paint(currentPalette());
  }

  protected abstract paint(palette: Palette): void;

  dispose(): void {
    for (const c of this.cleanup.splice(0)) c();
    this.element.remove();
  }
}

function fontOf(palette: Palette, px: number): string {
  return `${px}px ${palette.font.replace(/^\S+\s+/, '')}`;
}

function niceNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(a >= 10 ? 1 : 2);
  return v.toPrecision(2);
}

// ---------------------------------------------------------------- lines

export interface LineSeries {
  readonly label: string;
  /** A CSS colour, or an index into the theme's series colours (follows theme changes). */
  readonly color: string | number;
  /** y per x; NaN or non-positive (on a log axis) values break the line. */
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly width?: number;
  readonly dashed?: boolean;
  /** Draw each point as a dot (sparse data). */
  readonly markers?: boolean;
}

export interface LineSpec {
  readonly title: string;
  readonly series: readonly LineSeries[];
  readonly logY: boolean;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Tick text for an x value (e.g. the token at position t). */
  readonly xTick?: (x: number) => string;
  /** Five evenly spaced x ticks (a continuous axis: steps, seconds) instead of one per data x. */
  readonly evenXTicks?: boolean;
  readonly height?: number;
  /** Read out after the title (e.g. the last values), for screen readers. */
  readonly description?: string;
  /** Shown in the plot while there is nothing to draw. */
  readonly emptyText?: string;
}

/** A series' colour in this theme. */
export function seriesColor(color: string | number, palette: Palette): string {
  return typeof color === 'number' ? palette.series[color % palette.series.length] : color;
}

export class LineChart extends CanvasChart {
  private spec: LineSpec | undefined;
  private cursorX: number | null = null;
  private plot = { left: 0, top: 0, width: 0, height: 0, x0: 0, x1: 1, y0: 0, y1: 1 };

  constructor(
    ariaLabel: string,
    private readonly onInspect: (text: string | null) => void,
    canvasId?: string,
  ) {
    super(ariaLabel, canvasId);
    this.onPointer(
      (x) => this.moveCursor(this.xAt(x)),
      () => {
        this.cursorX = null;
        this.onInspect(null);
        requestDraw(this.redraw);
      },
    );
    this.canvas.addEventListener('keydown', (e) => {
      const xs = this.xs();
      if (!xs.length) return;
      let i = this.cursorX === null ? -1 : xs.indexOf(this.cursorX);
      if (e.key === 'ArrowRight') i = Math.min(xs.length - 1, i + 1);
      else if (e.key === 'ArrowLeft') i = Math.max(0, i < 0 ? xs.length - 1 : i - 1);
      else if (e.key === 'Home') i = 0;
      else if (e.key === 'End') i = xs.length - 1;
      else return;
      e.preventDefault();
      this.moveCursor(xs[i]);
    });
  }

  set(spec: LineSpec): void {
    this.spec = spec;
    const about = spec.description ? `${spec.description}. ` : '';
    this.canvas.setAttribute('aria-label', `${spec.title}. ${spec.series.map((s) => s.label).join(', ')}. ${about}Left and right arrow keys read the values.`);
    this.canvas.dataset.points = String(spec.series.reduce((n, s) => n + s.points.filter((p) => Number.isFinite(p.y)).length, 0));
    requestDraw(this.redraw);
  }

  private xs(): number[] {
    const set = new Set<number>();
    for (const s of this.spec?.series ?? []) for (const p of s.points) set.add(p.x);
    return [...set].sort((a, b) => a - b);
  }

  private xAt(px: number): number {
    const { left, width, x0, x1 } = this.plot;
    const x = x0 + ((px - left) / Math.max(1, width)) * (x1 - x0);
    const xs = this.xs();
    let best = xs[0] ?? 0;
    for (const v of xs) if (Math.abs(v - x) < Math.abs(best - x)) best = v;
    return best;
  }

  private moveCursor(x: number): void {
    if (this.cursorX === x) return;
    this.cursorX = x;
    const spec = this.spec;
    if (spec) {
      const parts = spec.series
        .map((s) => {
          const p = s.points.find((q) => q.x === x);
          return p && Number.isFinite(p.y) ? `${s.label} ${niceNumber(p.y)}` : null;
        })
        .filter((t): t is string => t !== null);
      const tick = spec.xTick ? spec.xTick(x) : String(x);
      this.onInspect(`${spec.xLabel} ${tick}: ${parts.join(' · ') || 'no value'}`);
    }
    requestDraw(this.redraw);
  }

  protected paint(palette: Palette): void {
    const spec = this.spec;
    if (!spec) return;
    const width = this.width();
    const height = spec.height ?? 220;
    const ctx = prepareCanvas(this.canvas, width, height);
    ctx.clearRect(0, 0, width, height);
    const valid = (y: number) => Number.isFinite(y) && (!spec.logY || y > 0);
    const ys = spec.series.flatMap((s) => s.points.map((p) => p.y)).filter(valid);
    const xs = this.xs();
    ctx.font = fontOf(palette, 11);
    if (!ys.length || !xs.length) {
      ctx.fillStyle = palette.muted;
      ctx.fillText(spec.emptyText ?? 'No values to plot.', 8, 20);
      return;
    }
    const f = (y: number) => (spec.logY ? Math.log10(y) : y);
    let y0 = Math.min(...ys.map(f));
    let y1 = Math.max(...ys.map(f));
    if (spec.logY) {
      y0 = Math.floor(y0);
      y1 = Math.ceil(y1);
    }
    if (y1 - y0 < 1e-12) {
      y0 -= spec.logY ? 1 : Math.abs(y0) * 0.1 + 1;
      y1 += spec.logY ? 1 : Math.abs(y1) * 0.1 + 1;
    }
    if (!spec.logY && y0 > 0 && y0 < (y1 - y0) * 0.5) y0 = 0;
    const x0 = xs[0];
    const x1 = xs.length > 1 ? xs[xs.length - 1] : x0 + 1;
    const plot = (this.plot = { left: 52, top: 8, width: width - 64, height: height - 44, x0, x1, y0, y1 });
    const px = (x: number) => plot.left + ((x - x0) / (x1 - x0)) * plot.width;
    const py = (y: number) => plot.top + (1 - (f(y) - y0) / (y1 - y0)) * plot.height;

    // Axes and grid.
    ctx.strokeStyle = palette.grid;
    ctx.fillStyle = palette.muted;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const yTicks = spec.logY
      ? Array.from({ length: Math.round(y1 - y0) + 1 }, (_, i) => y0 + i).filter((_, i, a) => a.length <= 8 || i % Math.ceil(a.length / 8) === 0)
      : Array.from({ length: 5 }, (_, i) => y0 + ((y1 - y0) * i) / 4);
    for (const t of yTicks) {
      const y = plot.top + (1 - (t - y0) / (y1 - y0)) * plot.height;
      ctx.beginPath();
      ctx.moveTo(plot.left, Math.round(y) + 0.5);
      ctx.lineTo(plot.left + plot.width, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillText(spec.logY ? `1e${t}` : niceNumber(t), plot.left - 4, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const tick = spec.xTick ?? (spec.evenXTicks ? niceNumber : String);
    if (spec.evenXTicks) {
      for (let i = 0; i <= 4; i++) {
        const x = x0 + ((x1 - x0) * i) / 4;
        ctx.fillText(tick(x), px(x), plot.top + plot.height + 4);
      }
    } else {
      const step = Math.max(1, Math.ceil((xs.length * 28) / plot.width));
      xs.forEach((x, i) => {
        if (i % step === 0) ctx.fillText(tick(x), px(x), plot.top + plot.height + 4);
      });
    }
    ctx.fillText(spec.xLabel, plot.left + plot.width / 2, height - 14);
    ctx.save();
    ctx.translate(10, plot.top + plot.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(spec.yLabel, 0, -6);
    ctx.restore();

    // Series.
    for (const s of spec.series) {
      ctx.strokeStyle = ctx.fillStyle = seriesColor(s.color, palette);
      ctx.lineWidth = s.width ?? 1.5;
      ctx.setLineDash(s.dashed ? [5, 3] : []);
      ctx.beginPath();
      let pen = false;
      for (const p of s.points) {
        if (!valid(p.y)) {
          pen = false;
          continue;
        }
        if (pen) ctx.lineTo(px(p.x), py(p.y));
        else ctx.moveTo(px(p.x), py(p.y));
        pen = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (s.markers || s.points.length === 1) {
        for (const p of s.points) {
          if (!valid(p.y)) continue;
          ctx.beginPath();
          ctx.arc(px(p.x), py(p.y), 3, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
    if (this.cursorX !== null) {
      ctx.strokeStyle = palette.focus;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(Math.round(px(this.cursorX)) + 0.5, plot.top);
      ctx.lineTo(Math.round(px(this.cursorX)) + 0.5, plot.top + plot.height);
      ctx.stroke();
    }
  }
}

// ---------------------------------------------------------------- bars

export interface Bar {
  readonly label: string;
  /** Probability at the chosen temperature (the hybrid's charts: of that side or of the mix). */
  readonly value: number;
  /** Probability at τ = 1 (the hybrid's charts: the model's own), drawn as a tick, to show the reshaping. */
  readonly reference: number;
}

export class BarChart extends CanvasChart {
  private bars: readonly Bar[] = [];
  private focusIndex = 0;

  constructor(
    ariaLabel: string,
    private readonly onInspect: (text: string | null) => void,
    /** What a bar says when read out (default: its probability at this temperature and at τ = 1). */
    private readonly describe: (b: Bar) => string = (b) => `${b.label}: ${(b.value * 100).toFixed(2)}% at this temperature, ${(b.reference * 100).toFixed(2)}% at τ = 1`,
  ) {
    super(ariaLabel);
    this.canvas.addEventListener('keydown', (e) => {
      if (!this.bars.length) return;
      if (e.key === 'ArrowDown') this.focusIndex = Math.min(this.bars.length - 1, this.focusIndex + 1);
      else if (e.key === 'ArrowUp') this.focusIndex = Math.max(0, this.focusIndex - 1);
      else return;
      e.preventDefault();
      this.announce(this.focusIndex);
      requestDraw(this.redraw);
    });
    this.onPointer(
      (_x, y) => {
        const i = Math.floor((y - 4) / 20);
        if (i >= 0 && i < this.bars.length) this.announce(i);
      },
      () => this.onInspect(null),
    );
  }

  private announce(i: number): void {
    const b = this.bars[i];
    if (b) this.onInspect(this.describe(b));
  }

  set(bars: readonly Bar[], ariaLabel: string): void {
    this.bars = bars;
    this.focusIndex = Math.min(this.focusIndex, Math.max(0, bars.length - 1));
    this.canvas.setAttribute('aria-label', ariaLabel);
    requestDraw(this.redraw);
  }

  protected paint(palette: Palette): void {
    const width = this.width();
    const rowH = 20;
    const height = Math.max(24, this.bars.length * rowH + 8);
    const ctx = prepareCanvas(this.canvas, width, height);
    ctx.clearRect(0, 0, width, height);
    const labelW = 72;
    const valueW = 56;
    const barW = Math.max(20, width - labelW - valueW - 8);
    const max = Math.max(1e-12, ...this.bars.map((b) => Math.max(b.value, b.reference)));
    ctx.textBaseline = 'middle';
    this.bars.forEach((b, i) => {
      const y = 4 + i * rowH;
      ctx.font = fontOf(palette, 12);
      ctx.fillStyle = palette.foreground;
      ctx.textAlign = 'right';
      ctx.fillText(b.label, labelW - 8, y + rowH / 2);
      ctx.fillStyle = palette.series[0];
      ctx.fillRect(labelW, y + 3, (b.value / max) * barW, rowH - 6);
      ctx.strokeStyle = palette.series[1];
      ctx.lineWidth = 2;
      const rx = labelW + (b.reference / max) * barW;
      ctx.beginPath();
      ctx.moveTo(rx, y + 1);
      ctx.lineTo(rx, y + rowH - 1);
      ctx.stroke();
      ctx.fillStyle = palette.muted;
      ctx.textAlign = 'left';
      ctx.font = fontOf(palette, 11);
      ctx.fillText(`${(b.value * 100).toFixed(1)}%`, labelW + barW + 6, y + rowH / 2);
      if (document.activeElement === this.canvas && i === this.focusIndex) {
        ctx.strokeStyle = palette.focus;
        ctx.lineWidth = 1;
        ctx.strokeRect(1.5, y + 0.5, width - 3, rowH - 1);
      }
    });
  }
}

// ---------------------------------------------------------------- scatter

export interface ScatterSpec {
  readonly title: string;
  /** Point i at (points[2i], points[2i+1]). */
  readonly points: Float32Array;
  readonly labels: readonly string[];
  /** Points drawn large and labelled (search matches, tokens in the window). */
  readonly emphasis: ReadonlySet<number>;
  readonly xLabel: string;
  readonly yLabel: string;
}

export class ScatterChart extends CanvasChart {
  private spec: ScatterSpec | undefined;
  private screen: Float32Array = new Float32Array(0);
  private hover = -1;
  private focusOrder: number[] = [];
  private focusAt = -1;

  constructor(
    ariaLabel: string,
    private readonly onInspect: (text: string | null) => void,
    canvasId?: string,
  ) {
    super(ariaLabel, canvasId);
    this.onPointer(
      (x, y) => {
        const i = this.nearest(x, y);
        if (i === this.hover) return;
        this.hover = i;
        this.onInspect(i >= 0 ? this.describe(i) : null);
        requestDraw(this.redraw);
      },
      () => {
        this.hover = -1;
        this.onInspect(null);
        requestDraw(this.redraw);
      },
    );
    this.canvas.addEventListener('keydown', (e) => {
      if (!this.focusOrder.length) return;
      if (e.key === 'ArrowRight' || e.key === 'ArrowDown') this.focusAt = (this.focusAt + 1) % this.focusOrder.length;
      else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') this.focusAt = (this.focusAt - 1 + this.focusOrder.length) % this.focusOrder.length;
      else return;
      e.preventDefault();
      this.hover = this.focusOrder[this.focusAt];
      this.onInspect(this.describe(this.hover));
      requestDraw(this.redraw);
    });
  }

  set(spec: ScatterSpec): void {
    this.spec = spec;
    // Keyboard order: emphasised points first (left to right), then the rest.
    const n = spec.points.length / 2;
    const all = Array.from({ length: n }, (_, i) => i).sort((a, b) => spec.points[2 * a] - spec.points[2 * b]);
    this.focusOrder = [...all.filter((i) => spec.emphasis.has(i)), ...all.filter((i) => !spec.emphasis.has(i))];
    this.focusAt = -1;
    this.canvas.setAttribute('aria-label', `${spec.title}: ${n} tokens. Arrow keys step through them, highlighted ones first.`);
    requestDraw(this.redraw);
  }

  private describe(i: number): string {
    const spec = this.spec!;
    return `${spec.labels[i] ?? i} at (${spec.points[2 * i].toFixed(2)}, ${spec.points[2 * i + 1].toFixed(2)})`;
  }

  private nearest(x: number, y: number): number {
    let best = -1;
    let bestD = 64;
    for (let i = 0; i < this.screen.length / 2; i++) {
      const d = (this.screen[2 * i] - x) ** 2 + (this.screen[2 * i + 1] - y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  protected paint(palette: Palette): void {
    const spec = this.spec;
    if (!spec) return;
    const width = this.width();
    const height = Math.min(420, Math.max(220, Math.round(width * 0.6)));
    const ctx = prepareCanvas(this.canvas, width, height);
    ctx.clearRect(0, 0, width, height);
    const n = spec.points.length / 2;
    if (n === 0) return;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, spec.points[2 * i]);
      maxX = Math.max(maxX, spec.points[2 * i]);
      minY = Math.min(minY, spec.points[2 * i + 1]);
      maxY = Math.max(maxY, spec.points[2 * i + 1]);
    }
    const pad = 24;
    const sx = (width - 2 * pad) / (maxX - minX || 1);
    const sy = (height - 2 * pad) / (maxY - minY || 1);
    this.screen = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      this.screen[2 * i] = pad + (spec.points[2 * i] - minX) * sx;
      this.screen[2 * i + 1] = height - pad - (spec.points[2 * i + 1] - minY) * sy;
    }
    ctx.fillStyle = palette.muted;
    ctx.font = fontOf(palette, 11);
    ctx.textAlign = 'center';
    ctx.fillText(spec.xLabel, width / 2, height - 6);
    ctx.save();
    ctx.translate(10, height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(spec.yLabel, 0, 0);
    ctx.restore();
    ctx.globalAlpha = spec.emphasis.size ? 0.45 : 0.8;
    ctx.fillStyle = palette.series[0];
    for (let i = 0; i < n; i++) if (!spec.emphasis.has(i)) ctx.fillRect(this.screen[2 * i] - 1.5, this.screen[2 * i + 1] - 1.5, 3, 3);
    ctx.globalAlpha = 1;
    ctx.font = fontOf(palette, 12);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    for (const i of spec.emphasis) {
      if (i >= n) continue;
      ctx.fillStyle = palette.series[1];
      ctx.beginPath();
      ctx.arc(this.screen[2 * i], this.screen[2 * i + 1], 3.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = palette.foreground;
      ctx.fillText(spec.labels[i] ?? '', this.screen[2 * i] + 5, this.screen[2 * i + 1]);
    }
    if (this.hover >= 0 && this.hover < n) {
      ctx.strokeStyle = palette.focus;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(this.screen[2 * this.hover], this.screen[2 * this.hover + 1], 6, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.fillStyle = palette.foreground;
      ctx.fillText(spec.labels[this.hover] ?? '', this.screen[2 * this.hover] + 8, this.screen[2 * this.hover + 1] - 10);
    }
  }
}
