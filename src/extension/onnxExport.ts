// The Export Model (ONNX) command's work, in the lazily loaded completion runtime: a model file's
// bytes → the same two ONNX graphs `seqlab export-onnx` writes (both call core/onnx/export.ts),
// from the file's weight arrays, without tfjs.
import { readModelFile } from '../core/modelFile/container';
import { exportOnnx, type OnnxExport } from '../core/onnx/export';

export { stepGraphPath } from '../core/onnx/export';

export function exportModelBytesToOnnx(bytes: Uint8Array): OnnxExport {
  const file = readModelFile(bytes);
  if (file.kind !== 'neural') throw new Error('this is an n-gram model; only neural models have an ONNX form');
  return exportOnnx(file, { tokenizer: file.tokenizer });
}
