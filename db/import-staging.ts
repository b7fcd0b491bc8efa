/**
 * Staged imports (schema v5): an import writes its experiments with `staging = <id>` (invisible
 * to every reader) in short chunks, then publishes them in one short transaction. The
 * `import_staging` row says which process is writing; if that process dies, the next open of
 * the store removes the staged rows (in chunks as well), so an import is all or nothing.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { ChunkedWrites, type ChunkOptions } from './chunked-writes';
import { processAlive } from './lifecycle';

/** A staged import whose owner has been silent this long (other host) is abandoned. */
export const STAGING_STALE_MS = 10 * 60_000;

type Retry = <T>(fn: () => T) => T;

/** Registers a new staged import owned by this process; returns its id. */
export function beginStaging(db: Database.Database, retry: Retry, source: string, now: number) {
  const id = randomUUID();
  retry(() =>
    db
      .prepare(
        `INSERT INTO import_staging (id, source, owner_pid, owner_host, started_at, heartbeat_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(id, source, process.pid, hostname(), now, now),
  );
  return id;
}

/** Records that the import is alive (call inside a chunk). */
export function touchStaging(db: Database.Database, id: string, now: number): void {
  db.prepare('UPDATE import_staging SET heartbeat_at = ? WHERE id = ?').run(now, id);
}

/** Makes the staged rows visible; call inside the import's final transaction. */
export function publishStaging(db: Database.Database, id: string): void {
  db.prepare('UPDATE experiments SET staging = NULL WHERE staging = ?').run(id);
  db.prepare('DELETE FROM import_staging WHERE id = ?').run(id);
}

/** Deletes everything staged under `id`, a bounded number of rows per chunk. */
export function discardStaging(
  db: Database.Database,
  retry: Retry,
  id: string,
  chunk: ChunkOptions = {},
): void {
  const writes = new ChunkedWrites(db, retry, chunk);
  const runIds = db
    .prepare(
      `SELECT r.id FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE e.staging = ?`,
    )
    .pluck()
    .all(id) as number[];
  const batches: [Database.Statement, unknown[]][] = [];
  for (const run of runIds) {
    batches.push(
      [
        db.prepare(
          `DELETE FROM metrics WHERE (run_id, name_id, step) IN
             (SELECT run_id, name_id, step FROM metrics WHERE run_id = ? LIMIT 5000)`,
        ),
        [run],
      ],
      [
        db.prepare(
          'DELETE FROM checkpoints WHERE id IN (SELECT id FROM checkpoints WHERE run_id = ? LIMIT 4)',
        ),
        [run],
      ],
      [
        db.prepare(
          'DELETE FROM samples WHERE id IN (SELECT id FROM samples WHERE run_id = ? LIMIT 5000)',
        ),
        [run],
      ],
      [
        db.prepare(
          `DELETE FROM analyses WHERE id IN
             (SELECT analysis_id FROM analysis_runs WHERE run_id = ? LIMIT 200)`,
        ),
        [run],
      ],
    );
  }
  try {
    for (const [stmt, args] of batches) {
      let deleted = 1;
      while (deleted > 0) deleted = writes.run(() => stmt.run(...args).changes);
    }
    writes.run(() => {
      db.prepare(
        `DELETE FROM analyses WHERE experiment_id IN (SELECT id FROM experiments WHERE staging = ?)`,
      ).run(id);
      db.prepare('DELETE FROM experiments WHERE staging = ?').run(id);
      db.prepare('DELETE FROM import_staging WHERE id = ?').run(id);
    });
    writes.commit();
  } catch (err) {
    writes.rollback();
    throw err;
  }
}

/**
 * Removes the staged rows of imports whose owner is gone (dead pid on this host, or silent for
 * `STAGING_STALE_MS` elsewhere). Returns the staging ids removed.
 */
export function discardAbandonedStaging(
  db: Database.Database,
  retry: Retry,
  now: number,
  isAlive: (pid: number) => boolean = processAlive,
): string[] {
  const host = hostname();
  const rows = db
    .prepare('SELECT id, owner_pid, owner_host, heartbeat_at FROM import_staging')
    .all() as { id: string; owner_pid: number; owner_host: string; heartbeat_at: number }[];
  const gone = rows.filter((r) =>
    r.owner_host === host
      ? r.owner_pid !== process.pid && !isAlive(r.owner_pid)
      : now - r.heartbeat_at > STAGING_STALE_MS,
  );
  for (const r of gone) discardStaging(db, retry, r.id);
  return gone.map((r) => r.id);
}
