/**
 * Opening the lab store: one SQLite file, WAL, durable commits, migrations, crash recovery.
 *
 * Durability: `journal_mode=WAL` with `synchronous=FULL`, so every committed transaction
 * (a metrics batch, a checkpoint, a run-state change) is fsynced before commit returns and
 * survives a process kill or power loss. Foreign keys are on; `busy_timeout` lets a second
 * process (UI and training worker) wait for the single writer, and every write is retried
 * with backoff past that (busy-retry.ts), so lock contention never fails a writer.
 */
import Database from 'better-sqlite3';
import { backupStore, type BackupOptions } from './backup';
import { DEFAULT_BUSY_RETRY_MS, retryBusy, type BusyRetryPolicy } from './busy-retry';
import { migrate, schemaVersion, type Migration } from './migrate';
import { createAnalysesRepo, type AnalysesRepo } from './repos/analyses';
import { createCheckpointsRepo, type CheckpointsRepo } from './repos/checkpoints';
import { createComparisonsRepo, type ComparisonsRepo } from './repos/comparisons';
import type { RepoContext } from './repos/context';
import { createDatasetsRepo, type DatasetsRepo } from './repos/datasets';
import { createExperimentsRepo, type ExperimentsRepo } from './repos/experiments';
import { createMetricsRepo, type MetricsRepo } from './repos/metrics';
import {
  createRunsRepo,
  type RecoverOptions,
  type RecoveredRun,
  type RunsRepo,
} from './repos/runs';
import { createSamplesRepo, type SamplesRepo } from './repos/samples';
import { MIGRATIONS } from './schema';
import { discardAbandonedStaging } from './import-staging';
import type { Checkpoint, RunRow } from './types';
import { InvalidTransitionError } from './errors';

export interface OpenStoreOptions {
  /** Open read-only (no migrations, no recovery). The file must exist and be up to date. */
  readonly?: boolean;
  /**
   * Mark runs left 'running' by a dead or silent owner as 'interrupted' on open
   * (default true). Pass options to tune staleness.
   */
  recover?: boolean | RecoverOptions;
  /**
   * How long SQLite itself waits for another process's write lock per attempt (default
   * 5,000 ms); past that the write is retried (see `busyRetryMs`).
   */
  busyTimeoutMs?: number;
  /** How long a write keeps retrying a locked store in all (default 15 min). */
  busyRetryMs?: number;
  /** Told about each wait for the lock (e.g. to log it). */
  onBusyWait?: BusyRetryPolicy['onWait'];
  /** Clock (ms since epoch); tests inject one. */
  now?: () => number;
  /** Replace the schema's migrations (tests of the migration machinery only). */
  migrations?: readonly Migration[];
}

export interface ResumeResult {
  run: RunRow;
  /** The checkpoint to restore, or null to start from scratch. */
  checkpoint: Checkpoint | null;
  /** Metric rows discarded because they were logged after the checkpoint. */
  discardedMetrics: number;
}

export interface Store {
  readonly path: string;
  readonly readonly: boolean;
  readonly experiments: ExperimentsRepo;
  readonly datasets: DatasetsRepo;
  readonly runs: RunsRepo;
  readonly metrics: MetricsRepo;
  readonly checkpoints: CheckpointsRepo;
  readonly analyses: AnalysesRepo;
  readonly samples: SamplesRepo;
  readonly comparisons: ComparisonsRepo;
  /** Runs that recovery marked 'interrupted' when this store was opened. */
  readonly recovered: readonly RecoveredRun[];
  /** Staged imports of dead processes whose rows were removed when this store was opened. */
  readonly abandonedImports: readonly string[];
  /** Runs `fn` in one (nested-safe) transaction. */
  transaction<T>(fn: () => T): T;
  /** The schema version of the file. */
  schemaVersion(): number;
  /**
   * Prepares an interrupted (or queued) run to continue, in one transaction: finds its latest
   * checkpoint, discards metrics, samples and checkpoints logged after that step (all of them
   * if there is no checkpoint), and moves the run to 'running' owned by `pid`. The caller then
   * restores weights, optimizer, data cursor and RNG from `checkpoint` and trains from
   * `checkpoint.step + 1`.
   */
  resumeRun(runId: number, opts?: { pid?: number }): ResumeResult;
  /** `PRAGMA integrity_check` messages; `['ok']` when healthy. */
  integrityCheck(): string[];
  /** Folds the WAL into the main file and truncates it (e.g. before copying the file). */
  checkpointWal(): void;
  /** Online copy of the open store via SQLite's backup API, written atomically to `dest`. */
  backup(dest: string, opts?: BackupOptions): Promise<void>;
  close(): void;
  /** The underlying connection: for code inside db/ only. */
  readonly db: Database.Database;
  /** Runs one write with the store's busy retry (busy-retry.ts): for code inside db/ only. */
  retry<T>(fn: () => T): T;
}

