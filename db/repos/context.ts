/** What every repository gets: the connection, the clock and the busy-retry wrapper. */
import type Database from 'better-sqlite3';

export interface RepoContext {
  db: Database.Database;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now: () => number;
  /**
   * Runs one write (a statement or a whole transaction) and re-runs it while another process
   * holds the write lock (db/busy-retry.ts). Every write of a repository goes through it.
   */
  retry: <T>(fn: () => T) => T;
}
