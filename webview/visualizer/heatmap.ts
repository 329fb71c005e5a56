// A heatmap on canvas: one coloured cell per matrix value, row and column labels, the value on
// hover, keyboard navigation over cells (arrow keys, Home/End, Enter to select), and masked
// cells left empty (the causal mask). Two stacked canvases: the cells and labels, redrawn when
// the data, size or theme change; an overlay for hover, focus and selection, redrawn alone.
// Cells are painted as one ImageData of cols × rows pixels scaled up without smoothing, so a
// 256 × 64 map costs one putImageData and one drawImage.
import { tableIndex, type ColorTable } from '../../src/core/visualization/colorScale';
import { normalize, type Matrix, type ValueRange } from '../../src/core/visualization/heatmap';
import { shortLabel } from '../../src/core/visualization/window';
import { prepareCanvas, requestDraw, watchWidth } from '../shared/frame';
import { currentPalette, onThemeChange } from '../shared/theme';

export interface HeatmapSpec {
  readonly matrix: Matrix;
  readonly range: ValueRange;
  /** Which colour table of the palette. */
  readonly scale: 'sequential' | 'diverging';
  readonly rowLabels: readonly string[];
  readonly colLabels: readonly string[];
  /** Row drawn at position k is matrix row order[k] (default: identity). */
  readonly rowOrder?: readonly number[];
  /** Cells drawn empty (e.g. above the diagonal of a causal attention map). */
  readonly masked?: (row: number, col: number) => boolean;
  /** Short name for screen readers and the tooltip, e.g. "forget gate". */
  readonly title: string;
  /** Tooltip / live-region text of a cell (row, col are matrix indices). */
  readonly describe: (row: number, col: number, value: number) => string;
  /** Largest cell side in CSS pixels; cells shrink to fit the width down to minCell. */
  readonly maxCell?: number;
  readonly minCell?: number;
  /** Rows taller than this total are squeezed (row height ≥ 1 px). */
  readonly maxHeight?: number;
  /** Show labels (thumbnails do not). */
  readonly labels?: boolean;
  /** A row to outline (e.g. the selected query). */
  readonly selectedRow?: number | null;
  /**
   * Colour position = normalised value ^ gamma (default 1, linear). 0.5 (square root) makes
   * small values visible: attention spread evenly over 60 tokens is 1/60 per cell.
   */
  readonly gamma?: number;
}

export interface HeatmapEvents {
  /** Click or Enter on a cell (matrix indices). */
  onSelect?: (row: number, col: number) => void;
  /** Hovered or focused cell text, or null when the pointer leaves. */
  onInspect?: (text: string | null) => void;
}

interface Layout {
  readonly left: number;
  readonly top: number;
  readonly cellW: number;
  readonly cellH: number;
  readonly width: number;
  readonly height: number;
}

const LABEL_FONT_PX = 11;

export class Heatmap {
  readonly element: HTMLDivElement;
  private readonly base: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private spec: HeatmapSpec | undefined;
  private layout: Layout | undefined;
  private hover: { r: number; c: number } | null = null;
  private cursor = { r: 0, c: 0 };
  private focused = false;
  private painted = 0;
  private readonly drawBase = () => this.paintBase();
  private readonly drawOverlay = () => this.paintOverlay();
  private readonly cleanup: Array<() => void> = [];

  constructor(
    ariaLabel: string,
    private readonly events: HeatmapEvents = {},
    id?: string,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'heatmap';
    if (id) this.element.id = id;
    this.base = document.createElement('canvas');
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'overlay';
    this.overlay.tabIndex = 0;
    this.overlay.setAttribute('role', 'img');
    this.overlay.setAttribute('aria-label', ariaLabel);
    this.element.append(this.base, this.overlay);
    this.overlay.addEventListener('mousemove', (e) => this.pointer(e));
    this.overlay.addEventListener('mouseleave', () => {
      this.hover = null;
      this.events.onInspect?.(null);
      requestDraw(this.drawOverlay);
    });
    this.overlay.addEventListener('click', (e) => {
      const cell = this.cellAt(e);
      if (!cell) return;
      this.cursor = cell;
      this.select();
    });
    this.overlay.addEventListener('keydown', (e) => this.key(e));
    this.overlay.addEventListener('focus', () => {
      this.focused = true;
      this.announce();
      requestDraw(this.drawOverlay);
    });
    this.overlay.addEventListener('blur', () => {
      this.focused = false;
      requestDraw(this.drawOverlay);
    });
    const resize = watchWidth(this.element, () => this.paintBase());
    this.cleanup.push(() => resize.disconnect(), onThemeChange(() => requestDraw(this.drawBase)));
  }

