import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ATTENTION_KERNEL } from '../../src/core/kernels';
await tf.setBackend('cpu');
const kfn = tf.getKernel(ATTENTION_KERNEL, 'cpu')!.kernelFunc;
const M = 16, T = 32, d = 64;
const q = tf.randomNormal([M, T, d]), k = tf.randomNormal([M, T, d]), v = tf.randomNormal([M, T, d]);
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) { const o = tf.engine().runKernel(ATTENTION_KERNEL, { q, k, v }, { heads: 4 }) as tf.Tensor[]; tf.dispose(o); }
  console.log('fwd ms', ((performance.now() - t0) / 10).toFixed(3));
}
void kfn;
