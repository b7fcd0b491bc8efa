/**
 * Masked next-token cross-entropy and accuracy, per ensemble member.
 *
 * Each position's loss is weighted by `Batch.weights` (synthetic tasks score only answer tokens;
 * corpora weight everything 1); a member's loss is Σ w·CE / Σ w over its batch, so it is the
 * mean over scored positions. The gradient is written by hand, (softmax − onehot)·w/Σw, so the
 * backward pass costs one softmax instead of replaying log-softmax's ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../engine/gradients';

/**
 * Per-member weighted mean cross-entropy `[K]`.
 * @param logits `[K, N, V]`
 * @param targets int32 `[N]` (shared) or `[K, N]`
 * @param weights float32 `[N]` (shared) or `[K, N]`; a member whose weights sum to 0 gets loss 0
 */
export function maskedCrossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  weights: tf.Tensor,
): tf.Tensor {
  const [K, N, V] = logits.shape;
  // int32 then cast: tfjs-wasm's OneHot writes int32 bit patterns into float32 outputs.
  const onehot = tf.cast(tf.oneHot(tf.reshape(targets, [-1]), V), 'float32');
  const oh = tf.reshape(onehot, targets.rank === 1 ? [1, N, V] : [K, N, V]);
  const w = tf.reshape(weights, weights.rank === 1 ? [1, N] : [K, N]);
  const wn = tf.div(w, tf.maximum(tf.sum(w, 1, true), 1e-12)); // weights normalised per member
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const lse = tf.logSumExp(z, -1); // [K, N]
    const picked = tf.sum(tf.mul(z, oh), -1); // [K, N]
    // Everything the backward pass reads must be saved: tfjs disposes the forward pass's other
    // tensors (including ones captured by closure) before running gradients.
    save([z, lse, oh, wn]);
    return {
      value: tf.sum(tf.mul(tf.sub(lse, picked), wn), 1), // [K]
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [zs, l, ohs, wns] = saved;
        const softmax = tf.exp(tf.sub(zs, tf.expandDims(l, -1)));
        const scale = tf.mul(tf.reshape(dy as tf.Tensor, [K, 1]), wns); // [K, N]
        return [tf.mul(tf.sub(softmax, ohs), tf.expandDims(scale, -1))];
      },
    };
  });
  return f(logits);
}

/**
 * Per-member weighted accuracy `[K]`: Σ w·[argmax = target] / Σ w.
 * Shapes as in `maskedCrossEntropy`.
 */
export function maskedAccuracy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  weights: tf.Tensor,
): tf.Tensor {
  const [K, N] = logits.shape;
  const pred = tf.argMax(logits, -1); // [K, N] int32
  const t = tf.reshape(targets, targets.rank === 1 ? [1, N] : [K, N]);
  const w = tf.reshape(weights, weights.rank === 1 ? [1, N] : [K, N]);
  const hit = tf.cast(tf.equal(pred, t), 'float32');
  return tf.div(tf.sum(tf.mul(hit, w), 1), tf.maximum(tf.sum(tf.broadcastTo(w, [K, N]), 1), 1e-12));
}
