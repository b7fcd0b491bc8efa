/**
 * Versioned, transactional migrations.
 *
 * The current version is `PRAGMA user_version` (stored in the database header, so it changes
 * atomically with the transaction that bumps it). Each pending migration runs in its own
 * transaction together with the version bump and a `schema_migrations` row: a migration that
 * throws midway rolls back completely and leaves the store at the previous version.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up: (db: Database.Database) => void;
}

export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `this store has schema version ${found}, newer than the ${supported} this build of Homolab ` +
        `understands; open it with a newer Homolab`,
    );
    this.name = 'SchemaTooNewError';
  }
}

export class MigrationError extends Error {
  constructor(
    readonly version: number,
    readonly migrationName: string,
    override readonly cause: unknown,
  ) {
    super(
      `migration ${version} (${migrationName}) failed and was rolled back: ` +
        `${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'MigrationError';
  }
}

/** The schema version recorded in the file (0 for a new, empty file). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Versions recorded in `schema_migrations`, or null when the table does not exist yet. */
function recordedVersions(db: Database.Database): Set<number> | null {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return null;
  const rows = db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[];
  return new Set(rows);
}

/**
 * Applies, in order, every migration the file has not had: those newer than its version, and a
 * lower one it never recorded (branches developed side by side can land a lower version after a
 * higher one: a store already at the higher version still gets it). Returns the versions
 * applied. Throws SchemaTooNewError for files written by a newer build, MigrationError when one
 * fails.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  now: () => number = Date.now,
): number[] {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version <= migrations[i - 1].version)
      throw new Error('migrations must be sorted by strictly increasing version');
  }
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const current = schemaVersion(db);
  if (current > latest) throw new SchemaTooNewError(current, latest);

  const recorded = recordedVersions(db);
  /** Done: recorded (or, in a file without the record, at or below its version). */
  const done = (version: number, rec: Set<number> | null, at: number) =>
    rec ? rec.has(version) : version <= at;
  const applied: number[] = [];
  for (const m of migrations) {
    if (done(m.version, recorded, current)) continue;
    const step = db.transaction((): boolean => {
      // Another process may have migrated while we waited for the write lock.
      if (done(m.version, recordedVersions(db), schemaVersion(db))) return false;
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
      m.up(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        now(),
      );
      // PRAGMA does not take bound parameters; version is an integer we control. A lower
      // version applied late leaves the file's (higher) version as it is.
      db.pragma(`user_version = ${Math.trunc(Math.max(m.version, schemaVersion(db)))}`);
      return true;
    });
    let ran: boolean;
    try {
      // IMMEDIATE: take the write lock up front so two processes cannot migrate concurrently.
      ran = step.immediate();
    } catch (err) {
      throw new MigrationError(m.version, m.name, err);
    }
    if (ran) applied.push(m.version);
  }
  return applied;
}
