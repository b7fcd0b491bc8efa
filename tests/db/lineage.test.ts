/**
 * Run lineage (schema v3): a v1 store whose fine-tune runs kept their parent only in the
 * variant JSON is migrated to the parent columns; the foreign key leaves a child when its
 * parent is deleted; a bundle import re-links children to their parent by uid.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { exportBundle } from '../../db/bundle/export';
import { importBundle } from '../../db/bundle/import';
import Database from 'better-sqlite3';
import { migrate } from '../../db/migrate';
import { MIGRATIONS } from '../../db/schema';
import { openStore } from '../../db/store';
import { tempDir, type TempDir } from './helpers';

let t: TempDir;
afterEach(() => t?.cleanup());

/** A variant as the spec code stores it (bundles check its shape). */
const VARIANT = {
  index: 0,
  axes: {},
  model: { contextLength: 8, dModel: 16, nHeads: 2, nLayers: 1, dFF: 32 },
  training: { steps: 1, batchSize: 4 },
};

const run = (experimentId: number, name: string, variant = {}) => ({
  experimentId,
  name,
  variant: { ...VARIANT, ...variant },
  initSeed: 0,
  dataSeed: 0,
});

describe('run lineage', () => {
  it('v3 copies variant.parent into the parent columns of a v1 store', () => {
    t = tempDir();
    // A v1 store (no parent columns), written as v1 code wrote it.
    const v1 = new Database(t.file('old.db'));
    migrate(
      v1,
      MIGRATIONS.filter((m) => m.version === 1),
    );
    const e = {
      id: Number(
        v1
          .prepare(
            `INSERT INTO experiments (uid, name, spec, created_at) VALUES ('e', 'e', '{}', 0)`,
          )
          .run().lastInsertRowid,
      ),
    };
    const insert = v1.prepare(
      `INSERT INTO runs (uid, experiment_id, name, variant, init_seed, data_seed, status, created_at)
       VALUES (?, ?, ?, ?, 0, 0, 'queued', 0)`,
    );
    const add = (uid: string, variant: object) => ({
      id: Number(insert.run(uid, e.id, uid, JSON.stringify(variant)).lastInsertRowid),
      uid,
    });
    const parent = add('p', {});
    const child = add('c', { parent: { runId: parent.id, runUid: parent.uid, step: 6 } });
    const orphan = add('o', { parent: { runId: 999, runUid: 'x', step: 1 } });
    v1.close();
    const s = openStore(t.file('old.db'));
    expect(s.runs.require(child.id)).toMatchObject({ parentRunId: parent.id, parentStep: 6 });
    expect(s.runs.require(orphan.id)).toMatchObject({ parentRunId: null, parentStep: null });
    expect(s.runs.listChildren(parent.id).map((r) => r.id)).toEqual([child.id]);
    // Deleting the parent keeps the child (its variant JSON still names the parent's uid).
    s.runs.delete(parent.id);
    expect(s.runs.require(child.id).parentRunId).toBeNull();
    s.close();
  });

  it('a bundle import re-links a fine-tune to its parent by uid', async () => {
    t = tempDir();
    const a = openStore(t.file('a.db'));
    const e = a.experiments.create({ name: 'e', spec: {} });
    const parent = a.runs.create(run(e.id, 'base'));
    const child = a.runs.create({
      ...run(e.id, 'ft', { parent: { runId: parent.id, runUid: parent.uid, step: 3 } }),
      parent: { runId: parent.id, step: 3 },
    });
    const file = t.file('bundle.json');
    await exportBundle(a, file);
    a.close();
    const b = openStore(t.file('b.db'));
    const other = b.experiments.create({ name: 'shifts ids', spec: {} });
    b.runs.create(run(other.id, 'x'));
    importBundle(b, file);
    const p2 = b.runs.getByUid(parent.uid)!;
    const c2 = b.runs.getByUid(child.uid)!;
    expect(p2.id).not.toBe(parent.id);
    expect(c2).toMatchObject({ parentRunId: p2.id, parentStep: 3 });
    b.close();
  });
});
