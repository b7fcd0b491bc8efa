/**
 * Two processes' first jobs record the same dataset at the same moment (a pool of workers
 * starting together on a fresh store). `datasets.ensure` must take the write lock up front: a
 * deferred transaction that read first and then inserts fails with SQLITE_BUSY ("database is
 * locked", no busy wait) when the other connection committed in between.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store';
import { bundleFixture } from '../bundle-fixture';
import { tempDir } from './helpers';

const here = dirname(fileURLToPath(import.meta.url));
const t = tempDir('homolab-ensure-');
afterAll(() => t.cleanup());

describe('datasets.ensure from two connections at once', () => {
  it('records each dataset once, without a busy error', async () => {
    const script = await bundleFixture(join(here, 'fixtures', 'ensure-racer.ts'), 'ensure-racer');
    const dbPath = t.file('lab.db');
    openStore(dbPath).close();
    const rounds = 300;
    const shared = new SharedArrayBuffer(12);
    const race = (me: number) =>
      new Promise<string>((resolve, reject) => {
        const w = new Worker(script, { workerData: { dbPath, rounds, shared, me } });
        w.once('message', resolve);
        w.once('error', reject);
      });
    const results = await Promise.all([race(0), race(1)]);
    rmSync(script);
    expect(results).toEqual(['ok', 'ok']);
    // One row per dataset: ensuring one again finds it (ids 1..rounds).
    const store = openStore(dbPath);
    for (let i = 0; i < rounds; i += 50)
      expect(
        store.datasets.ensure({
          kind: 'synthetic',
          params: { round: i },
          contentHash: `hash-${i}`,
          tokenizer: { kind: 'char' },
        }).id,
      ).toBeLessThanOrEqual(rounds);
    store.close();
  }, 120_000);
});
