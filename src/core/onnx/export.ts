// ONNX export of any Sequence Lab model: two ONNX files per model (docs/onnx.md has their
// inputs, outputs and state layout).
//   full: input_ids [batch, sequence] → logits [batch, sequence, vocab], from the empty state.
//   step: the same plus the state before the tokens in, the state after them out, so that
//         generation costs one call per new token (and a prefix can go in as one chunk).
// Both are plain ONNX (opset 17, default domain), deterministic: equal models give equal bytes,
// whoever calls this (the CLI's export-onnx, the extension's Export Model command).
import { recurrentGraph } from './exportRecurrent';
import type { ModelWeights } from './weightArrays';
import { transformerGraph } from './exportTransformer';

export const ONNX_OPSET = 17;
/** Bumped when the graphs' inputs, outputs or metadata change meaning. */
export const ONNX_EXPORT_FORMAT = '1';

export interface OnnxExport {
  /** The full-sequence graph. */
  readonly full: Uint8Array;
  /** The step graph (state in and out). */
  readonly step: Uint8Array;
}

export interface OnnxExportOptions {
  /** Stored as metadata `seqlab.tokenizer` (its toJSON()), so a runtime can map text to ids. */
  readonly tokenizer?: { toJSON(): unknown };
}

export function exportOnnx(model: ModelWeights, options: OnnxExportOptions = {}): OnnxExport {
  return { full: exportGraph(model, 'full', options), step: exportGraph(model, 'step', options) };
}

/** One of the two graphs (completions need only the step graph). */
export function exportGraph(model: ModelWeights, kind: 'full' | 'step', options: OnnxExportOptions = {}): Uint8Array {
  const withState = kind === 'step';
  const graph = model.config.arch === 'transformer' ? transformerGraph(model, withState) : recurrentGraph(model, withState);
  return graph.encodeModel({
    opsetVersion: ONNX_OPSET,
    producerName: 'sequence-lab',
    producerVersion: ONNX_EXPORT_FORMAT,
    docString: `Sequence Lab ${model.config.arch} language model, ${kind === 'full' ? 'full-sequence' : 'step'} graph (see docs/onnx.md).`,
    metadata: {
      'seqlab.format': ONNX_EXPORT_FORMAT,
      'seqlab.graph': kind,
      'seqlab.config': JSON.stringify(model.config),
      ...(options.tokenizer ? { 'seqlab.tokenizer': JSON.stringify(options.tokenizer.toJSON()) } : {}),
    },
  });
}

/** Where the step graph goes when the full graph is written to `fullPath`: model.onnx → model.step.onnx. */
export function stepGraphPath(fullPath: string): string {
  return fullPath.replace(/(\.onnx)?$/i, '.step.onnx');
}
