/**
 * A long write as a series of short transactions, so another process (a training worker
 * flushing metrics, the UI) never waits long for the write lock: each chunk holds the lock for
 * about `budgetMs`, then commits and pauses for `pauseMs` so a waiting writer's busy handler
 * can take its turn. The caller makes the whole logically atomic itself (bundle imports stage
 * their rows invisibly and publish them in one short final transaction).
 */
import type Database from 'better-sqlite3';
import { sleepSync } from './busy-retry';

export interface ChunkOptions {
  /** Longest time one chunk holds the write lock (default 200 ms). */
  budgetMs?: number;
  /** Pause between chunks (default 50 ms). */
  pauseMs?: number;
  /** Told how long each committed chunk held the lock (tests, logs). */
  onCommit?: (heldMs: number) => void;
  now?: () => number;
}

export class ChunkedWrites {
  private began = -1;
  private readonly budgetMs: number;
  private readonly pauseMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Database.Database,
    /** The store's busy retry: beginning a chunk waits for the lock like any write. */
    private readonly retry: <T>(fn: () => T) => T,
    private readonly opts: ChunkOptions = {},
  ) {
    this.budgetMs = opts.budgetMs ?? 200;
    this.pauseMs = opts.pauseMs ?? 50;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Runs `fn` inside the current chunk (beginning one if needed); commits when the chunk is due. */
  run<T>(fn: () => T): T {
    if (this.began < 0) {
      this.retry(() => this.db.exec('BEGIN IMMEDIATE'));
      this.began = this.now();
    }
    const out = fn();
    if (this.now() - this.began >= this.budgetMs) {
      this.commit();
      sleepSync(this.pauseMs);
    }
    return out;
  }

  /** Commits the open chunk, if any. */
  commit(): void {
    if (this.began < 0) return;
    this.db.exec('COMMIT');
    this.opts.onCommit?.(this.now() - this.began);
    this.began = -1;
  }

  /** Rolls back the open chunk, if any (earlier chunks stay committed). */
  rollback(): void {
    if (this.began < 0) return;
    this.began = -1;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }
}
