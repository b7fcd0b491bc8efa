// lever 4: K independent [N,d]·[d,d] products (batched) vs one block-diagonal [N,K·d]·[K·d,K·d]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/engine';
await initBackend('wasm');
const K = 8, N = 512, d = 64;
const x = tf.randomNormal([K, N, d]), w = tf.randomNormal([K, d, d]);
const xw = tf.reshape(tf.transpose(x, [1, 0, 2]), [N, K * d]);
const bd = tf.tidy(() => { const z = tf.buffer([K * d, K * d]); const wv = w.dataSync(); for (let k = 0; k < K; k++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) z.set(wv[(k * d + i) * d + j], k * d + i, k * d + j); return z.toTensor(); });
const time = (f: () => tf.Tensor) => { for (let i = 0; i < 3; i++) f().dispose(); let best = 1e9; for (let r = 0; r < 5; r++) { const c0 = process.cpuUsage(); for (let i = 0; i < 5; i++) f().dispose(); const u = process.cpuUsage(c0); best = Math.min(best, (u.user + u.system) / 5000); } return best; };
const solo = tf.randomNormal([1, N, d]), w1 = tf.randomNormal([1, d, d]);
console.log(JSON.stringify({ batchedK8: time(() => tf.matMul(x, w)).toFixed(3), blockDiagonal: time(() => tf.matMul(xw, bd)).toFixed(3), soloTimes8: (8 * time(() => tf.matMul(solo, w1))).toFixed(3) }));
process.exit(0);
