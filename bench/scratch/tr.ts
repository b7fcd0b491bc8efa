import { transposeInto } from '../../src/core/kernels/wasm-transpose';
const src = new Float32Array(512 * 256).map(() => Math.random()); const dst = new Float32Array(512 * 256);
for (const [r, c] of [[512, 64], [512, 256]]) {
  for (let i = 0; i < 20; i++) transposeInto(src, dst, [1, r, c], [0, 2, 1]);
  const c0 = process.cpuUsage(); const reps = 200;
  for (let i = 0; i < reps; i++) transposeInto(src, dst, [1, r, c], [0, 2, 1]);
  const u = process.cpuUsage(c0); console.log(`js transpose ${r}x${c}: ${((u.user + u.system) / 1000 / reps).toFixed(4)} ms`);
}
