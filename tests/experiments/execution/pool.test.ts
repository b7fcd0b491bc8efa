/**
 * The worker pool with real worker processes (wasm) and a real store: two workers train a
 * 4-run experiment with every run's losses equal to training it alone; killing one worker
 * marks only its run interrupted and resume completes it with the same losses (and its wall
 * time continues); cancel stops every worker; with too little memory free for a second worker
 * the pool trains on one. The store passes integrity_check after each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/store';
import type { RunRow } from '../../../db/types';
import type { RunnerEvent } from '../../../src/experiments/execution/events';
import { HEADROOM_BYTES } from '../../../src/experiments/execution/job-memory';
import { RUNTIME_OVERHEAD_BYTES } from '../../../src/experiments/spec/memory-estimate';
import { WorkerPool } from '../../../src/experiments/execution/pool';
import { ExperimentRunner } from '../../../src/experiments/execution/runner';
import type { CheckpointMeta } from '../../../src/experiments/execution/worker/member-state';
import { nodeWorkerFactory } from '../../../src/experiments/execution/worker/node-host';
import { createExperiment } from '../../../src/experiments/spec/create';
import { getPreset } from '../../../src/experiments/spec/presets';
import { seriesOf } from './worker/train-session';

const dir = mkdtempSync(join(tmpdir(), 'homolab-pool-'));
const dbPath = join(dir, 'lab.sqlite');
const store = openStore(dbPath);
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const STEPS = 80;

function sweep(steps = STEPS) {
  const spec = getPreset('seed-sweep').spec('tiny');
  spec.axes = { grid: { initSeed: [0, 1, 2, 3] } };
  spec.training = { ...spec.training, steps, checkpointEvery: 5, evalEvery: 20 };
  return createExperiment(store, spec);
}

function runner(workers: number, lockstep?: boolean) {
  const r = new ExperimentRunner({
    store,
    dbPath,
    workerFactory: nodeWorkerFactory({ inheritStderr: false }),
    backend: 'wasm',
    workers,
    lockstep,
  });
  const events: RunnerEvent[] = [];
  r.on((e) => events.push(e));
  return { r, events };
}

const bySeed = (runs: RunRow[]) => new Map(runs.map((r) => [r.initSeed, store.runs.require(r.id)]));

/** Loss, eval loss and batch hashes of each run, by init seed. */
function histories(runs: RunRow[]) {
  return new Map(
    runs.map((r) => [
      r.initSeed,
      ['loss', 'eval_loss', 'batch_hash48'].map((n) => [...seriesOf(store, r.id, n)]),
    ]),
  );
}

const expectIntact = () => expect(store.integrityCheck()).toEqual(['ok']);

let reference: ReturnType<typeof histories>;

