/**
 * Training applies the spec's checkpoint retention: a real worker process trains a tiny run
 * that checkpoints every 2 steps; the store keeps only the newest checkpoints and the step the
 * analysis plan asks for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/store';
import { createExperiment } from '../../../src/experiments/spec/create';
import { getPreset } from '../../../src/experiments/spec/presets';
import { ExperimentRunner } from '../../../src/experiments/execution/runner';
import { nodeWorkerFactory } from '../../../src/experiments/execution/worker/node-host';

const dir = mkdtempSync(join(tmpdir(), 'homolab-retention-'));
const dbPath = join(dir, 'lab.sqlite');
const store = openStore(dbPath);
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('checkpoint retention in training', () => {
  it('keeps the newest two and the analysed step of a run checkpointing every 2 steps', async () => {
    const spec = getPreset('seed-sweep').spec('tiny');
    spec.axes = {};
    spec.training = {
      ...spec.training,
      steps: 30,
      checkpointEvery: 2,
      evalEvery: 0,
      keepCheckpoints: 2,
      keepCheckpointEvery: 0,
    };
    spec.analysis = { ...spec.analysis, checkpoints: [10] };
    const { experiment, runs } = createExperiment(store, spec);
    const runner = new ExperimentRunner({
      store,
      dbPath,
      workerFactory: nodeWorkerFactory(),
      backend: 'wasm',
    });
    const outcome = await runner.start(experiment.id);
    expect(outcome.status).toBe('completed');
    expect(store.checkpoints.list(runs[0].id).map((c) => c.step)).toEqual([10, 28, 30]);
  });
});
