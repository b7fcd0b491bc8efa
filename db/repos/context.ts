/** What every repository gets: the connection and the clock. */
import type Database from 'better-sqlite3';

export interface RepoContext {
  db: Database.Database;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now: () => number;
}
