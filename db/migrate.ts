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

/**
 * Applies every migration newer than the file's version, in order. Returns the versions applied.
 * Throws SchemaTooNewError for files written by a newer build, MigrationError when one fails.
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

  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    const step = db.transaction((): boolean => {
      // Another process may have migrated while we waited for the write lock.
      if (schemaVersion(db) >= m.version) return false;
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
      m.up(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        now(),
      );
      // PRAGMA does not take bound parameters; version is an integer we control.
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
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
