/**
 * Lockstep vs one-after-another *through the lab's runner*: the same 8-seed sweep of the small
 * config (d_model 64, 2 layers, ctx 32, batch 16) trained by `ExperimentRunner` in a worker
 * process that writes every metric and checkpoint to a real store. Complements
 * `bench/ensemble.ts` (the engine alone): this one shows what a user gets end to end, worker
 * start-up excluded (timed from the first group's start to the session's end).
 *
 * `npm run bench:ensemble-runner -- --backend wasm --json` (--steps N, --members K).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../db/store';
import { createExperiment } from '../src/experiments/spec/create';
import { getPreset } from '../src/experiments/spec/presets';
import { ExperimentRunner } from '../src/experiments/execution/runner';
import { nodeWorkerFactory } from '../src/experiments/execution/worker/node-host';
import type { BackendChoice } from '../src/experiments/execution/worker/protocol';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const json = process.argv.includes('--json');
const backend = (arg('backend') ?? 'wasm') as BackendChoice;
const K = Number(arg('members') ?? 8);
const steps = Number(arg('steps') ?? 20);
const B = 16;
const T = 32;

async function session(lockstep: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'homolab-bench-'));
  const dbPath = join(dir, 'lab.sqlite');
  const store = openStore(dbPath);
  try {
    const spec = getPreset('seed-sweep').spec('full');
    spec.model = { contextLength: T, dModel: 64, nHeads: 4, nLayers: 2, dFF: 256 };
    spec.training = { steps, batchSize: B, lr: 1e-3, warmupSteps: 2, evalEvery: 0, evalBatches: 1 };
    spec.axes = { grid: { initSeed: Array.from({ length: K }, (_, k) => k) } };
    const { experiment } = createExperiment(store, spec);
    const runner = new ExperimentRunner({
      store,
      dbPath,
      workerFactory: nodeWorkerFactory(),
      backend,
      lockstep,
      workers: 1, // one process, stacked or one run after another (bench:sweep measures the pool)
    });
    let t0 = 0;
    let device = '';
    let resolved = '';
    runner.on((e) => {
      if (e.type === 'group-start' && !t0) t0 = performance.now();
      if (e.type === 'backend') [resolved, device] = [e.backend, e.device];
    });
    const outcome = await runner.start(experiment.id);
    const ms = performance.now() - t0;
    if (outcome.status !== 'completed')
      throw new Error(`session ${outcome.status}: ${outcome.message}`);
    return { ms, tokensPerSecond: (K * steps * B * T * 1000) / ms, backend: resolved, device };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const lock = await session(true);
const seq = await session(false);
const out = {
  bench: 'ensemble-runner',
  backend: lock.backend,
  device: lock.device,
  config: { dModel: 64, nLayers: 2, contextLength: T, batchSize: B },
  members: K,
  steps,
  lockstep: {
    tokensPerSecond: Math.round(lock.tokensPerSecond),
    seconds: +(lock.ms / 1000).toFixed(2),
  },
  sequential: {
    tokensPerSecond: Math.round(seq.tokensPerSecond),
    seconds: +(seq.ms / 1000).toFixed(2),
  },
  speedup: +(lock.tokensPerSecond / seq.tokensPerSecond).toFixed(2),
};
if (json) console.log(JSON.stringify(out));
else
  console.log(
    `${K}-seed sweep through the runner on ${out.backend}: lockstep ${out.lockstep.tokensPerSecond} tok/s, ` +
      `sequential ${out.sequential.tokensPerSecond} tok/s, ×${out.speedup}`,
  );