/** Opens (creating if needed) and migrates the store at `path`. */
export function openStore(path: string, opts: OpenStoreOptions = {}): Store {
  const readonly = opts.readonly ?? false;
  const db = new Database(path, { readonly, fileMustExist: readonly });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5000))}`);
    if (!readonly) {
      db.pragma('journal_mode = WAL');
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -32000'); // 32 MB page cache
    const migrations = opts.migrations ?? MIGRATIONS;
    if (!readonly) migrate(db, migrations, opts.now);
    else {
      const latest = migrations[migrations.length - 1]?.version ?? 0;
      if (schemaVersion(db) !== latest)
        throw new Error(
          `read-only store has schema ${schemaVersion(db)}, this build needs ${latest}`,
        );
    }
  } catch (err) {
    db.close();
    throw err;
  }

  const policy: BusyRetryPolicy = {
    maxWaitMs: opts.busyRetryMs ?? DEFAULT_BUSY_RETRY_MS,
    onWait: opts.onBusyWait,
  };
  const retry = <T>(fn: () => T): T => retryBusy(db, fn, policy);
  const ctx: RepoContext = { db, now: opts.now ?? Date.now, retry };
  const experiments = createExperimentsRepo(ctx);
  const datasets = createDatasetsRepo(ctx);
  const runs = createRunsRepo(ctx);
  const metrics = createMetricsRepo(ctx);
  const checkpoints = createCheckpointsRepo(ctx);
  const analyses = createAnalysesRepo(ctx);
  const samples = createSamplesRepo(ctx);
  const comparisons = createComparisonsRepo(ctx);

  const recoverOpt = opts.recover ?? true;
  const recovered =
    !readonly && recoverOpt !== false
      ? runs.recoverStale(recoverOpt === true ? {} : recoverOpt)
      : [];
  const abandonedImports = readonly ? [] : discardAbandonedStaging(db, retry, ctx.now());

  const store: Store = {
    path,
    readonly,
    experiments,
    datasets,
    runs,
    metrics,
    checkpoints,
    analyses,
    samples,
    comparisons,
    recovered,
    abandonedImports,
    db,
    retry,
    transaction(fn) {
      return retry(() => db.transaction(fn).immediate());
    },
    schemaVersion: () => schemaVersion(db),
    resumeRun(runId, o = {}) {
      return retry(() =>
        db
          .transaction((): ResumeResult => {
            const run = runs.require(runId);
            if (run.status !== 'interrupted' && run.status !== 'queued')
              throw new InvalidTransitionError(runId, run.status, 'running');
            const checkpoint = checkpoints.latest(runId);
            const after = checkpoint ? checkpoint.step : Number.MIN_SAFE_INTEGER;
            const discardedMetrics = metrics.discardAfter(runId, after);
            samples.discardAfter(runId, after);
            checkpoints.discardAfter(runId, after);
            return { run: runs.start(runId, { pid: o.pid }), checkpoint, discardedMetrics };
          })
          .immediate(),
      );
    },
    integrityCheck() {
      return (db.pragma('integrity_check') as { integrity_check: string }[]).map(
        (r) => r.integrity_check,
      );
    },
    checkpointWal() {
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    backup(dest, o) {
      return backupStore(db, dest, o);
    },
    close() {
      if (db.open) db.close();
    },
  };
  return store;
}
