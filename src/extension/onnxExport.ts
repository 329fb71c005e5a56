// The Export Model (ONNX) command's work, in the lazily loaded bundle: a model file's bytes →
// the same two ONNX graphs `seqlab export-onnx` writes (both call core/onnx/export.ts).
import { loadModelFile } from '../core/modelFile';
import { exportOnnx, type OnnxExport } from '../core/onnx/export';
import { prepareInspectionBackend } from './visualizer/inspection';

export { stepGraphPath } from '../core/onnx/export';

export async function exportModelBytesToOnnx(bytes: Uint8Array): Promise<OnnxExport> {
  await prepareInspectionBackend();
  const loaded = loadModelFile(bytes);
  if (loaded.kind !== 'neural') throw new Error('this is an n-gram model; only neural models have an ONNX form');
  try {
    return exportOnnx(loaded.model, { tokenizer: loaded.tokenizer });
  } finally {
    loaded.model.dispose();
  }
}
