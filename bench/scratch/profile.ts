import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/engine';
import { Transformer } from '../../src/core/model/transformer';
import { Trainer } from '../../src/core/train/trainer';
import { BENCH_SMALL, benchModel } from '../../src/core/train/benchmark';
import { randomTokenBatch } from '../../src/core/train/toy-tasks';
import { Rng } from '../../src/core/rng';

await initBackend((process.argv[2] ?? 'wasm') as never);
const K = Number(process.argv[3] ?? 1);
const model = new Transformer(benchModel(BENCH_SMALL), Array.from({ length: K }, (_, i) => i + 1));
const trainer = new Trainer(model, { learningRate: 1e-3, warmupSteps: 10, totalSteps: 1000 });
const rng = new Rng(1);
const b = randomTokenBatch(rng, 16, 32, 64);
for (let i = 0; i < 3; i++) await trainer.trainStep(b);
const agg = new Map<string, { n: number; ms: number }>();
const reps = 5;
let total = 0;
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  const prof = await tf.profile(async () => { await trainer.trainStep(b); });
  total += performance.now() - t0;
  for (const k of prof.kernels) {
    const key = k.name + (k.name === 'BatchMatMul' || k.name === 'Transpose' ? ' ' + JSON.stringify(k.inputShapes) : '');
    const e = agg.get(key) ?? { n: 0, ms: 0 };
    e.n++; e.ms += (k.kernelTimeMs as number);
    agg.set(key, e);
  }
}
const rows = [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms);
let sum = 0, n = 0;
for (const [, e] of rows) { sum += e.ms; n += e.n; }
console.log(`step wall ${(total / reps).toFixed(1)} ms (profiled), kernel sum ${(sum / reps).toFixed(1)} ms, ${n / reps} kernels/step`);
for (const [k, e] of rows.slice(0, Number(process.argv[4] ?? 40))) console.log(`${(e.ms / reps).toFixed(2).padStart(8)} ms ${String(e.n / reps).padStart(5)}x ${k}`);
process.exit(0);
