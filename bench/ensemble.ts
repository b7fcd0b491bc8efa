/**
 * Lockstep vs sequential: an 8-seed sweep of the small config trained as one stacked model
 * (K = 8) vs the same 8 models one after another, same backend, same steps.
 * `npm run bench:ensemble -- --backend wasm --json` (--steps N, --warmup N, --members K,
 * --threads N).
 *
 * Both sides get the same untimed warm-up per measurement (default 20 steps), and a short
 * throw-away run of each shape first: V8 tiers the kernels up over the first tens of steps, and
 * without this whichever side runs first is measured cold.
 */
import os from 'node:os';
import { initBackend, setWasmThreads, type BackendChoice } from '../src/core/engine';
import { BENCH_SMALL, measureTraining } from '../src/core/train/benchmark';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const json = process.argv.includes('--json');
// --threads N: the opt-in multi-threaded wasm build (src/core/engine/wasm-threads.ts).
if (arg('threads')) setWasmThreads(Number(arg('threads')));
const info = await initBackend((arg('backend') ?? 'auto') as BackendChoice);
const K = Number(arg('members') ?? 8);
const steps = Number(arg('steps') ?? 20);
const warmup = Number(arg('warmup') ?? 20);
const seeds = Array.from({ length: K }, (_, k) => k + 1);

await measureTraining(BENCH_SMALL, [99], 30, 0); // tier-up, not timed
await measureTraining(
  BENCH_SMALL,
  seeds.map((s) => s + 100),
  5,
  0,
);
const lockstep = await measureTraining(BENCH_SMALL, seeds, steps, warmup);
let seqMs = 0;
let seqCpuSeconds = 0;
for (const s of seeds) {
  const r = await measureTraining(BENCH_SMALL, [s], steps, warmup);
  seqMs += r.msPerStep * steps;
  seqCpuSeconds +=
    (r.steps * BENCH_SMALL.batchSize * BENCH_SMALL.contextLength) / r.tokensPerCpuSecond;
}
const tokens = K * BENCH_SMALL.batchSize * BENCH_SMALL.contextLength * steps;
const sequentialTps = (tokens * 1000) / seqMs;
const out = {
  bench: 'ensemble',
  backend: info.backend,
  device: info.device,
  config: BENCH_SMALL,
  members: K,
  steps,
  warmupSteps: warmup,
  lockstep: {
    tokensPerSecond: Math.round(lockstep.tokensPerSecond),
    tokensPerCpuSecond: Math.round(lockstep.tokensPerCpuSecond),
    msPerStep: Number(lockstep.msPerStep.toFixed(2)),
  },
  sequential: {
    tokensPerSecond: Math.round(sequentialTps),
    tokensPerCpuSecond: Math.round(tokens / seqCpuSeconds),
    msPerStepPerModel: Number((seqMs / steps / K).toFixed(2)),
  },
  /** Lockstep aggregate ÷ sequential aggregate, wall clock and CPU time. */
  ratio: Number((lockstep.tokensPerSecond / sequentialTps).toFixed(2)),
  ratioCpu: Number((lockstep.tokensPerCpuSecond / (tokens / seqCpuSeconds)).toFixed(2)),
  cpus: os.cpus().length,
  loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
};
console.log(json ? JSON.stringify(out) : out);
