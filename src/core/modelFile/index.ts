// The model file: ./container.ts reads and writes it without tfjs (cards, weight arrays, the
// ONNX path); ./load.ts builds and saves tfjs models. Code that must not load tfjs (the
// extension host's cards) imports ./container directly.
export * from './container';
export * from './load';
