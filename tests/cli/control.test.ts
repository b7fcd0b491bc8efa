/**
 * `homolab pause | cancel | delete` (in-process, through the CLI's `main`): on the CLI's own
 * lab (cancel a queued run, delete with and without confirmation, a run with the analyses that
 * include it, refusal while another process trains), and forwarded to the `homolab serve` that
 * holds the store (pause, cancel and delete an experiment its lab is training).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../db/store';
import type { LabEvent } from '../../src/api/contract';
import { EXIT } from '../../src/cli/exit-codes';
import { advertiseServe } from '../../src/cli/serve-control';
import { createExperiment } from '../../src/experiments/spec/create';
import { getPreset } from '../../src/experiments/spec/presets';
import { startServer, type Served } from '../../src/server/start-server';
import { tmp } from './helpers';
import { runCli } from './in-process';

function experiment(store: Store, name: string, steps = 12) {
  const spec = getPreset('seed-sweep').spec('tiny');
  spec.name = name;
  spec.training = { ...spec.training, steps };
  return createExperiment(store, spec);
}

describe('homolab pause / cancel / delete on the CLI’s lab', () => {
  const db = join(tmp(), 'lab.sqlite');
  let runs: number[];
  let analysisId: number;
  beforeAll(() => {
    const store = openStore(db);
    runs = experiment(store, 'kept').runs.map((r) => r.id);
    experiment(store, 'to delete');
    analysisId = store.analyses.create({
      experimentId: 1,
      kind: 'linear-cka',
      runIds: [runs[0], runs[2]],
      result: { value: 1 },
    }).id;
    store.close();
  });

  it('cancels a queued run; has nothing training to pause', async () => {
    const cancel = await runCli(['cancel', `run-${runs[1]}`, '--db', db]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toBe(`cancelled run-${runs[1]}\n`);
    const shown = await runCli(['show', `run-${runs[1]}`, '--db', db, '--json']);
    expect(shown.lines[0].summary).toMatchObject({ status: 'cancelled' });
    const pause = await runCli(['pause', 'exp-1', '--db', db]);
    expect(pause.code).toBe(EXIT.INVALID_INPUT);
    expect(pause.stderr).toMatch(/not training now/);
    expect((await runCli(['cancel', 'exp-9', '--db', db])).code).toBe(EXIT.NOT_FOUND);
  });

  it('deletes only when confirmed (--yes, or yes at the terminal)', async () => {
    const refused = await runCli(['delete', 'exp-2', '--db', db]);
    expect(refused.code).toBe(EXIT.NEEDS_CONFIRMATION);
    expect(refused.stderr).toMatch(/repeat with --yes to delete exp-2 "to delete" with its 3 run/);
    const asked: string[] = [];
    const no = await runCli(['delete', 'exp-2', '--db', db], {
      confirm: async (q) => (asked.push(q), false),
    });
    expect(no.code).toBe(EXIT.NEEDS_CONFIRMATION);
    expect(asked[0]).toMatch(/^Delete exp-2 "to delete"/);
    expect((await runCli(['list', '--db', db, '--json'])).lines[0].experiments).toHaveLength(2);
    const yes = await runCli(['delete', 'exp-2', '--db', db], { confirm: async () => true });
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toBe('deleted exp-2\n');
    const left = (await runCli(['list', '--db', db, '--json'])).lines[0].experiments;
    expect((left as { id: number }[]).map((e) => e.id)).toEqual([1]);
  });

  it('deletes a run with the analyses that include it', async () => {
    const r = await runCli(['delete', `run-${runs[2]}`, '--yes', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines[0]).toEqual({ type: 'deleted', runId: runs[2] });
    const store = openStore(db);
    try {
      expect(store.runs.get(runs[2])).toBeUndefined();
      expect(store.runs.get(runs[0])).toBeDefined();
      expect(store.analyses.get(analysisId)).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('refuses to cancel or delete what another process is training', async () => {
    const store = openStore(db);
    store.runs.start(runs[0], { pid: process.pid }); // alive, heartbeat fresh: not recovered
    store.close();
    const r = await runCli(['delete', 'exp-1', '--yes', '--db', db]);
    expect(r.code).toBe(EXIT.INVALID_INPUT);
    expect(r.stderr).toMatch(/training in another process .*then delete it/);
    const c = await runCli(['cancel', 'exp-1', '--db', db]);
    expect(c.code).toBe(EXIT.INVALID_INPUT);
    expect(c.stderr).toMatch(/exp-1 is training in another process; pause or cancel it there/);
    expect(
      (await runCli(['show', `run-${runs[0]}`, '--db', db, '--json'])).lines[0].summary,
    ).toMatchObject({ status: 'running' });
  });
});

describe('homolab pause / cancel / delete through a running serve', () => {
  const dir = tmp();
  const db = join(dir, 'lab.sqlite');
  let served: Served;
  let withdraw: () => void;
  const events: LabEvent[] = [];
  const until = (pred: (e: LabEvent) => boolean) =>
    new Promise<void>((resolve) => {
      if (events.some(pred)) return resolve();
      const off = served.lab.events.on((e) => {
        if (pred(e)) {
          off();
          resolve();
        }
      });
    });

  beforeAll(async () => {
    served = await startServer({ dbPath: db, backend: 'wasm', rendererDir: dir, log: () => {} });
    served.lab.events.on((e) => events.push(e));
    withdraw = advertiseServe(db, { origin: served.origin, token: served.token });
  });
  afterAll(async () => {
    withdraw();
    await served.close();
  });

  it('pauses and cancels the training of the serve’s lab, then deletes it', async () => {
    const spec = getPreset('seed-sweep').spec('tiny');
    spec.training = { ...spec.training, steps: 100_000, checkpointEvery: 100_000 };
    const res = await served.lab.dispatcher.dispatch(
      'createExperiment',
      { name: 'long', spec, start: true },
      { transport: 'direct' },
    );
    expect(res.ok).toBe(true);
    await until((e) => e.type === 'run.progress');

    const pause = await runCli(['pause', 'exp-1', '--db', db]);
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stderr).toMatch(/via the serve at http:\/\/127\.0\.0\.1:\d+/);
    await until(() => served.lab.service.trainingState(1) === 'paused');

    const cancel = await runCli(['cancel', 'exp-1', '--db', db, '--json']);
    expect(cancel.lines[0]).toMatchObject({ type: 'cancelled', experimentId: 1 });
    await until((e) => e.type === 'experiment.status' && e.status === 'cancelled');

    const del = await runCli(['delete', 'exp-1', '--yes', '--db', db]);
    expect(del.code, del.stderr).toBe(0);
    expect(served.lab.store.experiments.list()).toEqual([]);
  });
});
