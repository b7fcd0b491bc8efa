/**
 * Lockstep ensembles whose members diverge, end to end: the runner, a real worker child process
 * on the cpu backend, a real SQLite store. A member whose loss or gradient goes non-finite ends
 * `diverged` (reason naming the step), is dropped from the stack (train-job.ts `dropMember`),
 * and the others retry the same batch — so every member's numbers must stay those of training
 * it alone. Each test trains the same spec twice, in lockstep and solo (`lockstep: false`), and
 * compares what the store recorded.
 *
 * The seeds were found with `find-diverging-seeds.ts` (see there; rerun it if the premise checks
 * fail after a change to the cpu backend's numerics).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../../db/store';
import type { RunRow } from '../../../../db/types';
import { initBackend } from '../../../../src/core/engine';
import type { RunnerEvent } from '../../../../src/experiments/execution/events';
import { EVERY, everyoneDivergesSpec, memberDivergenceSpec } from './divergence-specs';
import {
  allMetricSteps,
  checkpointRelDiff,
  expectSameSeries,
  seriesOf,
  stepsTo,
  trainSession,
} from './train-session';

const dir = mkdtempSync(join(tmpdir(), 'homolab-diverge-'));
const dbPath = join(dir, 'lab.sqlite');
const store = openStore(dbPath);
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Whether the cpu backend's `UnsortedSegmentSum` (the gradient of the embedding lookup) turns
 * every segment NaN when one input row is NaN. tfjs-cpu's does (Σ row·mask, and 0·NaN = NaN);
 * in a lockstep stack that carries one member's NaN into every member's embedding gradient.
 */
async function cpuSegmentSumLeaksNaN(): Promise<boolean> {
  await initBackend('cpu');
  const out = tf.unsortedSegmentSum(tf.tensor2d([[NaN], [1]]), tf.tensor1d([0, 1], 'int32'), 2);
  const leaks = Number.isNaN((await out.data())[1]);
  out.dispose();
  return leaks;
}
const segmentSumLeaks = await cpuSegmentSumLeaksNaN();

/** The step named by a diverged run's reason ("Training diverged at step N: …"). */
function divergedStep(run: RunRow): number {
  expect(run.status, `run ${run.id}: ${run.statusReason}`).toBe('diverged');
  const m = /^Training diverged at step (\d+): .*\(init seed (\d+)\)/.exec(run.statusReason ?? '');
  expect(m, `reason: ${run.statusReason}`).not.toBeNull();
  expect(Number(m![2])).toBe(run.initSeed);
  return Number(m![1]);
}

const multiples = (n: number, below: number) =>
  stepsTo(below).filter((s) => s % n === 0 && s < below);

/**
 * What the store must hold for a run that diverged at step `d`: every metric row at a step
 * ≤ d; the loss and gradient norm at steps 1..d (finite before d; at d whichever diverged is
 * non-finite), everything else only up to d − 1; checkpoints only before d.
 */
function expectDivergedRecord(run: RunRow, d: number): void {
  expect(allMetricSteps(store, run.id).at(-1)).toBe(d);
  const loss = seriesOf(store, run.id, 'loss');
  expect([...loss.keys()]).toEqual(stepsTo(d));
  const lossDiverged = run.statusReason!.includes(': loss of member');
  for (const [step, v] of loss)
    expect(Number.isFinite(v), `loss at ${step}`).toBe(step < d || !lossDiverged);
  // The gradient norm is logged at d too, so a run that diverged through it shows the value.
  const gradNorm = seriesOf(store, run.id, 'grad_norm');
  expect([...gradNorm.keys()]).toEqual(stepsTo(d));
  if (!lossDiverged) expect(Number.isFinite(gradNorm.get(d)!), `grad_norm at ${d}`).toBe(false);
  expect([...seriesOf(store, run.id, 'eval_loss').keys()]).toEqual(multiples(EVERY, d));
  expect(store.checkpoints.list(run.id).map((c) => c.step)).toEqual(multiples(EVERY, d));
}

/** What the store must hold for a run that trained all `steps` steps. */
function expectCompletedRecord(run: RunRow, steps: number): void {
  expect(run.status, `run ${run.id}: ${run.statusReason}`).toBe('completed');
  expect(allMetricSteps(store, run.id).at(-1)).toBe(steps);
  const loss = seriesOf(store, run.id, 'loss');
  expect([...loss.keys()]).toEqual(stepsTo(steps));
  for (const v of loss.values()) expect(Number.isFinite(v)).toBe(true);
  expect([...seriesOf(store, run.id, 'grad_norm').keys()]).toEqual(stepsTo(steps));
  const cps = multiples(EVERY, steps + 1);
  expect([...seriesOf(store, run.id, 'eval_loss').keys()]).toEqual(cps);
  expect(store.checkpoints.list(run.id).map((c) => c.step)).toEqual(cps);
}

/** Every run saw the same batches (equal batch hashes at equal steps). */
function expectSameBatches(runs: RunRow[]): void {
  const ref = seriesOf(store, runs[0].id, 'batch_hash48');
  for (const r of runs.slice(1))
    for (const [step, h] of seriesOf(store, r.id, 'batch_hash48')) expect(h).toBe(ref.get(step));
}

/** A lockstep member logged exactly what its solo run logged, and holds the same state. */
function expectSameAsSolo(lockRun: RunRow, soloRun: RunRow, names: string[]): void {
  expectSameSeries(store, lockRun.id, soloRun.id, names);
  const diff = checkpointRelDiff(store, lockRun.id, soloRun.id);
  expect(diff, `seed ${lockRun.initSeed} checkpoint`).toBeLessThan(1e-5);
}

const runEnds = (events: RunnerEvent[]) => events.flatMap((e) => (e.type === 'run-end' ? [e] : []));

