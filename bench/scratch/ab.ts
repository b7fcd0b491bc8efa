// A/B in one process, interleaved: tsx bench/scratch/ab.ts <rounds> <steps> <K>
import { initBackend } from '../../src/core/engine';
import { setFusedKernels } from '../../src/core/kernels';
import { BENCH_SMALL, measureTraining } from '../../src/core/train/benchmark';
await initBackend('wasm');
const rounds = Number(process.argv[2] ?? 5), steps = Number(process.argv[3] ?? 10), K = Number(process.argv[4] ?? 1);
const res: Record<string, number[]> = { on: [], off: [] };
let losses: Record<string, string> = {};
for (let r = 0; r < rounds; r++) for (const mode of ['on', 'off']) {
  setFusedKernels(mode === 'on');
  const t = await measureTraining(BENCH_SMALL, Array.from({ length: K }, (_, i) => i + 1), steps, 2);
  res[mode].push(Math.round(t.tokensPerCpuSecond));
  losses[mode] = t.finalLosses.map((x) => x.toPrecision(8)).join(',');
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(JSON.stringify({ K, on: med(res.on), off: med(res.off), ratio: (med(res.on) / med(res.off)).toFixed(2), onAll: res.on, offAll: res.off, losses }));
process.exit(0);
