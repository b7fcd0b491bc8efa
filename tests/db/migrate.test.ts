import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MigrationError, SchemaTooNewError, type Migration } from '../../db/migrate';
import { MIGRATIONS, SCHEMA_VERSION } from '../../db/schema';
import { openStore } from '../../db/store';
import { tempDir, type TempDir } from './helpers';

let t: TempDir;
afterEach(() => t?.cleanup());

const tables = (file: string): string[] => {
  const db = new Database(file, { readonly: true });
  const names = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  db.close();
  return names;
};

describe('migrations', () => {
  it('creates the schema at the latest version, with settings, and reopens idempotently', () => {
    t = tempDir();
    const s = openStore(t.file('a.db'));
    expect(s.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(s.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(s.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    const applied = s.db.prepare('SELECT version FROM schema_migrations').pluck().all();
    expect(applied).toEqual(MIGRATIONS.map((m) => m.version));
    s.close();
    const again = openStore(t.file('a.db'));
    expect(again.schemaVersion()).toBe(SCHEMA_VERSION);
    again.close();
    expect(tables(t.file('a.db'))).toEqual(
      expect.arrayContaining([
        'experiments',
        'datasets',
        'runs',
        'metrics',
        'checkpoints',
        'analyses',
        'samples',
        'imports',
      ]),
    );
  });

  it('a migration failing midway leaves the previous version and data intact', () => {
    t = tempDir();
    const file = t.file('b.db');
    const s = openStore(file);
    const e = s.experiments.create({ name: 'keep me', spec: {} });
    s.close();
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 1,
        name: 'half-done',
        up: (db) => {
          db.exec('CREATE TABLE widgets (id INTEGER PRIMARY KEY)');
          db.exec("UPDATE experiments SET name = 'changed'");
          throw new Error('disk on fire');
        },
      },
    ];
    expect(() => openStore(file, { migrations: broken })).toThrow(MigrationError);
    expect(() => openStore(file, { migrations: broken })).toThrow(
      new RegExp(
        `migration ${SCHEMA_VERSION + 1} \\(half-done\\) failed and was rolled back: disk on fire`,
      ),
    );
    expect(tables(file)).not.toContain('widgets');
    const after = openStore(file);
    expect(after.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(after.experiments.require(e.id).name).toBe('keep me');
    after.close();

    // The fixed migration then applies.
    const fixed: Migration[] = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 1,
        name: 'widgets',
        up: (db) => db.exec('CREATE TABLE widgets (id INTEGER PRIMARY KEY)'),
      },
    ];
    const up = openStore(file, { migrations: fixed });
    expect(up.schemaVersion()).toBe(SCHEMA_VERSION + 1);
    up.close();
    expect(tables(file)).toContain('widgets');
    // And an older build refuses the newer file instead of corrupting it.
    expect(() => openStore(file)).toThrow(SchemaTooNewError);
  });

  it('applies a lower version that landed after a higher one to a store already past it', () => {
    t = tempDir();
    const file = t.file('late.db');
    // A store migrated by a build without v4 (its v5 applied)…
    const db = new Database(file);
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version !== 4),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.prepare(
      "INSERT INTO experiments (uid, name, spec, created_at) VALUES ('u1', 'kept', '{}', 0)",
    ).run();
    db.close();
    const e = { id: 1 };
    // …opened by a build with it: v4 runs, the version stays, the data stays.
    const up = openStore(file);
    expect(up.schemaVersion()).toBe(SCHEMA_VERSION);
    const r = up.runs.create({
      experimentId: e.id,
      name: 'r',
      variant: {},
      initSeed: 0,
      dataSeed: 0,
    });
    expect(up.runs.annotate(r.id, { tags: ['late'] }).tags).toEqual(['late']);
    expect(up.experiments.require(e.id).name).toBe('kept');
    up.close();
    // And nothing runs twice.
    const again = openStore(file);
    again.close();
  });
});
