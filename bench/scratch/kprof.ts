// Per-kernel median wall time (robust to preemption): tsx bench/scratch/kprof.ts <fused> <steps>
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/engine';
import { setFusedKernels } from '../../src/core/kernels';
import { Transformer } from '../../src/core/model/transformer';
import { Trainer } from '../../src/core/train/trainer';
import { BENCH_SMALL, benchModel } from '../../src/core/train/benchmark';
import { randomTokenBatch } from '../../src/core/train/toy-tasks';
import { Rng } from '../../src/core/rng';
await initBackend('wasm');
setFusedKernels(process.argv[2] !== '0');
const times = new Map<string, number[]>();
let stepCount = 0;
for (const cfg of tf.getKernelsForBackend('wasm')) {
  const orig = cfg.kernelFunc;
  tf.unregisterKernel(cfg.kernelName, 'wasm');
  tf.registerKernel({ ...cfg, kernelFunc: (args) => {
    const t0 = performance.now(); const out = orig(args); const dt = performance.now() - t0;
    const ins = Object.values(args.inputs) as tf.TensorInfo[];
    const key = cfg.kernelName + (['BatchMatMul', 'Transpose'].includes(cfg.kernelName) ? ' ' + JSON.stringify(ins.map((t) => t.shape)) + JSON.stringify(args.attrs) : '');
    if (stepCount > 2) { const a = times.get(key) ?? []; a.push(dt); times.set(key, a); }
    return out;
  } });
}
const K = Number(process.argv[4] ?? 1);
const model = new Transformer(benchModel(BENCH_SMALL), Array.from({ length: K }, (_, i) => i + 1));
const trainer = new Trainer(model, { learningRate: 1e-3, warmupSteps: 10, totalSteps: 1000 });
const b = randomTokenBatch(new Rng(1), 16, 32, 64);
const steps = Number(process.argv[3] ?? 10);
for (stepCount = 0; stepCount < steps + 3; stepCount++) await trainer.trainStep(b);
const rows = [...times.entries()].map(([k, a]) => { const s = [...a].sort((x, y) => x - y); const med = s[Math.floor(s.length / 2)]; return { k, n: a.length / steps, med, tot: med * a.length / steps }; }).sort((x, y) => y.tot - x.tot);
let sum = 0; for (const r of rows) sum += r.tot;
console.log(`sum of medians per step: ${sum.toFixed(2)} ms, kernels/step ${rows.reduce((n, r) => n + r.n, 0)}`);
for (const r of rows.slice(0, 30)) console.log(`${r.tot.toFixed(3).padStart(8)} ms ${String(r.n).padStart(4)}x ${r.med.toFixed(3)} ${r.k}`);
process.exit(0);
