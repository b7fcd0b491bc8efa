import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/engine';
await initBackend('wasm');
const shapes = [[64,512,64],[256,512,64],[64,512,256],[512,64,64],[512,64,256],[512,256,64],[32,16,32],[32,32,16]];
for (const batch of [1, 64]) for (const [m,k,n] of shapes) {
  if (batch === 64 && m > 32) continue;
  const a = tf.randomNormal([batch, m, k]); const b = tf.randomNormal([batch, k, n]);
  for (let i = 0; i < 3; i++) tf.matMul(a, b).dispose();
  const reps = batch === 64 ? 20 : 40;
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) tf.matMul(a, b).dispose();
  const c = process.cpuUsage(c0); const cpu = (c.user + c.system) / 1000 / reps;
  console.log(`${batch}x ${m}x${k}x${n}: cpu ${cpu.toFixed(3)} ms, ${(2*batch*m*k*n/cpu/1e6).toFixed(2)} GFLOP/cpu-s`);
}
// transpose cost
for (const [r, c] of [[512,64],[512,256]]) {
  const x = tf.randomNormal([1, r, c]);
  const reps = 40; const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) tf.transpose(x, [0,2,1]).dispose();
  const u = process.cpuUsage(c0); console.log(`transpose ${r}x${c}: ${((u.user+u.system)/1000/reps).toFixed(3)} ms`);
}
process.exit(0);
