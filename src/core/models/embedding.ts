// Turning token ids into vectors: a learned embedding table, or one-hot vectors.
// tf.gather's gradient (UnsortedSegmentSum) is missing on the wasm backend, so the lookup
// carries its own gradient: a scatter-add of the output gradient into the table's rows.
import * as tf from '@tensorflow/tfjs';

/** rows of `table` [V, E] at `ids` (any shape, int32) → [...ids.shape, E]; trainable on every backend. */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const [vocabSize, width] = table.shape;
  const flatIds = ids.reshape([-1]).toInt();
  const lookupWithGradient = (t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([flatIds]);
    return {
      value: tf.gather(t as tf.Tensor2D, flatIds),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.scatterND(saved[0].expandDims(1), dy, [vocabSize, width]),
    };
  };
  const lookup = tf.customGrad(lookupWithGradient as unknown as Parameters<typeof tf.customGrad>[0]);
  return lookup(table).reshape([...ids.shape, width]);
}

/** One-hot vectors [...ids.shape, V]: every token equally far from every other, nothing learned. */
export function oneHotInput(ids: tf.Tensor, vocabSize: number): tf.Tensor {
  return tf.oneHot(ids.toInt(), vocabSize).toFloat();
}