  dispose(): void {
    for (const c of this.cleanup.splice(0)) c();
    this.element.remove();
  }

  set(spec: HeatmapSpec): void {
    this.spec = spec;
    this.cursor = { r: Math.min(this.cursor.r, spec.matrix.rows - 1), c: Math.min(this.cursor.c, spec.matrix.cols - 1) };
    this.overlay.setAttribute(
      'aria-label',
      `${spec.title}: ${spec.matrix.rows} × ${spec.matrix.cols} heatmap, from ${spec.range.min.toPrecision(3)} to ${spec.range.max.toPrecision(3)}. Arrow keys move between cells.`,
    );
    requestDraw(this.drawBase);
  }

  /** Cells given a colour in the last drawing (not masked, finite). */
  get paintedCells(): number {
    return this.painted;
  }

  private computeLayout(spec: HeatmapSpec): Layout {
    const { rows, cols } = spec.matrix;
    const labels = spec.labels ?? true;
    const available = Math.max(40, this.element.clientWidth || 300);
    const rowLabelChars = labels ? Math.min(8, Math.max(2, ...spec.rowLabels.map((l) => [...l].length))) : 0;
    const left = labels ? rowLabelChars * 7 + 8 : 0;
    const top = labels ? 16 : 0;
    const maxCell = spec.maxCell ?? 18;
    const minCell = spec.minCell ?? 2;
    const cellW = Math.max(minCell, Math.min(maxCell, Math.floor((available - left - 2) / Math.max(1, cols))));
    let cellH = cellW;
    if (spec.maxHeight && rows * cellH > spec.maxHeight) cellH = Math.max(1, Math.floor(spec.maxHeight / rows));
    return { left, top, cellW, cellH, width: left + cols * cellW + 1, height: top + rows * cellH + (labels ? 2 : 0) };
  }

  private paintBase(): void {
    const spec = this.spec;
    if (!spec) return;
    const palette = currentPalette();
    const layout = (this.layout = this.computeLayout(spec));
    // Where the cells lie, in CSS pixels (tests read the canvas there).
    Object.assign(this.element.dataset, { left: layout.left, top: layout.top, cellWidth: layout.cellW, cellHeight: layout.cellH, rows: spec.matrix.rows, cols: spec.matrix.cols });
    const ctx = prepareCanvas(this.base, layout.width, layout.height);
    ctx.clearRect(0, 0, layout.width, layout.height);
    const { rows, cols, data } = spec.matrix;
    const table: ColorTable = spec.scale === 'diverging' ? palette.diverging : palette.sequential;
    const image = new ImageData(Math.max(1, cols), Math.max(1, rows));
    let painted = 0;
    const gamma = spec.gamma ?? 1;
    for (let k = 0; k < rows; k++) {
      const r = spec.rowOrder ? spec.rowOrder[k] : k;
      for (let c = 0; c < cols; c++) {
        const v = data[r * cols + c];
        if ((spec.masked && spec.masked(r, c)) || !Number.isFinite(v)) continue;
        const t = normalize(v, spec.range);
        const i = tableIndex(gamma === 1 ? t : Math.pow(t, gamma)) * 4;
        const o = (k * cols + c) * 4;
        image.data[o] = table[i];
        image.data[o + 1] = table[i + 1];
        image.data[o + 2] = table[i + 2];
        image.data[o + 3] = 255;
        painted++;
      }
    }
    this.painted = painted;
    if (rows > 0 && cols > 0) {
      const cells = document.createElement('canvas');
      cells.width = cols;
      cells.height = rows;
      cells.getContext('2d')!.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(cells, layout.left, layout.top, cols * layout.cellW, rows * layout.cellH);
    }
    if (spec.labels ?? true) this.paintLabels(ctx, spec, layout);
    prepareCanvas(this.overlay, layout.width, layout.height);
    this.paintOverlay();
  }

