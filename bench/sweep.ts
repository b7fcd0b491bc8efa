/**
 * A seed sweep through the lab service, one worker against the default pool: an 8-seed sweep of
 * the small config (d_model 64, 2 layers, ctx 32, batch 16) trained by the real runner in real
 * worker processes that write every metric and checkpoint to a real store — first with
 * `--workers 1` (one process; the seeds stacked in lockstep, as before the pool), then with the
 * default pool (one worker per core, every run its own job). Each is preceded by the same short
 * warm-up sweep; each is timed from `train()` to its outcome, worker start-up included, as a
 * user waits for it. `estimateRatio` is the lab's calibrated estimate (taken before the pool
 * run, outside its timing) over the pool run's actual wall time. `tokensPerCpuSecond` (Linux)
 * divides by the CPU time the workers got: on a machine shared with other work the wall-time
 * speedup falls short of the core count even when the pool itself wastes nothing.
 *
 * `npm run bench:sweep -- --json` (--steps N, --seeds K, --backend B, --workers P).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../db/store';
import { buildDataset } from '../src/core/data';
import { LabService } from '../src/experiments/execution/lab-service';
import { defaultWorkerCount } from '../src/experiments/execution/job-memory';
import { nodeWorkerFactory } from '../src/experiments/execution/worker/node-host';
import type { BackendChoice } from '../src/experiments/execution/worker/protocol';
import { createExperiment } from '../src/experiments/spec/create';
import { parseSpec } from '../src/experiments/spec/parse-spec';
import { getPreset } from '../src/experiments/spec/presets';
import type { ExperimentSpecInput } from '../src/experiments/spec/spec';
import { groupLockstep } from '../src/experiments/spec/variants';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const json = process.argv.includes('--json');
const backend = (arg('backend') ?? 'wasm') as BackendChoice;
const seeds = Number(arg('seeds') ?? 8);
const steps = Number(arg('steps') ?? 300);
const poolSize = Number(arg('workers') ?? defaultWorkerCount());
const B = 16;
const T = 32;
const WARMUP_STEPS = 20;

function sweepSpec(name: string, n: number, k: number): ExperimentSpecInput {
  const spec = getPreset('seed-sweep').spec('full');
  spec.name = name;
  spec.model = { contextLength: T, dModel: 64, nHeads: 4, nLayers: 2, dFF: 256 };
  spec.training = {
    steps: n,
    batchSize: B,
    lr: 1e-3,
    warmupSteps: 2,
    evalEvery: 0,
    evalBatches: 1,
    checkpointEvery: 0,
  };
  spec.axes = { grid: { initSeed: Array.from({ length: k }, (_, i) => i) } };
  return spec;
}

/** CPU seconds a process has used (Linux /proc; null elsewhere or once it is gone). */
function cpuSeconds(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return null;
  }
}

/** Trains the spec; wall ms, and the CPU seconds its workers used (sampled until they end). */
async function train(lab: LabService, store: Store, spec: ExperimentSpecInput) {
  const { experiment } = createExperiment(store, spec);
  const cpu = new Map<number, number>();
  const off = lab.on((e) => {
    if (e.type === 'worker-start' && e.pid) cpu.set(e.pid, 0);
  });
  const sample = setInterval(() => {
    for (const pid of cpu.keys()) {
      const s = cpuSeconds(pid);
      if (s !== null) cpu.set(pid, s);
    }
  }, 100);
  const t0 = performance.now();
  const outcome = await lab.train(experiment.id, { analyze: false });
  const ms = performance.now() - t0;
  clearInterval(sample);
  off();
  if (outcome.status !== 'completed')
    throw new Error(`${spec.name}: ${outcome.status} ${outcome.message ?? ''}`);
  const cpuSec = [...cpu.values()].reduce((a, b) => a + b, 0);
  return { ms, cpuSec: cpuSec > 0 ? cpuSec : null };
}

async function measure(workers: number) {
  const dir = mkdtempSync(join(tmpdir(), 'homolab-sweep-'));
  const dbPath = join(dir, 'lab.sqlite');
  const store = openStore(dbPath);
  const lab = new LabService({
    store,
    dbPath,
    workerFactory: nodeWorkerFactory(),
    backend,
    workers,
    autoAnalysis: false,
    calibrationFile: join(dir, 'calibration.json'),
  });
  try {
    await train(lab, store, sweepSpec('warm-up', WARMUP_STEPS, seeds));
    const spec = sweepSpec('sweep', steps, seeds);
    const { spec: parsed, variants } = parseSpec(spec);
    const vocab = (await buildDataset(parsed.dataset)).vocabSize;
    const estimate = await lab.estimate(groupLockstep(variants), vocab);
    const { ms, cpuSec } = await train(lab, store, spec);
    const tokens = seeds * steps * B * T;
    return {
      workers: lab.status().workers.size,
      backend: lab.resolvedBackend,
      ms,
      tokensPerSecond: (tokens * 1000) / ms,
      tokensPerCpuSecond: cpuSec ? tokens / cpuSec : null,
      estimate,
    };
  } finally {
    await lab.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const load0 = loadavg()[0];
const one = await measure(1);
const pool = await measure(poolSize);
const load1 = loadavg()[0];
const out = {
  workers: pool.workers,
  tokensPerSecond: { one: Math.round(one.tokensPerSecond), pool: Math.round(pool.tokensPerSecond) },
  speedup: +(pool.tokensPerSecond / one.tokensPerSecond).toFixed(2),
  estimateRatio: +(pool.estimate.seconds / (pool.ms / 1000)).toFixed(2),
  seconds: {
    one: +(one.ms / 1000).toFixed(1),
    pool: +(pool.ms / 1000).toFixed(1),
    estimatedPool: +pool.estimate.seconds.toFixed(1),
    estimatedOne: +one.estimate.seconds.toFixed(1),
  },
  // Per CPU-second of the workers: equal for both when the pool wastes nothing; the wall-time
  // speedup is then what the machine's other load leaves of the cores.
  tokensPerCpuSecond: {
    one: one.tokensPerCpuSecond && Math.round(one.tokensPerCpuSecond),
    pool: pool.tokensPerCpuSecond && Math.round(pool.tokensPerCpuSecond),
  },
  calibrated: pool.estimate.calibrated,
  backend: pool.backend,
  config: { dModel: 64, nLayers: 2, contextLength: T, batchSize: B, seeds, steps },
  loadAverage: { start: +load0.toFixed(2), end: +load1.toFixed(2) },
};
if (json) console.log(JSON.stringify(out));
else
  console.log(
    `${seeds}-seed sweep on ${out.backend}: 1 worker ${out.tokensPerSecond.one} tok/s, ` +
      `${out.workers} workers ${out.tokensPerSecond.pool} tok/s (×${out.speedup}); ` +
      `estimate/actual ${out.estimateRatio} (load ${out.loadAverage.start} → ${out.loadAverage.end})`,
  );