describe('worker pool', () => {
  it('trains a 4-run experiment on 2 workers with every run as it trains alone', async () => {
    const alone = sweep();
    const one = runner(1, false);
    expect((await one.r.start(alone.experiment.id)).status).toBe('completed');
    reference = histories(alone.runs);
    expectIntact();

    const pooled = sweep();
    const two = runner(2);
    const outcome = await two.r.start(pooled.experiment.id);
    expect(outcome.status).toBe('completed');
    expect(outcome.counts.completed).toBe(4);
    // Two processes, each training one run at a time, the second job starting before the
    // first ended.
    const starts = two.events.filter((e) => e.type === 'group-start');
    expect(starts.map((e) => e.type === 'group-start' && e.runIds.length)).toEqual([1, 1, 1, 1]);
    expect(new Set(starts.map((e) => e.type === 'group-start' && e.pid)).size).toBe(2);
    const firstEnd = two.events.findIndex((e) => e.type === 'run-end');
    expect(two.events.indexOf(starts[1])).toBeLessThan(firstEnd);
    expect(histories(pooled.runs)).toEqual(reference);
    expectIntact();
  }, 300_000);

  it('marks only the killed worker’s run interrupted; resume completes it with the same losses', async () => {
    const { experiment, runs } = sweep();
    const { r, events } = runner(2);
    let victim: { pid: number; runId: number } | null = null;
    const off = r.on((e) => {
      if (victim || e.type !== 'run-progress' || e.step < 8) return;
      const start = events.find((x) => x.type === 'group-start' && x.runIds.includes(e.runId));
      if (start?.type !== 'group-start' || !start.pid) return;
      victim = { pid: start.pid, runId: e.runId };
      process.kill(start.pid, 'SIGKILL');
    });
    const outcome = await r.start(experiment.id);
    off();
    expect(victim).not.toBeNull();
    const { pid, runId } = victim!;
    expect(outcome.status).toBe('interrupted');
    expect(outcome.message).toBe(`training worker ${pid} was killed by SIGKILL`);
    const after = bySeed(runs);
    for (const run of after.values()) {
      if (run.id === runId) {
        expect(run.status).toBe('interrupted');
        expect(run.statusReason).toMatch(/killed by SIGKILL/);
      } else expect(run.status, `run ${run.id}`).toBe('completed');
    }
    expectIntact();

    const interruptedAt = store.checkpoints.latest(runId)!;
    const resumed = runner(2);
    expect((await resumed.r.start(experiment.id, { resume: true })).status).toBe('completed');
    const start = resumed.events.find((e) => e.type === 'group-start');
    expect(start).toMatchObject({ runIds: [runId], startStep: interruptedAt.step });
    // The wall time goes on from the checkpoint's, not from zero.
    const wallAtCheckpoint = (interruptedAt.meta as CheckpointMeta).wallMs;
    const startWall = start?.type === 'group-start' ? start.wallMs : -1;
    expect(startWall).toBeGreaterThanOrEqual(wallAtCheckpoint);
    expect(startWall).toBeLessThan(wallAtCheckpoint + 1000);
    const wall = store.metrics.series(runId, 'loss').wallMs!;
    expect(wall.at(-1)!).toBeGreaterThan(wallAtCheckpoint);
    expect(histories(runs)).toEqual(reference);
    expectIntact();
  }, 300_000);

  it('cancel stops every worker', async () => {
    const { experiment, runs } = sweep(100_000);
    const { r, events } = runner(2);
    const done = r.start(experiment.id);
    const pids = await new Promise<number[]>((resolve) => {
      const off = r.on(() => {
        const started = events.filter((e) => e.type === 'group-start');
        const progressing = new Set(
          events
            .filter((e) => e.type === 'run-progress')
            .map((e) => e.type === 'run-progress' && e.runId),
        );
        if (started.length === 2 && progressing.size === 2) {
          off();
          resolve(started.map((e) => (e.type === 'group-start' ? e.pid! : 0)));
        }
      });
    });
    r.cancel(experiment.id);
    const outcome = await done;
    expect(outcome.status).toBe('cancelled');
    expect([...bySeed(runs).values()].map((x) => x.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    // Both worker processes are gone (they exit once idle).
    await expect
      .poll(
        () =>
          pids.filter((p) => {
            try {
              process.kill(p, 0);
              return true;
            } catch {
              return false;
            }
          }).length,
        { timeout: 20_000 },
      )
      .toBe(0);
    expectIntact();
  }, 300_000);

  it('starts no second worker when its job does not fit in the free memory', async () => {
    const { experiment, runs } = sweep(40);
    // Room for one worker beyond the headroom, not two.
    const pool = new WorkerPool({
      dbPath,
      workerFactory: nodeWorkerFactory({ inheritStderr: false }),
      backend: 'wasm',
      size: 2,
      availableBytes: () => HEADROOM_BYTES + 1.5 * RUNTIME_OVERHEAD_BYTES,
    });
    const r = new ExperimentRunner({ store, pool });
    const events: RunnerEvent[] = [];
    r.on((e) => events.push(e));
    const reasons = new Set<string>();
    const done = r.start(experiment.id);
    const poll = setInterval(() => {
      for (const s of r.status()) if (s.reason) reasons.add(s.reason);
    }, 20);
    const outcome = await done;
    clearInterval(poll);
    expect(outcome.status).toBe('completed');
    const pids = new Set(events.flatMap((e) => (e.type === 'group-start' ? [e.pid] : [])));
    expect(pids.size).toBe(1);
    expect(events.filter((e) => e.type === 'group-start')).toHaveLength(runs.length);
    expect([...reasons].some((x) => x.startsWith('waiting for memory: a worker needs about'))).toBe(
      true,
    );
    expectIntact();
  }, 300_000);
});
