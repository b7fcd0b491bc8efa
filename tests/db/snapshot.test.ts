import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { exportBundle } from '../../db/bundle/export';
import { importBundle } from '../../db/bundle/import';
import { exportCsv } from '../../db/export/csv';
import { openStore } from '../../db/store';
import { parseCsv } from './csv-parse';
import { dumpStore, populate, tempDir, type TempDir } from './helpers';

let t: TempDir;
afterEach(() => t?.cleanup());

describe('export snapshots', () => {
  it('an export sees the store as it was when it started, while writes continue', async () => {
    t = tempDir();
    const s = openStore(t.file('live.db'));
    const e = s.experiments.create({ name: 'e', spec: {} });
    const r = s.runs.create({
      experimentId: e.id,
      name: 'r',
      variant: {},
      initSeed: 1,
      dataSeed: 1,
    });
    s.metrics.insert(
      Array.from({ length: 50_000 }, (_, i) => ({
        runId: r.id,
        name: 'loss',
        step: i,
        tokens: i,
        wallMs: i,
        value: i,
      })),
    );
    const pending = exportCsv(s, t.file('snap.csv'), { progressEvery: 1000 });
    // The export yields every 1,000 rows; these writes land while it is in progress.
    let wrote = 0;
    const writer = (async () => {
      for (let k = 0; k < 20; k++) {
        await new Promise((res) => setImmediate(res));
        s.metrics.insert([
          { runId: r.id, name: 'loss', step: 50_000 + k, tokens: 0, wallMs: 0, value: 0 },
        ]);
        wrote++;
      }
    })();
    const res = await pending;
    await writer;
    expect(wrote).toBe(20);
    expect(res.rows).toBe(50_000);
    expect(parseCsv(readFileSync(t.file('snap.csv'), 'utf8')).length).toBe(50_001);
    expect(s.metrics.count(r.id)).toBe(50_020);
    s.close();
  });

  it('exports and imports work on an in-memory store too', async () => {
    t = tempDir();
    const mem = openStore(':memory:');
    populate(mem);
    await exportBundle(mem, t.file('mem.json'));
    const res = await exportCsv(mem, t.file('mem.csv'));
    expect(res.rows).toBeGreaterThan(500);
    const other = openStore(':memory:');
    importBundle(other, t.file('mem.json'));
    expect(other.metrics.count()).toBe(mem.metrics.count());
    expect(dumpStore(other).length).toBeGreaterThan(0);
    mem.close();
    other.close();
  });
});
