/**
 * Checkpoint retention: a run keeps its newest N checkpoints, every Mth, step 0 and the steps
 * its analysis plan asks for, pruned in the same transaction as each new checkpoint, so a
 * store no longer grows by a full checkpoint per `checkpointEvery` steps for ever. Also the
 * disk-use report behind the low-space warning.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { retainedSteps } from '../../db/repos/checkpoints';
import { storeDiskUsage } from '../../db/disk-usage';
import { checkpointRetention } from '../../src/experiments/spec/retention';
import { openTemp, tempDir, tensors } from './helpers';
import { Rng } from '../../src/core/rng';

const t = tempDir();
afterAll(() => t.cleanup());

describe('retention policy', () => {
  it('keeps the newest N, every Mth, step 0 and the listed steps', () => {
    const steps = Array.from({ length: 21 }, (_, i) => i * 5);
    const keep = retainedSteps(steps, { keepLast: 3, keepEvery: 25, keepSteps: [35, 999] });
    expect([...keep].sort((a, b) => a - b)).toEqual([0, 25, 35, 50, 75, 90, 95, 100]);
    // The newest is kept whatever the settings (it is what a resume restores).
    expect([...retainedSteps([7, 9, 11], { keepLast: 0, keepEvery: 0 })]).toEqual([11]);
  });

  it('derives the policy from the spec: defaults spread about 10 over the run', () => {
    expect(
      checkpointRetention(
        { analysis: { checkpoints: [15, 30] } as never },
        {
          steps: 1000,
          checkpointEvery: 10,
        },
      ),
    ).toEqual({ keepLast: 3, keepEvery: 100, keepSteps: [15, 30] });
    expect(
      checkpointRetention(null, { steps: 95, checkpointEvery: 20, keepCheckpoints: 1 }),
    ).toEqual({ keepLast: 1, keepEvery: 20, keepSteps: [] });
    expect(
      checkpointRetention(null, { steps: 100, checkpointEvery: 0, keepCheckpointEvery: 0 }),
    ).toMatchObject({ keepEvery: 0 });
  });
});

describe('the checkpoints repository', () => {
  it('prunes in the same transaction as each save; the store stops growing', () => {
    const s = openTemp(t, 'ret.db');
    const e = s.experiments.create({ name: 'e', spec: {} });
    const run = s.runs.create({
      experimentId: e.id,
      name: 'r',
      variant: {},
      initSeed: 1,
      dataSeed: 1,
    });
    s.runs.start(run.id);
    const rng = new Rng(3);
    const policy = { keepLast: 2, keepEvery: 20, keepSteps: [30] };
    const save = (step: number) =>
      s.checkpoints.save(
        run.id,
        {
          step,
          weights: tensors(rng, { w: [64, 64] }),
          optimizer: tensors(rng, { m: [64, 64] }),
          dataCursor: { step },
          rngState: null,
        },
        { retention: policy },
      );
    for (let step = 0; step <= 100; step += 5) save(step);
    expect(s.checkpoints.list(run.id).map((c) => c.step)).toEqual([0, 20, 30, 40, 60, 80, 95, 100]);
    s.checkpointWal();
    const size = storeDiskUsage(s.path).storeBytes;
    for (let step = 105; step <= 400; step += 5) if (step % 20) save(step);
    s.checkpointWal();
    // Of these only the newest two stay (none is a multiple of 20): freed pages are reused.
    expect(s.checkpoints.list(run.id).map((c) => c.step)).toEqual([
      0, 20, 30, 40, 60, 80, 100, 390, 395,
    ]);
    expect(storeDiskUsage(s.path).storeBytes).toBeLessThan(size * 1.5);
    s.close();
  });

  it('reports the store size and the free space of its disk, warning when a job will not fit', () => {
    const s = openTemp(t, 'du.db');
    const du = storeDiskUsage(s.path);
    expect(du.storeBytes).toBeGreaterThan(0);
    expect(du.freeBytes).toBeGreaterThan(0);
    const tooBig = storeDiskUsage(s.path, du.freeBytes! * 2);
    expect(tooBig.warning).toMatch(/checkpoints need about .* free some space/);
    s.close();
  });
});
