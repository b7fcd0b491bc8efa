/**
 * Lock contention is normal, not fatal. SQLite allows one writer at a time; the training
 * worker, the UI process and a CLI import share one file, so a writer can find the lock taken.
 * `busy_timeout` makes SQLite itself wait a while; past that it answers SQLITE_BUSY (or
 * SQLITE_BUSY_SNAPSHOT at once, for a read transaction that tries to write over a stale
 * snapshot). Every top-level write of the store goes through `retryBusy`, which rolls nothing
 * forward itself: it re-runs the whole statement or transaction (each attempt is atomic, so a
 * re-run is safe) with backoff, for as long as a live writer's run would be considered alive
 * (`DEFAULT_BUSY_RETRY_MS`, the same 15 min after which recovery may call a silent run's owner
 * gone). Only then does it give up, with a `StoreBusyError` that callers treat as transient
 * (runs become `interrupted`, resumable).
 */
import type Database from 'better-sqlite3';

/** How long a writer keeps retrying a locked store by default (ms). */
export const DEFAULT_BUSY_RETRY_MS = 15 * 60_000;

export interface BusyRetryPolicy {
  /** Give up after this long (ms). */
  maxWaitMs: number;
  /** Called before each wait (logging); `waitedMs` so far. */
  onWait?: (info: { attempt: number; waitedMs: number; error: Error }) => void;
  /** Clock and sleep; tests inject them. */
  now?: () => number;
  sleep?: (ms: number) => void;
}

/** The store stayed locked by another process for longer than the retry window. */
export class StoreBusyError extends Error {
  constructor(
    readonly waitedMs: number,
    override readonly cause: unknown,
  ) {
    super(
      `the store stayed locked by another process for ${Math.round(waitedMs / 1000)} s ` +
        `(${(cause as Error)?.message ?? String(cause)}); nothing was lost: try again, or resume ` +
        'the runs when the other process is done',
    );
    this.name = 'StoreBusyError';
  }
}

/** SQLITE_BUSY and SQLITE_LOCKED with any extended code (…_SNAPSHOT, …_RECOVERY, …). */
export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code);
}

/** True for errors that waiting would fix: a busy store, now or after the retry window. */
export function isTransientStoreError(err: unknown): boolean {
  return (
    err instanceof StoreBusyError ||
    (err as Error)?.name === 'StoreBusyError' ||
    isBusyError(err) ||
    /database is locked|database table is locked/i.test((err as Error)?.message ?? '')
  );
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this thread for `ms` (the store's API is synchronous, as better-sqlite3's is). */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Runs `fn` (one statement or one whole transaction), re-running it while it fails with a busy
 * or locked error, with exponential backoff (5 ms doubling to 1 s, jittered) up to
 * `policy.maxWaitMs`. Inside an open transaction `fn` runs once: the outer transaction owns the
 * retry (a nested attempt cannot recover a lock the outer one lacks).
 */
export function retryBusy<T>(db: Database.Database, fn: () => T, policy: BusyRetryPolicy): T {
  if (db.inTransaction) return fn();
  const now = policy.now ?? Date.now;
  const sleep = policy.sleep ?? sleepSync;
  const start = now();
  let delay = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      if (!isBusyError(err)) throw err;
      const waitedMs = now() - start;
      if (waitedMs >= policy.maxWaitMs) throw new StoreBusyError(waitedMs, err);
      policy.onWait?.({ attempt, waitedMs, error: err as Error });
      sleep(Math.min(policy.maxWaitMs - waitedMs, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, 1000);
    }
  }
}
