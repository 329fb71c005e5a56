// Everything heavy the extension host needs (tfjs, the core models, model files), built as its
// own bundle (dist/modelRuntime.js) and loaded on first use, so activation never pays for it.
export { describeModelFile, loadModelFile, saveModelFile, saveNgramFile, ModelFileError } from '../core/modelFile';
export { NgramModel } from '../core/ngram/ngram';
export { loadCompletionModel } from './completions/runtimeEngines';
export { openInspection, inspectWindow, prepareInspectionBackend } from './visualizer/inspection';
export type { Inspection, InspectionInfo, WindowInternals, GradientFlowResult, EmbeddingMap } from './visualizer/inspection';
export { exportModelBytesToOnnx, stepGraphPath } from './onnxExport';
