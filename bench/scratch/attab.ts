// attention fwd+bwd: op chain vs fused, best-of CPU time on wasm
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/engine';
import { fusedCausalAttention } from '../../src/core/kernels';
await initBackend((process.argv[2] ?? 'wasm') as never);
const [B, T, d, H] = (process.argv[3] ?? "16,32,64,4").split(",").map(Number); const hd = d / H;
const mask = tf.tensor(Float32Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [T, T]);
const chain = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
  const split = (x: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd]);
  const s = tf.add(tf.matMul(tf.mul(split(q), 1 / Math.sqrt(hd)), split(k), false, true), mask);
  const y = tf.matMul(tf.softmax(s), split(v));
  return tf.reshape(tf.transpose(tf.reshape(y, [B, H, T, hd]), [0, 2, 1, 3]), [B, T, d]);
};
const fused = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => fusedCausalAttention(q, k, v, H);
const q = tf.randomNormal([B, T, d]), k = tf.randomNormal([B, T, d]), v = tf.randomNormal([B, T, d]), w = tf.randomNormal([B, T, d]);
const run = (fn: typeof chain) => tf.tidy(() => {
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(fn(a, b, c), w)));
  return g([q, k, v]);
});
const res: Record<string, number> = {};
for (let round = 0; round < 2; round++) for (const [name, fn] of [['chain', chain], ['fused', fused]] as const) {
  let best = 1e9;
  for (let r = 0; r < 3; r++) { const c0 = process.cpuUsage(); for (let i = 0; i < 2; i++) tf.dispose(run(fn)); const u = process.cpuUsage(c0); best = Math.min(best, (u.user + u.system) / 1000 / 2); }
  res[name] = best;
}
const a = run(chain), b = run(fused);
let md = 0; for (let i = 0; i < 3; i++) { const x = a[i].dataSync(), y = b[i].dataSync(); for (let j = 0; j < x.length; j++) md = Math.max(md, Math.abs(x[j] - y[j]) / (Math.abs(x[j]) + 1e-3)); }
console.log(JSON.stringify({ chainMs: res.chain.toFixed(2), fusedMs: res.fused.toFixed(2), maxRelDiff: md }));
process.exit(0);
