// Dynamic evaluation (Krause et al., ICML 2018) of the output layer: while the user types, the
// network keeps learning the document. After each character it reads, one SGD step on the
// cross-entropy of that character moves a correction to the output layer,
//
//   logits' = logits + A · h + b,     A ← A − η (p' − onehot(next)) hᵀ,  b ← b − η (p' − onehot(next)),
//
// where h is what the output layer reads (the top recurrent layer's state) and p' = softmax(logits').
// A and b start at zero for each document, so an identifier or idiom typed once is likelier the
// next time. Only the output layer moves: a step is V × H multiply-adds in plain JavaScript (25 k
// for a small model), no gradient through the network, so it runs in the extension host beside
// ONNX Runtime, which cannot train. Measured on held-out files of two codebases: the network
// alone −0.19 and −0.27 bits/char, the hybrid −4 % (docs/completions.md, "Dynamic evaluation").
import { softmaxFloat64 } from '../generation/sampling';

/** The best η of 0.003-1 on two codebases (bits/char and top-1): `seqlab.completions.adaptationRate`'s default. */
export const MEASURED_ADAPTATION_RATE = 0.03;

export class OutputAdaptation {
  /** A, row-major [vocab][hidden]; sized on the first hidden state seen. */
  private weights: Float64Array | null = null;
  private readonly bias: Float64Array;
  private hiddenSize = 0;
  /** Characters learned from. */
  steps = 0;

  constructor(
    readonly vocabSize: number,
    readonly rate: number,
  ) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`adaptation rate must be a positive number, got ${rate}`);
    this.bias = new Float64Array(vocabSize);
  }

  /** logits + A · hidden + b, a new array; `logits` itself when nothing was learned yet. */
  adjust(logits: Float32Array, hidden: Float32Array): Float32Array {
    if (this.steps === 0 || !this.weights || hidden.length !== this.hiddenSize) return logits;
    const out = new Float32Array(logits.length);
    const H = this.hiddenSize;
    for (let v = 0; v < logits.length; v++) {
      let z = logits[v] + this.bias[v];
      const row = v * H;
      for (let j = 0; j < H; j++) z += this.weights[row + j] * hidden[j];
      out[v] = z;
    }
    return out;
  }

  /** One SGD step on −log p'(next) after a state with output `logits` (unadjusted) and `hidden`. */
  learn(logits: Float32Array, hidden: Float32Array, next: number): void {
    if (logits.length !== this.vocabSize || next < 0 || next >= this.vocabSize) return;
    if (!this.weights) {
      this.hiddenSize = hidden.length;
      this.weights = new Float64Array(this.vocabSize * this.hiddenSize);
    }
    if (hidden.length !== this.hiddenSize) return;
    const p = softmaxFloat64(this.adjust(logits, hidden), 1);
    const H = this.hiddenSize;
    for (let v = 0; v < this.vocabSize; v++) {
      const step = this.rate * (p[v] - (v === next ? 1 : 0));
      this.bias[v] -= step;
      const row = v * H;
      for (let j = 0; j < H; j++) this.weights[row + j] -= step * hidden[j];
    }
    this.steps++;
  }
}
