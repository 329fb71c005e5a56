// Everything the extension host needs tfjs for (Inside the Model's inspection), built as its own
// bundle (dist/modelRuntime.js) and loaded on first use, so activation never pays for it.
// Model cards come from the tfjs-free container (core/modelFile/container.ts); completions and
// ONNX export from dist/completionRuntime.js.
export { openInspection, inspectWindow, prepareInspectionBackend } from './visualizer/inspection';
export type { Inspection, InspectionInfo, WindowInternals, GradientFlowResult, EmbeddingMap } from './visualizer/inspection';
