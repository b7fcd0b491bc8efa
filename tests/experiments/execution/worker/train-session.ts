/**
 * Test helpers: train an experiment through the real runner and a real worker child process on
 * one SQLite store, and read back what the store recorded per run.
 */
import { expect } from 'vitest';
import type { Store } from '../../../../db/store';
import type { RunRow } from '../../../../db/types';
import { createExperiment } from '../../../../src/experiments/spec/create';
import type { ExperimentOutcome, RunnerEvent } from '../../../../src/experiments/execution/events';
import { ExperimentRunner } from '../../../../src/experiments/execution/runner';
import type { ExperimentSpecInput } from '../../../../src/experiments/spec/spec';
import { nodeWorkerFactory } from '../../../../src/experiments/execution/worker/node-host';

export interface Session {
  outcome: ExperimentOutcome;
  events: RunnerEvent[];
  /** The experiment's runs after training, by init seed. */
  bySeed: Map<number, RunRow>;
}

/** Creates an experiment from `spec` and trains it on the cpu backend in a worker process. */
export async function trainSession(
  store: Store,
  dbPath: string,
  spec: ExperimentSpecInput,
  lockstep: boolean,
): Promise<Session> {
  const { experiment, runs } = createExperiment(store, spec);
  const runner = new ExperimentRunner({
    store,
    dbPath,
    workerFactory: nodeWorkerFactory(),
    backend: 'cpu',
    lockstep,
  });
  const events: RunnerEvent[] = [];
  runner.on((e) => events.push(e));
  const outcome = await runner.start(experiment.id);
  const bySeed = new Map(runs.map((r) => [r.initSeed, store.runs.require(r.id)]));
  return { outcome, events, bySeed };
}

/** A run's metric series as `step → value` (NaN kept). */
export function seriesOf(store: Store, runId: number, name: string): Map<number, number> {
  const s = store.metrics.series(runId, name, { stepsAndValuesOnly: true });
  return new Map(s.steps.map((step, i) => [step, s.values[i]]));
}

/** Every step a run has any metric row at, over all its metric names. */
export function allMetricSteps(store: Store, runId: number): number[] {
  const steps = new Set<number>();
  for (const name of store.metrics.names(runId))
    for (const step of seriesOf(store, runId, name).keys()) steps.add(step);
  return [...steps].sort((a, b) => a - b);
}

/** 1..n */
export const stepsTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/**
 * Asserts two runs logged the same metric series (same steps; values equal to `rel` relative,
 * non-finite values only where the other has the same).
 */
export function expectSameSeries(
  store: Store,
  runA: number,
  runB: number,
  names: string[],
  rel = 1e-5,
): void {
  for (const name of names) {
    const a = seriesOf(store, runA, name);
    const b = seriesOf(store, runB, name);
    expect([...a.keys()], `${name} steps`).toEqual([...b.keys()]);
    for (const [step, va] of a) {
      const vb = b.get(step)!;
      // Non-finite values (a diverged step's loss or gradient norm) must match exactly.
      if (!Number.isFinite(va) || !Number.isFinite(vb)) {
        expect([name, step, va], 'non-finite on one side only').toEqual([name, step, vb]);
        continue;
      }
      const err = Math.abs(va - vb) / Math.max(Math.abs(vb), 1e-12);
      expect(err, `${name} at step ${step}: ${va} vs ${vb}`).toBeLessThanOrEqual(rel);
    }
  }
}

/** Largest relative difference between two runs' latest checkpoints, over weights and moments. */
export function checkpointRelDiff(store: Store, runA: number, runB: number): number {
  const a = store.checkpoints.latest(runA);
  const b = store.checkpoints.latest(runB);
  expect(a?.step).toBe(b?.step);
  let worst = 0;
  for (const part of ['weights', 'optimizer'] as const) {
    const ta = a![part];
    const tb = b![part];
    expect(Object.keys(ta).sort()).toEqual(Object.keys(tb).sort());
    for (const key of Object.keys(ta)) {
      expect(ta[key].shape, key).toEqual(tb[key].shape);
      const x = ta[key].data;
      const y = tb[key].data;
      let scale = 0;
      let diff = 0;
      for (let i = 0; i < y.length; i++) {
        scale = Math.max(scale, Math.abs(y[i]));
        diff = Math.max(diff, Math.abs(x[i] - y[i]));
      }
      worst = Math.max(worst, diff / Math.max(scale, 1e-30));
    }
  }
  return worst;
}
