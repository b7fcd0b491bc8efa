import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate } from '../../db/migrate';
import { openStore, type Store } from '../../db/store';
import { MIGRATIONS, SCHEMA_VERSION } from '../../db/schema';
import { openTemp, populate, tempDir, type TempDir } from './helpers';

describe('saved comparisons table', () => {
  let t: TempDir;
  let store: Store | undefined;
  afterEach(() => {
    store?.close();
    t?.cleanup();
  });

  it('links experiments in order, never reuses a deleted id, and empties a deleted experiment’s link', () => {
    t = tempDir();
    store = openTemp(t);
    const { experimentIds } = populate(store);
    const [e1, e2] = experimentIds;
    const c1 = store.comparisons.create({
      name: 'a vs b',
      experimentIds: [e2, e1],
      options: { seed: 3 },
      snapshot: { experiments: [{ name: 'B' }, { name: 'A' }] },
      format: 1,
    });
    expect(c1.experimentIds).toEqual([e2, e1]);
    expect(c1.experimentUids.every((u) => u.length > 0)).toBe(true);
    expect(() =>
      store!.comparisons.create({
        name: 'x',
        experimentIds: [e1, 9999],
        options: {},
        snapshot: {},
        format: 1,
      }),
    ).toThrow(/9999 does not exist/);
    expect(store.comparisons.list().map((c) => c.id)).toEqual([c1.id]); // the failed one left nothing

    // Deleting the newest comparison does not hand its id out again.
    store.comparisons.delete(c1.id);
    const c2 = store.comparisons.create({
      name: 'again',
      experimentIds: [e1],
      options: {},
      snapshot: {},
      format: 1,
    });
    expect(c2.id).toBeGreaterThan(c1.id);

    // Deleting an experiment keeps the comparison, with that link empty but its uid kept.
    const uid = c2.experimentUids[0];
    store.experiments.delete(e1);
    const after = store.comparisons.get(c2.id)!;
    expect(after.experimentIds).toEqual([null]);
    expect(after.experimentUids).toEqual([uid]);
    expect(store.integrityCheck()).toEqual(['ok']);
  });

  it('moves comparisons saved as analysis rows by an earlier version into the table', () => {
    t = tempDir();
    const file = t.file('lab.db');
    // A store as version 1 left it: two experiments and a comparison saved as an analysis row.
    const v1 = new Database(file);
    migrate(v1, MIGRATIONS.slice(0, 1));
    const exp = v1.prepare(
      "INSERT INTO experiments (uid, name, spec, created_at) VALUES (?, ?, '{}', 1) RETURNING id",
    );
    const experimentIds = ['u1', 'u2'].map((u) => (exp.get(u, u) as { id: number }).id);
    const params = JSON.stringify({
      view: 'comparison',
      name: ' old one ',
      experimentIds,
      format: 1,
    });
    const result = JSON.stringify({ options: { level: 0.9 }, comparison: { experimentIds } });
    const id = v1
      .prepare(
        "INSERT INTO analyses (experiment_id, kind, params, result, created_at) VALUES (NULL, 'comparison', ?, ?, 5) RETURNING id",
      )
      .pluck()
      .get(params, result) as number;
    v1.close();

    store = openStore(file);
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(store.comparisons.list()).toEqual([
      {
        id,
        name: 'old one',
        experimentIds,
        experimentUids: ['u1', 'u2'],
        options: { level: 0.9 },
        snapshot: { experimentIds },
        format: 1,
        createdAt: 5,
      },
    ]);
    expect(store.analyses.list({ kind: 'comparison' })).toEqual([]);
    expect(store.integrityCheck()).toEqual(['ok']);
  });
});
