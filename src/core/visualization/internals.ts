// A model's internals (SequenceModel.inspect) in the shape the visualizer draws: every map a
// float32 matrix, recurrent states time × units, attention one query × key map per head.
import type { LayerInternals, ModelInternals } from '../models/sequenceModel';
import { matrixFromRows, type Matrix } from './heatmap';

export type LayerView =
  | { readonly kind: 'rnn'; readonly hidden: Matrix }
  | { readonly kind: 'gru'; readonly update: Matrix; readonly reset: Matrix; readonly candidate: Matrix; readonly hidden: Matrix }
  | {
      readonly kind: 'lstm';
      readonly forget: Matrix;
      readonly input: Matrix;
      readonly output: Matrix;
      readonly candidate: Matrix;
      readonly cell: Matrix;
      readonly hidden: Matrix;
    }
  | { readonly kind: 'attention'; readonly heads: Matrix[] };

/** One layer's internals as matrices (time × units; attention: per head, query × key). */
export function layerView(layer: LayerInternals): LayerView {
  switch (layer.kind) {
    case 'rnn':
      return { kind: 'rnn', hidden: matrixFromRows(layer.hidden) };
    case 'gru':
      return {
        kind: 'gru',
        update: matrixFromRows(layer.update),
        reset: matrixFromRows(layer.reset),
        candidate: matrixFromRows(layer.candidate),
        hidden: matrixFromRows(layer.hidden),
      };
    case 'lstm':
      return {
        kind: 'lstm',
        forget: matrixFromRows(layer.forget),
        input: matrixFromRows(layer.input),
        output: matrixFromRows(layer.output),
        candidate: matrixFromRows(layer.candidate),
        cell: matrixFromRows(layer.cell),
        hidden: matrixFromRows(layer.hidden),
      };
    case 'attention':
      return { kind: 'attention', heads: layer.attention.map((head) => matrixFromRows(head)) };
  }
}

export function layerViews(internals: ModelInternals): LayerView[] {
  return internals.layers.map(layerView);
}

/** The logits after the last token (what the model predicts comes next), or none for an empty window. */
export function lastLogits(internals: ModelInternals): Float32Array {
  const rows = internals.logits;
  return rows.length ? Float32Array.from(rows[rows.length - 1]) : new Float32Array(0);
}

/** The maps of one layer view by name, in the order the view shows them, with the range each is drawn over. */
export interface NamedMap {
  readonly name: string;
  readonly matrix: Matrix;
  /** 'unit' for gates in [0, 1]; 'symmetric' for signed states. */
  readonly range: 'unit' | 'symmetric';
}

export function recurrentMaps(layer: Exclude<LayerView, { kind: 'attention' }>): NamedMap[] {
  switch (layer.kind) {
    case 'rnn':
      return [{ name: 'hidden h', matrix: layer.hidden, range: 'symmetric' }];
    case 'gru':
      return [
        { name: 'update z', matrix: layer.update, range: 'unit' },
        { name: 'reset r', matrix: layer.reset, range: 'unit' },
        { name: 'candidate h̃', matrix: layer.candidate, range: 'symmetric' },
        { name: 'hidden h', matrix: layer.hidden, range: 'symmetric' },
      ];
    case 'lstm':
      return [
        { name: 'forget f', matrix: layer.forget, range: 'unit' },
        { name: 'input i', matrix: layer.input, range: 'unit' },
        { name: 'output o', matrix: layer.output, range: 'unit' },
        { name: 'candidate c̃', matrix: layer.candidate, range: 'symmetric' },
        { name: 'cell c', matrix: layer.cell, range: 'symmetric' },
        { name: 'hidden h', matrix: layer.hidden, range: 'symmetric' },
      ];
  }
}