const METRICS = ['loss', 'grad_norm', 'eval_loss', 'eval_accuracy', 'lr'];

/**
 * A group where exactly one member diverges mid-run (solo, it diverges at the same step; the
 * others never do): it ends `diverged`, the rest complete with their solo numbers.
 */
async function oneMemberDiverges(name: string, seeds: number[], bad: number, steps: number) {
  const s = memberDivergenceSpec(name, seeds, steps);
  const solo = await trainSession(store, dbPath, s, false);
  const lock = await trainSession(store, dbPath, s, true);
  const good = seeds.filter((x) => x !== bad);

  // The premise, from the solo runs: `bad` diverges mid-run, the others never do.
  const d = divergedStep(solo.bySeed.get(bad)!);
  expect(d).toBeGreaterThan(EVERY);
  expect(d).toBeLessThan(steps - EVERY);
  for (const seed of good) expectCompletedRecord(solo.bySeed.get(seed)!, steps);
  expectDivergedRecord(solo.bySeed.get(bad)!, d);

  // Lockstep: one group (never split by the planner); `bad` ends at the same step.
  expect(lock.events.filter((e) => e.type === 'group-start')).toHaveLength(1);
  expect(lock.events.some((e) => e.type === 'fatal')).toBe(false);
  expect(lock.outcome).toMatchObject({
    status: 'stopped',
    counts: { completed: good.length, diverged: 1, failed: 0, interrupted: 0, cancelled: 0 },
  });
  const diverged = lock.bySeed.get(bad)!;
  expect(divergedStep(diverged)).toBe(d);
  expectDivergedRecord(diverged, d);
  const ends = runEnds(lock.events);
  expect(ends[0]).toMatchObject({ runId: diverged.id, status: 'diverged', step: d });
  expect(ends.slice(1).map((e) => [e.status, e.step])).toEqual(
    good.map(() => ['completed', steps]),
  );

  // Every member, the dropped one included, logged exactly what it logged alone.
  for (const seed of good) expectCompletedRecord(lock.bySeed.get(seed)!, steps);
  for (const seed of seeds)
    expectSameAsSolo(lock.bySeed.get(seed)!, solo.bySeed.get(seed)!, METRICS);
  expectSameBatches([...lock.bySeed.values(), ...solo.bySeed.values()]);
  expect(store.integrityCheck()).toEqual(['ok']);
}

describe('lockstep members that diverge (runner + worker process, cpu)', () => {
  it('drops the one member whose loss diverges; the survivors match their solo runs', async () => {
    // Solo on cpu (seeds 0–79, 24 steps): seed 28 is among the earliest to diverge (NaN loss at
    // step 11); seeds 11, 12 and 26 do not diverge within 24 steps. These four behave so both
    // with tfjs-cpu's UnsortedSegmentSum and with a scatter-add one (see the last test). The
    // diverging member sits in the middle so the drop reindexes the members after it.
    await oneMemberDiverges('one member diverges', [11, 28, 12, 26], 28, 16);
  });

  it('ends every member diverged, one after another, when all of them blow up', async () => {
    // Solo on cpu: seed 2 diverges at step 10, seeds 0 and 1 at step 11 — so after the first
    // drop and retry two members diverge on the same step, and the last drop empties the stack.
    const steps = 16;
    const s = everyoneDivergesSpec('everyone diverges', [0, 1, 2], steps);
    const solo = await trainSession(store, dbPath, s, false);
    const lock = await trainSession(store, dbPath, s, true);

    expect(lock.outcome).toMatchObject({
      status: 'stopped',
      counts: { completed: 0, diverged: 3, failed: 0, interrupted: 0, cancelled: 0, queued: 0 },
    });
    expect(lock.events.some((e) => e.type === 'fatal')).toBe(false);
    const ends = runEnds(lock.events);
    expect(ends.map((e) => e.status)).toEqual(['diverged', 'diverged', 'diverged']);
    // One after another, in step order.
    const endSteps = ends.map((e) => e.step);
    expect(endSteps).toEqual([...endSteps].sort((a, b) => a - b));
    for (const seed of [0, 1, 2]) {
      const [a, b] = [lock.bySeed.get(seed)!, solo.bySeed.get(seed)!];
      const d = divergedStep(b);
      expect(d).toBeGreaterThan(EVERY);
      expect(d).toBeLessThan(steps);
      expect(divergedStep(a)).toBe(d);
      expect(ends.find((e) => e.runId === a.id)?.step).toBe(d);
      expectDivergedRecord(a, d);
      expectDivergedRecord(b, d);
      expectSameAsSolo(a, b, ['loss', 'grad_norm', 'eval_loss', 'lr']);
    }
    // At least one retried step lost a second member (the path that re-drops after a retry).
    expect(new Set(endSteps).size).toBeLessThan(endSteps.length);
    expect(store.integrityCheck()).toEqual(['ok']);
  });

  // Known limitation on cpu, not yet fixed (src/core/kernels): when a member diverges through
  // its gradient alone (finite loss), tfjs-cpu's UnsortedSegmentSum turns the embedding
  // gradient of every member NaN, so the trainer cannot tell which member diverged and drops
  // the first one — a healthy member ends `diverged` (here seed 11, listed before seed 20). A
  // scatter-add UnsortedSegmentSum for cpu (like the wasm one) fixes it; this test then runs.
  it.skipIf(segmentSumLeaks)(
    'drops the one member whose gradient alone diverges (needs a non-leaking cpu segment sum)',
    async () => {
      // With a scatter-add segment sum, solo on cpu: seed 20 diverges at step 20 (non-finite
      // gradient norm, finite loss); seed 11 does not diverge within 30 steps.
      await oneMemberDiverges('a gradient diverges', [11, 20], 20, 28);
    },
  );
});
