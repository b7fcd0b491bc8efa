/**
 * A consistent, non-blocking read view for exports.
 *
 * Exports stream millions of rows. They read through a second, read-only connection holding
 * one read transaction: under WAL that is a snapshot (writers continue; the export sees the
 * state at its start), and the store's own connection stays free while the export yields to the
 * event loop between chunks. In-memory stores have no file to reopen; they are read through
 * the store's connection without yielding.
 */
import Database from 'better-sqlite3';
import type { Store } from '../store';

export interface ExportScope {
  /** Experiments to include (default: all). */
  experimentIds?: number[];
  /** Restrict to these runs (within the experiments). */
  runIds?: number[];
}

export interface Snapshot {
  db: Database.Database;
  /** Whether awaiting between chunks is safe (a private connection). */
  canYield: boolean;
  /** Experiment ids and run ids in scope, ascending. */
  experimentIds: number[];
  runIds: number[];
  close(): void;
}

export function isMemoryPath(path: string): boolean {
  return path === ':memory:' || path === '' || path.startsWith('file::memory:');
}

export function openSnapshot(store: Store, scope: ExportScope = {}): Snapshot {
  const own = !isMemoryPath(store.path);
  const db = own ? new Database(store.path, { readonly: true, fileMustExist: true }) : store.db;
  if (own) {
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN');
  }
  try {
    // The first read starts the snapshot.
    let experimentIds = db
      .prepare('SELECT id FROM experiments WHERE staging IS NULL ORDER BY id')
      .pluck()
      .all() as number[];
    if (scope.experimentIds) {
      const want = new Set(scope.experimentIds);
      for (const id of want)
        if (!experimentIds.includes(id)) throw new Error(`export: experiment ${id} not found`);
      experimentIds = experimentIds.filter((id) => want.has(id));
    }
    const expSet = new Set(experimentIds);
    let runIds = (
      db.prepare('SELECT id, experiment_id FROM runs ORDER BY id').raw().all() as [number, number][]
    )
      .filter(([, e]) => expSet.has(e))
      .map(([id]) => id);
    if (scope.runIds) {
      const want = new Set(scope.runIds);
      for (const id of want)
        if (!runIds.includes(id)) throw new Error(`export: run ${id} not found in scope`);
      runIds = runIds.filter((id) => want.has(id));
    }
    return {
      db,
      canYield: own,
      experimentIds,
      runIds,
      close() {
        if (own && db.open) {
          if (db.inTransaction) db.exec('COMMIT');
          db.close();
        }
      },
    };
  } catch (err) {
    if (own) db.close();
    throw err;
  }
}

/** Lets the event loop run (progress events, IPC) during a long export. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
