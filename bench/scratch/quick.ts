// quick bench: node bench/scratch/quick.ts <fused 0/1> <steps> <K>
import { initBackend } from '../../src/core/engine';
import { setFusedKernels } from '../../src/core/kernels';
import { BENCH_MEDIUM, BENCH_SMALL, measureTraining } from '../../src/core/train/benchmark';
await initBackend('wasm');
setFusedKernels(process.argv[2] !== '0');
const K = Number(process.argv[4] ?? 1);
const r = await measureTraining(process.env.CFG === 'medium' ? BENCH_MEDIUM : BENCH_SMALL, Array.from({ length: K }, (_, i) => i + 1), Number(process.argv[3] ?? 20), process.env.CFG === 'medium' ? 1 : 3);
console.log(JSON.stringify({ fused: process.argv[2], K, ms: r.msPerStep.toFixed(1), tps: Math.round(r.tokensPerSecond), tpcpu: Math.round(r.tokensPerCpuSecond), loss: r.finalLosses.map((x) => x.toFixed(6)) }));
process.exit(0);
