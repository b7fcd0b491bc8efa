/**
 * The runner with real worker processes and a real store: pause (no steps while paused, runs
 * stay running), resume, cancel; an unavailable backend ends the session with a fatal outcome
 * and leaves the runs queued.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/store';
import { createExperiment } from '../../../src/experiments/spec/create';
import type { RunnerEvent } from '../../../src/experiments/execution/events';
import { getPreset } from '../../../src/experiments/spec/presets';
import { ExperimentRunner } from '../../../src/experiments/execution/runner';
import { nodeWorkerFactory } from '../../../src/experiments/execution/worker/node-host';

const dir = mkdtempSync(join(tmpdir(), 'homolab-runner-'));
const dbPath = join(dir, 'lab.sqlite');
const store = openStore(dbPath);
afterAll(() => store.close());

const waitFor = (events: RunnerEvent[], pred: (e: RunnerEvent) => boolean, from = 0, ms = 60_000) =>
  new Promise<RunnerEvent>((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const e = events.slice(from).find(pred);
      if (e) return resolve(e);
      if (Date.now() - t0 > ms) return reject(new Error('timed out waiting for an event'));
      setTimeout(tick, 20);
    };
    tick();
  });

describe('ExperimentRunner', () => {
  it('pauses, resumes and cancels a training session', async () => {
    const spec = getPreset('seed-sweep').spec('tiny');
    spec.axes = { grid: { initSeed: [0, 1] } };
    spec.training = { ...spec.training, steps: 5000 };
    const { experiment, runs } = createExperiment(store, spec);
    const runner = new ExperimentRunner({
      store,
      dbPath,
      workerFactory: nodeWorkerFactory(),
      backend: 'wasm',
    });
    const events: RunnerEvent[] = [];
    runner.on((e) => events.push(e));
    const done = runner.start(experiment.id);
    expect(runner.state(experiment.id)).toBe('running');

    // Every run training (two workers on a 2-core machine, else one stacked job).
    await waitFor(events, () =>
      runs.every((r) => events.some((e) => e.type === 'run-progress' && e.runId === r.id)),
    );
    runner.pause(experiment.id);
    // Every worker training a job of it says so (a job starting later starts paused).
    await waitFor(events, () => {
      const jobs = events.filter((e) => e.type === 'group-start').length;
      return events.filter((e) => e.type === 'paused').length >= jobs;
    });
    const n = events.length;
    await new Promise((r) => setTimeout(r, 800));
    expect(events.slice(n).filter((e) => e.type === 'run-progress')).toEqual([]);
    expect(runs.map((r) => store.runs.require(r.id).status)).toEqual(['running', 'running']);

    runner.resume(experiment.id);
    await waitFor(events, (e) => e.type === 'resumed');
    const m = events.length;
    await waitFor(events, (e) => e.type === 'run-progress', m);

    runner.cancel(experiment.id);
    const outcome = await done;
    expect(outcome.status).toBe('cancelled');
    for (const r of runs) {
      const row = store.runs.require(r.id);
      expect([row.status, row.statusReason, row.error]).toEqual([
        'cancelled',
        'cancelled by the user',
        null,
      ]);
    }
    expect(outcome.counts.cancelled).toBe(2);
    expect(runner.state(experiment.id)).toBeNull();
    expect(events.at(-1)).toMatchObject({
      type: 'experiment-end',
      outcome: { status: 'cancelled' },
    });
  });

  it('stops with a fatal outcome when the backend is unavailable, leaving runs queued', async () => {
    const { experiment, runs } = createExperiment(store, getPreset('seed-sweep').spec('tiny'));
    const runner = new ExperimentRunner({
      store,
      dbPath,
      workerFactory: nodeWorkerFactory({ inheritStderr: false }),
      backend: 'tensorflow',
    });
    const events: RunnerEvent[] = [];
    runner.on((e) => events.push(e));
    const outcome = await runner.start(experiment.id);
    expect(outcome.status).toBe('fatal');
    expect(outcome.message).toMatch(/tensorflow/i);
    const fatal = events.find((e) => e.type === 'fatal');
    expect(fatal).toMatchObject({ kind: 'backend' });
    expect(runs.map((r) => store.runs.require(r.id).status)).toEqual([
      'queued',
      'queued',
      'queued',
    ]);
  });
});
