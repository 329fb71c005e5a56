// Transformer attention: an overview of every layer × head (and each layer's head average) as
// thumbnails, one map enlarged with token labels, and the tokens as a strip that shades by what
// the selected query attends to (mirrored in the editor through the host).
import { meanOf, type Matrix, type ValueRange } from '../../src/core/visualization/heatmap';
import type { LayerView } from '../../src/core/visualization/internals';
import { el } from '../shared/host';
import { Heatmap } from './heatmap';
import { currentPalette } from '../shared/theme';
import { selectControl, setReadout, viewBody, type View, type ViewData, type ViewHost } from './view';

type HeadChoice = number | 'average';

function attentionLayers(layers: readonly LayerView[]): Extract<LayerView, { kind: 'attention' }>[] {
  return layers.filter((l): l is Extract<LayerView, { kind: 'attention' }> => l.kind === 'attention');
}

/** Colour range of an attention map: 0 to its largest weight (uniform attention over 60 tokens is 1/60; on a fixed [0, 1] it would vanish). */
function attentionRange(m: Matrix): ValueRange {
  let max = 0;
  for (const v of m.data) if (v > max) max = v;
  return { min: 0, max: max > 0 ? max : 1, diverging: false };
}

const causal = (query: number, key: number) => key > query;

export class AttentionView implements View {
  readonly id = 'attention';
  readonly label = 'Attention';
  readonly element: HTMLElement;
  private readonly figure: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly overview: HTMLElement;
  private readonly strip: HTMLElement;
  private readonly main: Heatmap;
  private thumbs: Heatmap[] = [];
  private layer = 0;
  private head: HeadChoice = 'average';
  /** The selected query, counted back from the last token (so it stays put relative to the cursor while typing). */
  private queryFromEnd: number | null = null;
  private query: number | null = null;
  private gamma = 0.5;
  private data: ViewData | undefined;
  private shape = '';
  private shownRequest = -1;

  constructor(private readonly host: ViewHost) {
    const body = viewBody('attention');
    this.element = body.element;
    this.figure = body.figure;
    this.readout = body.readout;
    this.controls = el('div', { class: 'controls' });
    this.overview = el('div', { class: 'thumbs', role: 'group', 'aria-label': 'Every layer and head' });
    this.strip = el('div', { class: 'token-strip', role: 'group', 'aria-label': 'Tokens before the cursor: choose one to see what it attends to' });
    this.main = new Heatmap('Attention map', {
      onSelect: (row) => this.selectQuery(this.query === row ? null : row),
      onInspect: (text) => setReadout(this.readout, text),
    }, 'attention-map');
    this.figure.append(this.controls, this.overview, this.readout, this.main.element, this.strip);
  }

  shown(data: ViewData): void {
    this.update(data);
  }

  update(data: ViewData): void {
    this.data = data;
    const internals = data.internals;
    if (!internals) return;
    const layers = attentionLayers(internals.layers);
    if (!layers.length) return;
    const shape = `${layers.length}×${layers[0].heads.length}`;
    if (shape !== this.shape) {
      this.shape = shape;
      this.layer = Math.min(this.layer, layers.length - 1);
      this.buildControls(layers.length, layers[0].heads.length);
      this.buildThumbs(layers.length, layers[0].heads.length);
    }
    const labels = internals.tokens.labels;
    const previousRequest = this.shownRequest;
    this.shownRequest = internals.requestId;
    this.query = this.queryFromEnd !== null && this.queryFromEnd < labels.length ? labels.length - 1 - this.queryFromEnd : null;
    layers.forEach((layer, l) => {
      const maps = [...layer.heads, meanOf(layer.heads)];
      maps.forEach((m, h) => {
        const thumb = this.thumbs[l * maps.length + h];
        thumb?.set({
          matrix: m,
          range: attentionRange(m),
          scale: 'sequential',
          rowLabels: labels,
          colLabels: labels,
          masked: causal,
          title: `layer ${l + 1} ${h < layer.heads.length ? `head ${h + 1}` : 'head average'}`,
          describe: (q, k, v) => `layer ${l + 1} ${h < layer.heads.length ? `head ${h + 1}` : 'average'}: “${labels[q]}” → “${labels[k]}” ${v.toFixed(3)}`,
          labels: false,
          maxCell: 2,
          minCell: 1,
          selectedRow: null,
          gamma: this.gamma,
        });
      });
    });
    const m = this.currentMap(layers);
    const which = this.head === 'average' ? 'average of all heads' : `head ${this.head + 1}`;
    this.main.set({
      matrix: m,
      range: attentionRange(m),
      scale: 'sequential',
      rowLabels: labels,
      colLabels: labels,
      masked: causal,
      title: `Layer ${this.layer + 1}, ${which} (rows: query tokens, columns: key tokens)`,
      describe: (q, k, v) => `query “${labels[q]}” (t=${q}) attends to key “${labels[k]}” (t=${k}): ${v.toFixed(4)}`,
      maxCell: 14,
      minCell: 3,
      selectedRow: this.query,
      gamma: this.gamma,
    });
    this.paintStrip(m, labels);
    // New tokens at the cursor: the editor's highlight follows the selected query.
    if (this.query !== null && previousRequest !== internals.requestId) this.sendHighlight();
  }

  painted(): number {
    return this.main.paintedCells;
  }

  private currentMap(layers: Extract<LayerView, { kind: 'attention' }>[]): Matrix {
    const layer = layers[Math.min(this.layer, layers.length - 1)];
    return this.head === 'average' || this.head >= layer.heads.length ? meanOf(layer.heads) : layer.heads[this.head];
  }

