import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../db/errors';
import { canTransition } from '../../db/lifecycle';
import { openStore } from '../../db/store';
import { RUN_STATUSES, type RunStatus } from '../../db/types';
import { Rng } from '../../src/core/rng';
import { tempDir, tensors, type TempDir } from './helpers';

let t: TempDir;
afterEach(() => t?.cleanup());

const ALLOWED = new Set([
  'queued>running',
  'queued>cancelled',
  'running>completed',
  'running>failed',
  'running>cancelled',
  'running>diverged',
  'running>interrupted',
  'interrupted>queued',
  'interrupted>running',
  'interrupted>cancelled',
]);

/** A pid that certainly belonged to a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('run lifecycle', () => {
  it('allows exactly the documented transitions, enforced by the store', () => {
    t = tempDir();
    const s = openStore(t.file('l.db'));
    const e = s.experiments.create({ name: 'e', spec: {} });
    const make = (status: RunStatus): number => {
      const r = s.runs.create({
        experimentId: e.id,
        name: 'r',
        variant: {},
        initSeed: 1,
        dataSeed: 1,
      });
      const path: Record<RunStatus, RunStatus[]> = {
        queued: [],
        running: ['running'],
        completed: ['running', 'completed'],
        failed: ['running', 'failed'],
        cancelled: ['cancelled'],
        diverged: ['running', 'diverged'],
        interrupted: ['running', 'interrupted'],
      };
      for (const st of path[status]) s.runs.transition(r.id, st);
      return r.id;
    };
    for (const from of RUN_STATUSES)
      for (const to of RUN_STATUSES) {
        const id = make(from);
        const ok = ALLOWED.has(`${from}>${to}`);
        expect(canTransition(from, to)).toBe(ok);
        if (ok) expect(s.runs.transition(id, to).status).toBe(to);
        else {
          expect(() => s.runs.transition(id, to)).toThrow(InvalidTransitionError);
          expect(s.runs.require(id).status).toBe(from);
        }
      }
    s.close();
  });

  it('records owner, heartbeat and timestamps', () => {
    t = tempDir();
    let now = 1_000;
    const s = openStore(t.file('h.db'), { now: () => now });
    const e = s.experiments.create({ name: 'e', spec: {} });
    const r = s.runs.create({
      experimentId: e.id,
      name: 'r',
      variant: {},
      initSeed: 1,
      dataSeed: 1,
    });
    now = 2_000;
    const started = s.runs.start(r.id);
    expect(started).toMatchObject({
      status: 'running',
      startedAt: 2_000,
      heartbeatAt: 2_000,
      ownerPid: process.pid,
    });
    now = 3_000;
    expect(s.runs.heartbeat(r.id)).toBe(true);
    expect(s.runs.require(r.id).heartbeatAt).toBe(3_000);
    expect(s.runs.heartbeat(r.id, process.pid + 1)).toBe(false); // not the owner
    now = 4_000;
    const done = s.runs.finish(r.id, 'failed', { error: 'NaN loss' });
    expect(done).toMatchObject({
      status: 'failed',
      endedAt: 4_000,
      error: 'NaN loss',
      ownerPid: null,
    });
    expect(s.runs.heartbeat(r.id)).toBe(false);
    s.close();
  });

  it('on open, marks runs of a dead owner or with a stale heartbeat interrupted', () => {
    t = tempDir();
    const file = t.file('r.db');
    let now = 10_000;
    const s = openStore(file, { now: () => now });
    const e = s.experiments.create({ name: 'e', spec: {} });
    const mk = (): number =>
      s.runs.create({ experimentId: e.id, name: 'r', variant: {}, initSeed: 1, dataSeed: 1 }).id;
    const dead = mk();
    const stale = mk();
    const alive = mk();
    const remote = mk();
    const remoteFresh = mk();
    s.runs.start(dead, { pid: deadPid() });
    s.runs.start(stale); // owned by this (live) process, but silent for 16 minutes
    s.runs.start(alive);
    s.runs.start(remote);
    s.runs.start(remoteFresh);
    // Owners on another machine (shared folder): only the heartbeat can tell.
    s.db
      .prepare("UPDATE runs SET owner_host = 'elsewhere' WHERE id IN (?, ?)")
      .run(remote, remoteFresh);
    now = 10_000 + 16 * 60_000;
    s.runs.heartbeat(alive);
    s.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(now - 30_000, remoteFresh);
    s.close();

    const reopened = openStore(file, { now: () => now });
    const byId = new Map(reopened.recovered.map((r) => [r.runId, r.reason]));
    expect([...byId.keys()].sort()).toEqual([dead, stale, remote].sort());
    expect(byId.get(dead)).toMatch(/owner process \d+ is gone/);
    expect(byId.get(stale)).toMatch(/no heartbeat for 960000 ms/);
    expect(byId.get(remote)).toMatch(/no heartbeat for 960000 ms \(owner \d+@elsewhere\)/);
    expect(reopened.runs.require(dead)).toMatchObject({ status: 'interrupted', ownerPid: null });
    expect(reopened.runs.require(dead).statusReason).toMatch(/is gone/);
    expect(reopened.runs.require(alive).status).toBe('running');
    expect(reopened.runs.require(remoteFresh).status).toBe('running');
    // A worker whose run was taken away learns it from its next heartbeat.
    expect(reopened.runs.heartbeat(stale)).toBe(false);
    reopened.close();
  });

  it('resumeRun restores the latest checkpoint and discards what came after it', () => {
    t = tempDir();
    const s = openStore(t.file('x.db'));
    const e = s.experiments.create({ name: 'e', spec: {} });
    const r = s.runs.create({
      experimentId: e.id,
      name: 'r',
      variant: {},
      initSeed: 1,
      dataSeed: 1,
    });
    s.runs.start(r.id);
    const w = s.metrics.writer({ batchSize: 10 });
    const rng = new Rng(1);
    for (let step = 0; step < 50; step++) {
      w.addStep(r.id, step, step * 10, step, { loss: 1 / (step + 1) });
      if (step === 19)
        s.checkpoints.save(
          r.id,
          { step, weights: tensors(rng, { w: [2] }), optimizer: {}, dataCursor: 20, rngState: [1] },
          { metrics: w },
        );
      if (step === 29) s.samples.create({ runId: r.id, step, prompt: 'p', output: 'o' });
    }
    w.flush();
    s.runs.transition(r.id, 'interrupted', { reason: 'test' });
    const res = s.resumeRun(r.id);
    expect(res.checkpoint?.step).toBe(19);
    expect(res.checkpoint?.dataCursor).toBe(20);
    expect(res.discardedMetrics).toBe(30);
    expect(res.run.status).toBe('running');
    expect(s.metrics.series(r.id, 'loss').steps).toEqual([...Array(20).keys()]);
    expect(s.samples.list(r.id)).toEqual([]);
    expect(() => s.resumeRun(r.id)).toThrow(InvalidTransitionError); // already running
    s.close();
  });
});
