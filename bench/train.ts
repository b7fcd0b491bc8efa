/**
 * Training throughput of the engine: `npm run bench:train -- --backend wasm --json`.
 * Options: --backend auto|tensorflow|webgpu|wasm|cpu (default auto), --configs small,medium,
 * --steps N (timed steps for small; medium uses N/10, at least 2), --json, --no-pytorch,
 * --threads N (wasm: XNNPACK thread pool, opt-in; default 1), --warmup N (untimed steps first;
 * default 50 for small, 2 for medium).
 *
 * Why 50 warm-up steps: V8 tiers the fused JS kernels and the wasm module up over the first tens
 * of steps (small config: ~70 ms/step over steps 3–33, ~45 ms/step from step ~100 on), and a
 * training run is thousands of steps, so steady state is what a user sees. PyTorch gets the same
 * warm-up.
 * cpu skips medium unless named in --configs (minutes per step).
 *
 * When `/usr/bin/python3` with torch is present, each config is also trained by
 * `bench/pytorch_reference.py` (same architecture and optimizer, PyTorch CPU) right after the
 * tfjs run, and the row gets `pytorch` and `pytorchRatio` (PyTorch ÷ tfjs tokens/s; also per
 * CPU-second, which is what to compare when other processes load the machine).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, setWasmThreads, type BackendChoice } from '../src/core/engine';
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
// --threads N: the opt-in multi-threaded wasm build (src/core/engine/wasm-threads.ts).
if (arg('threads')) setWasmThreads(Number(arg('threads')));
const info = await initBackend((arg('backend') ?? 'auto') as BackendChoice);
const requested = arg('configs')?.split(',');
const all: BenchConfig[] = [BENCH_SMALL, BENCH_MEDIUM];
const configs = all.filter((c) =>
  requested ? requested.includes(c.name) : !(info.backend === 'cpu' && c.name === 'medium'),
);
const steps = Number(arg('steps') ?? 20);
const PYTHON = '/usr/bin/python3';
const withTorch =
  !process.argv.includes('--no-pytorch') &&
  fs.existsSync(PYTHON) &&
  spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const reference = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pytorch_reference.py');

interface TorchRow {
  tokensPerSecond: number;
  tokensPerCpuSecond: number;
  msPerStep: number;
  threads: number;
  torch: string;
}

/** PyTorch's throughput on the same config (same step count), or an error string. */
function pytorch(config: string, n: number, warmup: number): TorchRow | { error: string } {
  const args = [reference, '--config', config, '--steps', String(n), '--warmup', String(warmup)];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || String(r.error)).trim().slice(-300) };
  const row = JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchRow;
  const { tokensPerSecond, tokensPerCpuSecond, msPerStep, threads, torch } = row;
  return { tokensPerSecond, tokensPerCpuSecond, msPerStep, threads, torch };
}

const results = [];
for (const c of configs) {
  const n = c.name === 'small' ? steps : Math.max(2, Math.round(steps / 10));
  const warmup = Number(arg('warmup') ?? (c.name === 'small' ? 50 : 2));
  const r = await measureTraining(c, [1], n, warmup);
  const row = {
    config: c.name,
    dModel: c.dModel,
    nLayers: c.nLayers,
    contextLength: c.contextLength,
    batchSize: c.batchSize,
    vocabSize: c.vocabSize,
    params: countParams(benchModel(c)),
    steps: r.steps,
    warmupSteps: warmup,
    msPerStep: Number(r.msPerStep.toFixed(2)),
    tokensPerSecond: Math.round(r.tokensPerSecond),
    tokensPerCpuSecond: Math.round(r.tokensPerCpuSecond),
    pytorch: undefined as TorchRow | { error: string } | undefined,
    pytorchRatio: undefined as { tokensPerSecond: number; tokensPerCpuSecond: number } | undefined,
  };
  if (withTorch) {
    const t = pytorch(c.name, n, warmup);
    row.pytorch = t;
    if ('tokensPerSecond' in t)
      row.pytorchRatio = {
        tokensPerSecond: Number((t.tokensPerSecond / row.tokensPerSecond).toFixed(2)),
        tokensPerCpuSecond: Number((t.tokensPerCpuSecond / row.tokensPerCpuSecond).toFixed(2)),
      };
  }
  results.push(row);
  if (!json)
    console.log(
      `${c.name}: ${row.tokensPerSecond} tokens/s (${row.tokensPerCpuSecond} per CPU-second), ` +
        `${row.msPerStep} ms/step` +
        (row.pytorchRatio
          ? `; PyTorch ${row.pytorchRatio.tokensPerSecond}× (${row.pytorchRatio.tokensPerCpuSecond}× per CPU-second)`
          : ''),
    );
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
