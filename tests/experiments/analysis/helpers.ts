/**
 * A real store with a trained tiny experiment: the experiment is created from a preset and its
 * runs trained in this process by the worker's own job function (`trainJob`), so checkpoints,
 * metrics and run statuses are exactly what the runner writes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../../db/store';
import { initBackend } from '../../../src/core/engine';
import { createExperiment } from '../../../src/experiments/spec/create';
import { getPreset } from '../../../src/experiments/spec/presets';
import type { ExperimentSpecInput } from '../../../src/experiments/spec/spec';
import { trainJob } from '../../../src/experiments/execution/worker/train-job';

export interface TrainedLab {
  store: Store;
  dbPath: string;
  experimentId: number;
  runIds: number[];
}

/** Creates a store, a tiny seed sweep (patched), and trains every run in one lockstep job. */
export async function trainedLab(
  patch: (s: ExperimentSpecInput) => void = () => undefined,
  backend: 'wasm' | 'cpu' = 'wasm',
): Promise<TrainedLab> {
  const dir = mkdtempSync(join(tmpdir(), 'homolab-analysis-'));
  const dbPath = join(dir, 'lab.sqlite');
  const store = openStore(dbPath);
  const spec = getPreset('seed-sweep').spec('tiny');
  patch(spec);
  const { experiment, runs } = createExperiment(store, spec);
  const info = await initBackend(backend);
  await trainJob(
    {
      store,
      backend: info,
      send: () => undefined,
      control: { cancelReason: null, paused: false, whilePaused: async () => undefined },
      heartbeatEveryMs: 60_000,
    },
    { jobId: 0, experimentId: experiment.id, runIds: runs.map((r) => r.id), resume: false },
  );
  for (const r of runs) {
    const row = store.runs.require(r.id);
    if (row.status !== 'completed')
      throw new Error(`run ${r.id} ended ${row.status}: ${row.statusReason}`);
  }
  return { store, dbPath, experimentId: experiment.id, runIds: runs.map((r) => r.id) };
}
