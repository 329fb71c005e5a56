// Positional encoding: attention by itself is blind to order (permuting the tokens permutes its
// outputs), so each position adds a vector of its own to the token vector entering the model.
//
// Two ways, both [contextSize, width] tables whose row `pos` is added at position `pos`:
//   sinusoidal (Vaswani et al. 2017), fixed, nothing learned:
//     PE(pos, 2i)   = sin(pos / 10000^(2i/d))
//     PE(pos, 2i+1) = cos(pos / 10000^(2i/d))
//   each pair of columns is a clock of its own frequency, from 1 rad/position down to
//   1/10000, so nearby positions get similar vectors and PE(pos+k) is a rotation of PE(pos).
//   learned: a trainable table (GPT), one free vector per position; it cannot say anything
//   about positions past the table's length, which bounds the context either way.
//   none: no vectors at all, the lecture's experiment: the model sees a bag of tokens (only the
//   causal mask still tells it how many came before).
import * as tf from '@tensorflow/tfjs';
import { sinusoidalValue } from './transformerNumbers';

/** The sinusoidal table [length, width] (an odd width ends on a sine column). Caller disposes. */
export function sinusoidalEncoding(length: number, width: number): tf.Tensor2D {
  const values = new Float32Array(length * width);
  for (let pos = 0; pos < length; pos++) {
    for (let c = 0; c < width; c++) values[pos * width + c] = sinusoidalValue(pos, c, width);
  }
  return tf.tensor2d(values, [length, width]);
}

/**
 * Initial values of a learned table [length, width]: normal with standard deviation 1/√2, the
 * root-mean-square of the sinusoidal table's entries, so switching encodings changes no scale.
 * Seeded: equal arguments give equal values.
 */
export function learnedEncodingInit(length: number, width: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([length, width], 0, Math.SQRT1_2, 'float32', seed) as tf.Tensor2D;
}

/** Rows start .. start+length-1 of a positional table: the vectors added at those positions, [length, width]. */
export function positionsFor(table: tf.Tensor2D, start: number, length: number): tf.Tensor2D {
  const [rows, width] = table.shape;
  if (start < 0 || start + length > rows) {
    throw new Error(`positions ${start}..${start + length - 1} lie outside the table's ${rows} positions`);
  }
  if (start === 0 && length === rows) return table;
  return tf.slice(table, [start, 0], [length, width]);
}