  private buildControls(layers: number, heads: number): void {
    const layer = selectControl(
      'Layer',
      Array.from({ length: layers }, (_, i) => ({ value: String(i), text: `${i + 1}` })),
      String(this.layer),
      (v) => this.choose(Number(v), this.head),
    );
    const head = selectControl(
      'Head',
      [{ value: 'average', text: 'average of heads' }, ...Array.from({ length: heads }, (_, i) => ({ value: String(i), text: `${i + 1}` }))],
      String(this.head),
      (v) => this.choose(this.layer, v === 'average' ? 'average' : Number(v)),
    );
    const scale = selectControl(
      'Colour',
      [
        { value: '0.5', text: '√ weight (small weights visible)' },
        { value: '1', text: 'weight (linear)' },
      ],
      String(this.gamma),
      (v) => {
        this.gamma = Number(v);
        if (this.data) this.update(this.data);
      },
    );
    this.controls.replaceChildren(layer.element, head.element, scale.element);
  }

  private buildThumbs(layers: number, heads: number): void {
    for (const t of this.thumbs) t.dispose();
    this.thumbs = [];
    const rows: HTMLElement[] = [];
    for (let l = 0; l < layers; l++) {
      const row = el('div', { class: 'thumb-row' }, el('span', { class: 'muted thumb-caption' }, `layer ${l + 1}`));
      for (let h = 0; h <= heads; h++) {
        const choice: HeadChoice = h < heads ? h : 'average';
        const thumb = new Heatmap(`Layer ${l + 1} ${h < heads ? `head ${h + 1}` : 'head average'}: press Enter to enlarge`, {
          onSelect: () => this.choose(l, choice),
          onInspect: (text) => setReadout(this.readout, text),
        });
        this.thumbs.push(thumb);
        row.append(el('figure', { class: 'thumb' }, thumb.element, el('figcaption', { class: 'muted' }, h < heads ? `h${h + 1}` : 'avg')));
      }
      rows.push(row);
    }
    this.overview.replaceChildren(...rows);
  }

  private choose(layer: number, head: HeadChoice): void {
    this.layer = layer;
    this.head = head;
    const selects = this.controls.querySelectorAll('select');
    if (selects[0]) selects[0].value = String(layer);
    if (selects[1]) selects[1].value = String(head);
    if (this.data) this.update(this.data);
    if (this.query !== null) this.sendHighlight();
  }

  private selectQuery(query: number | null): void {
    const T = this.data?.internals?.tokens.labels.length ?? 0;
    this.queryFromEnd = query === null ? null : T - 1 - query;
    this.query = query;
    if (this.data) this.update(this.data);
    this.sendHighlight();
  }

  private sendHighlight(): void {
    const internals = this.data?.internals;
    if (!internals) return;
    const layers = attentionLayers(internals.layers);
    const m = layers.length ? this.currentMap(layers) : null;
    const weights = this.query !== null && m ? Array.from(m.data.subarray(this.query * m.cols, (this.query + 1) * m.cols)) : null;
    this.host.post({ type: 'visualizerHighlight', requestId: internals.requestId, weights });
  }

  /** The tokens as buttons, shaded by the selected query's attention. */
  private paintStrip(m: Matrix, labels: readonly string[]): void {
    const palette = currentPalette();
    const row = this.query !== null ? m.data.subarray(this.query * m.cols, (this.query + 1) * m.cols) : null;
    let max = 0;
    if (row) for (const v of row) max = Math.max(max, v);
    const chips = labels.map((label, t) => {
      const chip = el('button', { class: 'token', type: 'button', 'aria-pressed': String(this.query === t) }, label);
      const w = row && max > 0 ? row[t] / max : 0;
      chip.title = row ? `attention from “${labels[this.query!]}”: ${row[t].toFixed(4)}` : `token ${t}: “${label}”`;
      chip.setAttribute('aria-label', row ? `${label}, attention ${row[t].toFixed(3)}` : `${label}, position ${t}`);
      if (row && w > 0) {
        chip.style.backgroundColor = palette.series[0];
        chip.style.opacity = String(0.25 + 0.75 * w);
      }
      chip.addEventListener('click', () => this.selectQuery(this.query === t ? null : t));
      return chip;
    });
    this.strip.replaceChildren(...chips);
  }

  dispose(): void {
    this.main.dispose();
    for (const t of this.thumbs) t.dispose();
    this.element.remove();
  }
}

/** The positional encoding added at each position of the window. */
export class PositionalView implements View {
  readonly id = 'positions';
  readonly label = 'Positions';
  readonly element: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly map: Heatmap;

  constructor() {
    const body = viewBody('positional');
    this.element = body.element;
    this.readout = body.readout;
    this.map = new Heatmap('Positional encoding', { onInspect: (text) => setReadout(this.readout, text) });
    body.figure.append(this.readout, this.map.element);
  }

  shown(data: ViewData): void {
    this.update(data);
  }

  update(data: ViewData): void {
    const pe = data.internals?.positional;
    if (!pe) return;
    let max = 0;
    for (const v of pe.data) max = Math.max(max, Math.abs(v));
    const labels = data.internals!.tokens.labels;
    this.map.set({
      matrix: pe,
      range: { min: -(max || 1), max: max || 1, diverging: true },
      scale: 'diverging',
      rowLabels: labels.map((l, i) => `${i} ${l}`),
      colLabels: Array.from({ length: pe.cols }, (_, c) => String(c)),
      title: 'Positional encoding (rows: positions, columns: dimensions)',
      describe: (pos, c, v) => `position ${pos} (“${labels[pos]}”), dimension ${c}: ${v.toFixed(3)}`,
      maxCell: 10,
      minCell: 2,
      maxHeight: 360,
    });
  }

  painted(): number {
    return this.map.paintedCells;
  }

  dispose(): void {
    this.map.dispose();
    this.element.remove();
  }
}