  private paintLabels(ctx: CanvasRenderingContext2D, spec: HeatmapSpec, layout: Layout): void {
    const palette = currentPalette();
    ctx.fillStyle = palette.muted;
    ctx.font = `${LABEL_FONT_PX}px ${palette.monoFont.replace(/^\S+\s+/, '')}`;
    ctx.textBaseline = 'middle';
    // Column labels along the top: every k-th so they never overlap.
    const colChars = Math.min(4, Math.max(1, ...spec.colLabels.map((l) => [...l].length)));
    const colStep = Math.max(1, Math.ceil((colChars * 7 + 3) / layout.cellW));
    ctx.textAlign = 'center';
    for (let c = 0; c < spec.matrix.cols; c += colStep) {
      ctx.fillText(shortLabel(spec.colLabels[c] ?? '', colChars), layout.left + (c + 0.5) * layout.cellW, layout.top / 2);
    }
    const rowStep = Math.max(1, Math.ceil(LABEL_FONT_PX / layout.cellH));
    ctx.textAlign = 'right';
    for (let k = 0; k < spec.matrix.rows; k += rowStep) {
      const r = spec.rowOrder ? spec.rowOrder[k] : k;
      ctx.fillText(shortLabel(spec.rowLabels[r] ?? '', 8), layout.left - 4, layout.top + (k + 0.5) * layout.cellH);
    }
  }

  private paintOverlay(): void {
    const spec = this.spec;
    const layout = this.layout;
    if (!spec || !layout) return;
    const palette = currentPalette();
    const ctx = this.overlay.getContext('2d')!;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, layout.width, layout.height);
    const position = (r: number) => (spec.rowOrder ? spec.rowOrder.indexOf(r) : r);
    const outline = (r: number, c: number, color: string, width: number) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.strokeRect(layout.left + c * layout.cellW + 0.5, layout.top + position(r) * layout.cellH + 0.5, layout.cellW - 1, Math.max(1, layout.cellH - 1));
    };
    if (spec.selectedRow !== undefined && spec.selectedRow !== null && spec.selectedRow < spec.matrix.rows) {
      ctx.strokeStyle = palette.focus;
      ctx.lineWidth = 2;
      ctx.strokeRect(layout.left, layout.top + position(spec.selectedRow) * layout.cellH, spec.matrix.cols * layout.cellW, layout.cellH);
    }
    if (this.hover) outline(this.hover.r, this.hover.c, palette.foreground, 1);
    if (this.focused) outline(this.cursor.r, this.cursor.c, palette.focus, 2);
  }

  private cellAt(e: MouseEvent): { r: number; c: number } | null {
    const spec = this.spec;
    const layout = this.layout;
    if (!spec || !layout) return null;
    const rect = this.overlay.getBoundingClientRect();
    const c = Math.floor((e.clientX - rect.left - layout.left) / layout.cellW);
    const k = Math.floor((e.clientY - rect.top - layout.top) / layout.cellH);
    if (c < 0 || k < 0 || c >= spec.matrix.cols || k >= spec.matrix.rows) return null;
    return { r: spec.rowOrder ? spec.rowOrder[k] : k, c };
  }

  private pointer(e: MouseEvent): void {
    const cell = this.cellAt(e);
    if (cell?.r === this.hover?.r && cell?.c === this.hover?.c) return;
    this.hover = cell;
    this.events.onInspect?.(cell ? this.text(cell.r, cell.c) : null);
    requestDraw(this.drawOverlay);
  }

  private text(r: number, c: number): string {
    const spec = this.spec!;
    if (spec.masked?.(r, c)) return `${spec.title}: masked (a token never attends to later ones)`;
    return spec.describe(r, c, spec.matrix.data[r * spec.matrix.cols + c]);
  }

  private key(e: KeyboardEvent): void {
    const spec = this.spec;
    if (!spec) return;
    const order = spec.rowOrder ?? Array.from({ length: spec.matrix.rows }, (_, i) => i);
    let k = order.indexOf(this.cursor.r);
    let c = this.cursor.c;
    switch (e.key) {
      case 'ArrowUp':
        k--;
        break;
      case 'ArrowDown':
        k++;
        break;
      case 'ArrowLeft':
        c--;
        break;
      case 'ArrowRight':
        c++;
        break;
      case 'Home':
        c = 0;
        break;
      case 'End':
        c = spec.matrix.cols - 1;
        break;
      case 'PageUp':
        k -= 10;
        break;
      case 'PageDown':
        k += 10;
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.select();
        return;
      default:
        return;
    }
    e.preventDefault();
    k = Math.max(0, Math.min(order.length - 1, k));
    c = Math.max(0, Math.min(spec.matrix.cols - 1, c));
    this.cursor = { r: order[k], c };
    this.announce();
    requestDraw(this.drawOverlay);
  }

  private announce(): void {
    if (this.spec && this.spec.matrix.rows > 0 && this.spec.matrix.cols > 0) this.events.onInspect?.(this.text(this.cursor.r, this.cursor.c));
  }

  private select(): void {
    this.events.onSelect?.(this.cursor.r, this.cursor.c);
    this.announce();
    requestDraw(this.drawOverlay);
  }
}
