/**
 * `homolab list` and `homolab show` (in-process, through the API on the CLI's lab): the JSON
 * shapes scripts read, and names from the store printed terminal-safe — an imported name can
 * carry escape sequences and bidi overrides that must not reach the terminal.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store';
import { createExperiment } from '../../src/experiments/spec/create';
import { getPreset } from '../../src/experiments/spec/presets';
import { tmp } from './helpers';
import { runCli } from './in-process';

const EVIL = 'evil\x1b]0;pwned\x07\x1b[2J\u202etxt.exe';

describe('homolab list / show', () => {
  const db = join(tmp(), 'lab.sqlite');
  beforeAll(() => {
    const store = openStore(db);
    // Specs and imports refuse such a name now; a store written before keeps it.
    const { experiment } = createExperiment(store, getPreset('seed-sweep').spec('tiny'));
    store.experiments.update(experiment.id, { name: EVIL });
    store.close();
  });

  it('lists experiments as JSON with run counts by status', async () => {
    const r = await runCli(['list', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines[0]).toMatchObject({
      type: 'experiments',
      db,
      experiments: [{ id: 1, name: EVIL, runs: 3, statuses: { queued: 3 } }],
    });
    expect(typeof (r.lines[0].experiments as { createdAt: unknown }[])[0].createdAt).toBe('number');
  });

  it('prints names with their control and bidi characters escaped', async () => {
    for (const args of [['list'], ['show', 'exp-1']]) {
      const r = await runCli([...args, '--db', db]);
      expect(r.code, r.stderr).toBe(0);
      for (const raw of ['\x1b', '\x07', '\u202e']) expect(r.stdout).not.toContain(raw);
      expect(r.stdout).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J\\u202etxt.exe');
    }
  });

  it('shows one run in full', async () => {
    const r = await runCli(['show', 'run-2', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines[0]).toMatchObject({
      type: 'run',
      run: { id: 2, experimentId: 1, initSeed: 1, checkpointSteps: [], status: 'queued' },
      summary: { id: 2, step: 0, totalSteps: 12, batchHash: null },
    });
    const human = await runCli(['show', 'run-2', '--db', db]);
    expect(human.stdout).toMatch(/^run-2 {2}initSeed=1 {2}of exp-1\nstatus: queued\n/);
    expect((await runCli(['show', 'run-9', '--db', db])).code).toBe(4);
  });
});
