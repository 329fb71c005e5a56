// What serving completions and exporting ONNX need (ONNX Runtime, the tfjs-free model-file
// container, the ONNX export), built as its own bundle (dist/completionRuntime.js) without tfjs
// (scripts/build.mjs refuses to build it otherwise) and loaded on first use.
export { loadCompletionModel } from './completions/runtimeEngines';
export { exportModelBytesToOnnx, stepGraphPath } from './onnxExport';
