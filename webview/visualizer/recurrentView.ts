// Recurrent internals as units × time heatmaps: LSTM forget/input/output gates, candidate,
// cell and hidden state; GRU update/reset gates, candidate and hidden state; RNN hidden state.
// Units can be sorted (by the values of one chosen map), and every map lists them in that order,
// so a row means the same unit all the way down.
import { permuteRows, transpose, unitOrder, UNIT_ORDERS, type Matrix, type UnitOrder, type ValueRange } from '../../src/core/visualization/heatmap';
import { recurrentMaps, type LayerView, type NamedMap } from '../../src/core/visualization/internals';
import { el } from '../shared/host';
import { Heatmap } from './heatmap';
import { selectControl, setReadout, viewBody, type View, type ViewData } from './view';

type RecurrentLayer = Exclude<LayerView, { kind: 'attention' }>;

const ORDER_TEXT: Record<UnitOrder, string> = {
  index: 'unit number',
  mean: 'mean value',
  variance: 'variance over time',
  last: 'value at the last token',
};

function rangeOf(map: NamedMap, matrix: Matrix): ValueRange {
  if (map.range === 'unit') return { min: 0, max: 1, diverging: false };
  // tanh-bounded maps share [−1, 1]; the cell state is unbounded: its own largest magnitude.
  if (!map.name.startsWith('cell')) return { min: -1, max: 1, diverging: true };
  let max = 0;
  for (const v of matrix.data) max = Math.max(max, Math.abs(v));
  return { min: -(max || 1), max: max || 1, diverging: true };
}

export class RecurrentView implements View {
  readonly id = 'gates';
  readonly label: string;
  readonly element: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly grid: HTMLElement;
  private maps: { heatmap: Heatmap; figure: HTMLElement }[] = [];
  private layer = 0;
  private order: UnitOrder = 'index';
  private sortBy = 0;
  private data: ViewData | undefined;
  private shape = '';

  constructor(private readonly kind: 'rnn' | 'gru' | 'lstm') {
    this.label = kind === 'rnn' ? 'Hidden state' : kind === 'gru' ? 'GRU gates' : 'LSTM gates';
    const body = viewBody(kind);
    this.element = body.element;
    this.readout = body.readout;
    this.controls = el('div', { class: 'controls' });
    this.grid = el('div', { class: 'map-grid' });
    body.figure.append(this.controls, this.readout, this.grid);
  }

  shown(data: ViewData): void {
    this.update(data);
  }

  update(data: ViewData): void {
    this.data = data;
    const internals = data.internals;
    if (!internals) return;
    const layers = internals.layers.filter((l): l is RecurrentLayer => l.kind !== 'attention');
    if (!layers.length) return;
    this.layer = Math.min(this.layer, layers.length - 1);
    const named = recurrentMaps(layers[this.layer]);
    const shape = `${layers.length}:${named.map((m) => m.name).join(',')}`;
    if (shape !== this.shape) {
      this.shape = shape;
      this.sortBy = Math.min(this.sortBy, named.length - 1);
      if (this.kind === 'lstm') this.sortBy = named.findIndex((m) => m.name.startsWith('cell'));
      this.buildControls(layers.length, named);
      this.buildMaps(named);
    }
    const labels = internals.tokens.labels;
    const unitsByTime = named.map((m) => transpose(m.matrix));
    const order = unitOrder(unitsByTime[this.sortBy] ?? unitsByTime[0], this.order);
    const units = unitsByTime[0]?.rows ?? 0;
    const unitLabels = Array.from({ length: units }, (_, u) => String(u));
    named.forEach((m, i) => {
      const matrix = permuteRows(unitsByTime[i], order);
      const original = unitsByTime[i];
      this.maps[i]?.heatmap.set({
        matrix,
        range: rangeOf(m, original),
        scale: m.range === 'unit' ? 'sequential' : 'diverging',
        rowLabels: order.map((u) => unitLabels[u]),
        colLabels: labels,
        title: `${m.name}, layer ${this.layer + 1} (rows: units sorted by ${ORDER_TEXT[this.order]}, columns: tokens)`,
        describe: (k, t, v) => `${m.name}, unit ${order[k]}, token “${labels[t]}” (t=${t}): ${v.toFixed(4)}`,
        maxCell: 14,
        minCell: 3,
        maxHeight: Math.min(260, Math.max(64, units * 3)),
      });
    });
  }

  painted(): number {
    return this.maps.reduce((sum, m) => sum + m.heatmap.paintedCells, 0);
  }

  private buildControls(layers: number, named: NamedMap[]): void {
    const children: HTMLElement[] = [];
    if (layers > 1) {
      children.push(
        selectControl(
          'Layer',
          Array.from({ length: layers }, (_, i) => ({ value: String(i), text: String(i + 1) })),
          String(this.layer),
          (v) => {
            this.layer = Number(v);
            this.refresh();
          },
        ).element,
      );
    }
    children.push(
      selectControl(
        'Sort units by',
        UNIT_ORDERS.map((o) => ({ value: o, text: ORDER_TEXT[o] })),
        this.order,
        (v) => {
          this.order = v as UnitOrder;
          this.refresh();
        },
      ).element,
      selectControl(
        'of',
        named.map((m, i) => ({ value: String(i), text: m.name })),
        String(this.sortBy),
        (v) => {
          this.sortBy = Number(v);
          this.refresh();
        },
      ).element,
    );
    this.controls.replaceChildren(...children);
  }

  private buildMaps(named: NamedMap[]): void {
    for (const m of this.maps) m.heatmap.dispose();
    this.maps = named.map((m) => {
      const heatmap = new Heatmap(m.name, { onInspect: (text) => setReadout(this.readout, text) }, `map-${m.name.split(' ')[0]}`);
      const figure = el('figure', { class: 'map', 'data-map': m.name.split(' ')[0] }, el('figcaption', {}, m.name), heatmap.element);
      return { heatmap, figure };
    });
    this.grid.replaceChildren(...this.maps.map((m) => m.figure));
  }

  private refresh(): void {
    if (this.data) this.update(this.data);
  }

  dispose(): void {
    for (const m of this.maps) m.heatmap.dispose();
    this.element.remove();
  }
}
