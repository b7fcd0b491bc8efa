/**
 * The analysis step end to end: an 8-model seed sweep of the lab's small
 * model (d = 64, 2 layers, context 32) in a real store, each run briefly trained on wasm so it
 * has a checkpoint, then `analyzeExperiment` on a 2,048-token probe set, timed per phase:
 *
 *   1. budget: every representation measure model × model with layers matched by index, plus the
 *      output measures (target: under 10 s on wasm);
 *   2. + layer × layer linear CKA for every pair, generations and spectra;
 *   3. aligned weights (Git Re-Basin matching + loss barriers) for all 28 pairs;
 *   4. the same call again: everything reused.
 *
 * `npm run bench:analysis -- --json` prints one JSON object. `--quick`: 3 models (smoke run).
 * Wall and CPU seconds are both reported. Model forward passes run on 1-thread wasm and most of
 * the measures on the main thread; only the large similarity products use the kernel worker pool
 * (src/core/similarity/kernel-pool.ts). So on an idle machine wall ≈ CPU time, while on a
 * shared, loaded one wall time is inflated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../db/store';
import { initBackend } from '../src/core/engine';
import { analyzeExperiment, type AnalyzeOptions } from '../src/experiments/analysis';
import { createExperiment } from '../src/experiments/spec/create';
import { getPreset } from '../src/experiments/spec/presets';
import { trainJob } from '../src/experiments/execution/worker/train-job';

const args = process.argv.slice(2);
const jsonOnly = args.includes('--json');
const quick = args.includes('--quick');
const log = (s: string) => {
  if (!jsonOnly) process.stderr.write(s + '\n');
};

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'homolab-bench-analysis-'));
  const store = openStore(join(dir, 'lab.sqlite'));
  try {
    const backend = await initBackend('wasm');
    const spec = getPreset('seed-sweep').spec('full');
    const K = quick ? 3 : 8;
    spec.axes = { grid: { initSeed: Array.from({ length: K }, (_, i) => i) } };
    spec.training = {
      ...spec.training,
      steps: 5,
      warmupSteps: 1,
      evalEvery: 0,
      checkpointEvery: 0,
    };
    spec.analysis = { ...spec.analysis, probeSize: 256 };
    const { experiment, runs } = createExperiment(store, spec);
    const t0 = performance.now();
    await trainJob(
      {
        store,
        backend,
        send: () => undefined,
        control: { cancelReason: null, paused: false, whilePaused: async () => undefined },
      },
      { jobId: 0, experimentId: experiment.id, runIds: runs.map((r) => r.id), resume: false },
    );
    log(`trained ${K} runs × 5 steps in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const run = async (label: string, o: AnalyzeOptions) => {
      const c0 = process.cpuUsage();
      const r = await analyzeExperiment(store, experiment.id, { maxTokens: 2048, ...o });
      const cpu = process.cpuUsage(c0);
      const cpuSeconds = Number(((cpu.user + cpu.system) / 1e6).toFixed(2));
      log(
        `${label}: ${(r.ms / 1000).toFixed(2)} s wall, ${cpuSeconds} s CPU, ${r.created} rows, ${r.reused} reused`,
      );
      return {
        seconds: r.ms / 1000,
        cpuSeconds,
        created: r.created,
        reused: r.reused,
        phases: Object.fromEntries(
          Object.entries(r.timings).map(([k, v]) => [k, Number((v / 1000).toFixed(3))]),
        ),
        probe: r.probe,
      };
    };
    const budget = await run('budget (representation + output measures)', {
      measures: [
        'linear-cka',
        'debiased-cka',
        'rbf-cka',
        'procrustes',
        'mutual-knn',
        'svcca',
        'pwcca',
        'top1-agreement',
        'jsd',
        'error-consistency',
        'outcome-homogenization',
        'loss-difference',
      ],
      layerMeasures: [],
    });
    const extras = await run('layer × layer linear CKA + generations + spectra', {
      measures: ['linear-cka', 'generations', 'spectra', 'weight-trajectory'],
      layerMeasures: ['linear-cka'],
    });
    const aligned = await run('aligned weights + loss barriers', { measures: ['aligned-weights'] });
    const again = await run('everything again (reused)', {
      measures: [
        'linear-cka',
        'rbf-cka',
        'top1-agreement',
        'spectra',
        'aligned-weights',
        'generations',
      ],
    });
    const out = {
      benchmark: 'analysis',
      backend: backend.device,
      models: K,
      model: { dModel: 64, nLayers: 2, contextLength: 32 },
      budgetSeconds: 10,
      // Wall time on a loaded machine is inflated; CPU time is what one idle core would take.
      withinBudget: budget.seconds < 10,
      withinBudgetCpu: budget.cpuSeconds < 10,
      budget,
      extras,
      aligned,
      again,
      loadavg: loadavg().map((x) => Number(x.toFixed(2))),
    };
    process.stdout.write(JSON.stringify(out, null, jsonOnly ? 0 : 2) + '\n');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
