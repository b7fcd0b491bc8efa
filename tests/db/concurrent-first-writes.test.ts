/**
 * Pool workers starting together on a fresh store record the same things at the same moment:
 * the dataset their runs train on (`datasets.ensure`) and their first metrics under names the
 * store has not seen (interning the name). Two connections racing on either must both succeed,
 * with one row each: a read-then-insert fails with SQLITE_BUSY ("database is locked") or a
 * UNIQUE violation when the other committed in between.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store';
import { bundleFixture } from '../bundle-fixture';
import { tempDir } from './helpers';

const here = dirname(fileURLToPath(import.meta.url));
const t = tempDir('homolab-first-writes-');
let script: string;
beforeAll(async () => {
  script = await bundleFixture(join(here, 'fixtures', 'first-write-racer.ts'), 'first-write-racer');
});
afterAll(() => {
  rmSync(script, { force: true });
  t.cleanup();
});

const ROUNDS = 300;

/** Two threads, in lockstep, each recording the same new `what` every round. */
async function race(dbPath: string, what: 'dataset' | 'metric', runId = 0): Promise<string[]> {
  const shared = new SharedArrayBuffer(12);
  const racer = (me: number) =>
    new Promise<string>((resolve, reject) => {
      const w = new Worker(script, {
        workerData: { dbPath, rounds: ROUNDS, shared, me, what, runId },
      });
      w.once('message', resolve);
      w.once('error', reject);
    });
  return Promise.all([racer(0), racer(1)]);
}

describe('first writes from two connections at once', () => {
  it('datasets.ensure records each dataset once, without a busy error', async () => {
    const dbPath = t.file('datasets.db');
    openStore(dbPath).close();
    expect(await race(dbPath, 'dataset')).toEqual(['ok', 'ok']);
    // One row per dataset: ensuring one again finds it (ids 1..ROUNDS).
    const store = openStore(dbPath);
    for (let i = 0; i < ROUNDS; i += 50)
      expect(
        store.datasets.ensure({
          kind: 'synthetic',
          params: { round: i },
          contentHash: `hash-${i}`,
          tokenizer: { kind: 'char' },
        }).id,
      ).toBeLessThanOrEqual(ROUNDS);
    store.close();
  }, 120_000);

  it('a metric name new to the store is interned once, both points kept', async () => {
    const dbPath = t.file('metrics.db');
    const setup = openStore(dbPath);
    const e = setup.experiments.create({ name: 'race', spec: {} });
    const run = setup.runs.create({
      experimentId: e.id,
      name: 'r',
      variant: {},
      initSeed: 0,
      dataSeed: 0,
    });
    setup.close();
    expect(await race(dbPath, 'metric', run.id)).toEqual(['ok', 'ok']);
    const store = openStore(dbPath);
    expect(store.metrics.names(run.id)).toHaveLength(ROUNDS);
    expect(store.metrics.series(run.id, 'metric-7').steps).toEqual([0, 1]);
    store.close();
  }, 120_000);
});
