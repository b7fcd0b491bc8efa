/**
 * The lab service with real worker processes (wasm) and a real store: a study's training is in
 * the lab's queue and can be cancelled; a queued experiment paused before it starts is held (and
 * the status says why each item waits); analyses run in the pool's workers with progress, and
 * follow training automatically when the setting is on; estimates are calibrated and cached.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/store';
import type { JsonObject } from '../../../db/types';
import type { AnalysisUpdate } from '../../../src/experiments/execution/analysis-run';
import { LabService, type LabServiceEvent } from '../../../src/experiments/execution/lab-service';
import { nodeWorkerFactory } from '../../../src/experiments/execution/worker/node-host';
import { createExperiment } from '../../../src/experiments/spec/create';
import { parseSpec } from '../../../src/experiments/spec/parse-spec';
import { getPreset } from '../../../src/experiments/spec/presets';
import { groupLockstep } from '../../../src/experiments/spec/variants';
import { runStudy } from '../../../src/experiments/studies';

const dir = mkdtempSync(join(tmpdir(), 'homolab-lab-service-'));
const dbPath = join(dir, 'lab.sqlite');
const store = openStore(dbPath);
const labs: LabService[] = [];

function newLab(opts: { workers?: number; autoAnalysis?: boolean } = {}) {
  const lab = new LabService({
    store,
    dbPath,
    workerFactory: nodeWorkerFactory({ inheritStderr: false }),
    backend: 'wasm',
    workers: opts.workers ?? 2,
    autoAnalysis: opts.autoAnalysis ?? false,
    calibrationFile: join(dir, 'calibration.json'),
  });
  labs.push(lab);
  const events: LabServiceEvent[] = [];
  lab.on((e) => events.push(e));
  return { lab, events };
}

afterAll(async () => {
  for (const l of labs) await l.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = (pred: () => boolean, ms = 60_000) =>
  expect.poll(pred, { timeout: ms, interval: 50 }).toBe(true);

function tinySweep(name: string, steps = 12) {
  const spec = getPreset('seed-sweep').spec('tiny');
  spec.name = name;
  spec.training = { ...spec.training, steps };
  return createExperiment(store, spec);
}

describe('LabService', () => {
  it("shows a study's training in the lab's queue, and cancels it", async () => {
    const { lab } = newLab();
    let seen: ReturnType<LabService['status']> | null = null;
    let busy: string | null = null;
    const off = lab.on((e) => {
      if (e.type !== 'group-start' || seen) return;
      seen = lab.status();
      busy = lab.busy(e.experimentId);
      lab.cancel(e.experimentId);
    });
    const study = runStudy('seed-convergence', { store, lab, scale: 'test' });
    await expect(study).rejects.toThrow(/training of exp-\d+ ended 'cancelled'/);
    off();
    expect(seen!.training).toHaveLength(1);
    expect(seen!.training[0]).toMatchObject({ state: 'running' });
    expect(busy).toBe('training'); // what the delete guard asks
    const id = seen!.training[0].experimentId;
    expect(store.runs.listByExperiment(id).every((r) => r.status === 'cancelled')).toBe(true);
    expect(lab.status().training).toEqual([]);
  }, 300_000);

  it('holds a queued experiment paused before it starts, saying why each item waits', async () => {
    const { lab, events } = newLab({ workers: 1 });
    const a = tinySweep('long', 100_000);
    const b = tinySweep('short');
    const doneA = lab.train(a.experiment.id);
    const doneB = lab.train(b.experiment.id);
    await until(() => events.some((e) => e.type === 'run-progress'));
    const waiting = lab.status().training.find((t) => t.experimentId === b.experiment.id);
    expect(waiting).toMatchObject({
      state: 'queued',
      reason: 'waiting for a free worker (1 of 1 busy)',
    });

    expect(lab.pause(b.experiment.id)).toBe(true);
    expect(lab.status().training[1]).toMatchObject({
      state: 'held',
      reason: 'held: paused before it started',
    });
    lab.cancel(a.experiment.id);
    expect((await doneA).status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 1500));
    expect(lab.trainingState(b.experiment.id)).toBe('held');
    expect(store.runs.listByExperiment(b.experiment.id).map((r) => r.status)).toEqual([
      'queued',
      'queued',
      'queued',
    ]);
    expect(lab.resume(b.experiment.id)).toBe(true);
    expect((await doneB).status).toBe('completed');
    expect(store.integrityCheck()).toEqual(['ok']);
  }, 300_000);

  it('analyses in the pool’s workers, slices in parallel, with progress; no row twice', async () => {
    const { lab, events } = newLab();
    const { experiment } = tinySweep('to analyse');
    expect((await lab.train(experiment.id)).status).toBe('completed');
    const progress: AnalysisUpdate[] = [];
    const r = await lab.analyze(
      {
        experimentId: experiment.id,
        measures: ['linear-cka', 'top1-agreement', 'jsd', 'spectra'],
        steps: 'all',
      },
      { onProgress: (u) => progress.push(u) },
    );
    expect(r.steps).toEqual([6, 12]);
    expect(r.created).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ finished: true, fraction: 1, error: null });
    expect(progress.some((u) => !u.finished && u.progress?.phase === 'done')).toBe(true);
    const fractions = events.flatMap((e) => (e.type === 'analysis' ? [e.fraction] : []));
    expect(fractions.at(-1)).toBe(1);
    const rows = store.analyses.list({ experimentId: experiment.id });
    const keys = rows.map(
      (a) => `${(a.params as JsonObject).key}|${JSON.stringify(a.layers)}|${a.runIds}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
    // Analysing again reuses every stored group.
    const again = await lab.analyze({
      experimentId: experiment.id,
      measures: ['linear-cka', 'top1-agreement', 'jsd', 'spectra'],
      steps: 'all',
    });
    expect(again.created).toBe(0);
    expect(again.reused).toBeGreaterThan(0);
  }, 300_000);

  it('analyses an experiment by its spec when its training ends (automatic analysis)', async () => {
    const { lab, events } = newLab({ autoAnalysis: true });
    const { experiment } = tinySweep('auto');
    await lab.train(experiment.id);
    await until(() =>
      events.some((e) => e.type === 'analysis' && e.experimentId === experiment.id && e.finished),
    );
    const kinds = new Set(store.analyses.list({ experimentId: experiment.id }).map((a) => a.kind));
    expect([...kinds].sort()).toEqual(['jsd', 'linear-cka', 'top1-agreement']);
    expect(lab.busy(experiment.id)).toBeNull();
  }, 300_000);

  it('estimates from steps timed on this machine, cached for the next estimate', async () => {
    const { lab } = newLab();
    const spec = getPreset('seed-sweep').spec('tiny');
    spec.axes = { grid: { initSeed: [0, 1, 2, 3] } };
    spec.training = { ...spec.training, steps: 200 };
    const groups = groupLockstep(parseSpec(spec).variants);
    const e = await lab.estimate(groups, 40);
    expect(e.calibrated).toBe(true);
    expect(e.workers).toBe(2);
    expect(e.seconds).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'calibration.json'))).toBe(true);
    const t0 = performance.now();
    const again = await lab.estimate(groups, 40);
    expect(performance.now() - t0).toBeLessThan(1000); // no worker started: from the cache
    expect(again.calibrated).toBe(true);
  }, 300_000);
});
