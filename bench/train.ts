/**
 * Training throughput of the engine: `npm run bench:train -- --backend wasm --json`.
 * Options: --backend auto|tensorflow|webgpu|wasm|cpu (default auto), --configs small,medium,
 * --steps N (timed steps for small; medium uses N/10, at least 2), --json.
 * cpu skips medium unless named in --configs (minutes per step).
 */
import os from 'node:os';
import { initBackend, type BackendChoice } from '../src/core/engine';
import { countParams } from '../src/core/model/transformer';
import {
  BENCH_MEDIUM,
  BENCH_SMALL,
  benchModel,
  measureTraining,
  type BenchConfig,
} from '../src/core/train/benchmark';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const json = process.argv.includes('--json');
const info = await initBackend((arg('backend') ?? 'auto') as BackendChoice);
const requested = arg('configs')?.split(',');
const all: BenchConfig[] = [BENCH_SMALL, BENCH_MEDIUM];
const configs = all.filter((c) =>
  requested ? requested.includes(c.name) : !(info.backend === 'cpu' && c.name === 'medium'),
);
const steps = Number(arg('steps') ?? 20);
const results = [];
for (const c of configs) {
  const n = c.name === 'small' ? steps : Math.max(2, Math.round(steps / 10));
  const r = await measureTraining(c, [1], n, c.name === 'small' ? 3 : 1);
  const row = {
    config: c.name,
    dModel: c.dModel,
    nLayers: c.nLayers,
    contextLength: c.contextLength,
    batchSize: c.batchSize,
    vocabSize: c.vocabSize,
    params: countParams(benchModel(c)),
    steps: r.steps,
    msPerStep: Number(r.msPerStep.toFixed(2)),
    tokensPerSecond: Math.round(r.tokensPerSecond),
    tokensPerCpuSecond: Math.round(r.tokensPerCpuSecond),
  };
  results.push(row);
  if (!json) console.log(`${c.name}: ${row.tokensPerSecond} tokens/s, ${row.msPerStep} ms/step`);
}
const out = {
  bench: 'train',
  backend: info.backend,
  device: info.device,
  skipped: info.reasons,
  cpus: os.cpus().length,
  loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  results,
};
if (json) console.log(JSON.stringify(out));
