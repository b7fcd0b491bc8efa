/** Runs and their lifecycle (see ../lifecycle.ts), including the heartbeat and crash recovery. */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidTransitionError, NotFoundError } from '../errors';
import { fromJsonText, toJsonText } from '../json';
import { canTransition, processAlive } from '../lifecycle';
import type { JsonObject, RunInput, RunParent, RunRow, RunStatus } from '../types';
import type { RepoContext } from './context';

interface Raw {
  id: number;
  uid: string;
  experiment_id: number;
  dataset_id: number | null;
  name: string;
  variant: string;
  init_seed: number;
  data_seed: number;
  backend: string;
  device: string;
  versions: string;
  status: RunStatus;
  status_reason: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  heartbeat_at: number | null;
  owner_pid: number | null;
  owner_host: string | null;
  parent_run_id: number | null;
  parent_step: number | null;
  tags: string;
  notes: string;
}

function toRow(r: Raw): RunRow {
  return {
    id: r.id,
    uid: r.uid,
    experimentId: r.experiment_id,
    datasetId: r.dataset_id,
    name: r.name,
    variant: fromJsonText<JsonObject>(r.variant),
    initSeed: r.init_seed,
    dataSeed: r.data_seed,
    backend: r.backend,
    device: r.device,
    versions: fromJsonText<Record<string, string>>(r.versions),
    status: r.status,
    statusReason: r.status_reason,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    heartbeatAt: r.heartbeat_at,
    ownerPid: r.owner_pid,
    ownerHost: r.owner_host,
    parentRunId: r.parent_run_id,
    parentStep: r.parent_step,
    tags: fromJsonText<string[]>(r.tags),
    notes: r.notes,
  };
}

export interface TransitionOptions {
  /** Why (stored in statusReason). */
  reason?: string | null;
  /** Error text for failed runs (stored in error). */
  error?: string | null;
  /** Owner pid when going to running (default: this process). */
  pid?: number;
}

export interface RecoveredRun {
  runId: number;
  reason: string;
}

export interface RecoverOptions {
  /**
   * A running run whose owner is on another host (liveness unknown) is interrupted when its
   * heartbeat is older than this. Default 60 s.
   */
  staleMs?: number;
  /**
   * A running run whose owner pid is alive on this host is interrupted only when its heartbeat
   * is older than this (guards against pid reuse without cutting off a slow step).
   * Default 15 min.
   */
  aliveStaleMs?: number;
  /** Liveness check for owner pids on this host (default: kill(pid, 0)). */
  isAlive?: (pid: number) => boolean;
}

/** Default heartbeat staleness for owners whose liveness cannot be checked. */
export const DEFAULT_STALE_MS = 60_000;
/** Default heartbeat staleness for owners whose pid is alive on this host. */
export const DEFAULT_ALIVE_STALE_MS = 15 * 60_000;

export interface RunsRepo {
  /** Creates a run in status 'queued'. */
  create(input: RunInput, opts?: { uid?: string; createdAt?: number }): RunRow;
  get(id: number): RunRow | undefined;
  require(id: number): RunRow;
  getByUid(uid: string): RunRow | undefined;
  listByExperiment(experimentId: number): RunRow[];
  listByStatus(status: RunStatus): RunRow[];
  /** The runs started from a checkpoint of `runId` (its fine-tunes), by id. */
  listChildren(runId: number): RunRow[];
  /** Sets (or clears) a run's parent, e.g. after a bundle import resolved it by uid. */
  setParent(id: number, parent: RunParent | null): RunRow;
  /** Changes descriptive fields (resolved backend/device, versions, label). */
  update(
    id: number,
    patch: Partial<Pick<RunInput, 'name' | 'backend' | 'device' | 'versions' | 'datasetId'>>,
  ): RunRow;
  /** Replaces the user's tags and/or notes of a run (whatever its status). */
  annotate(id: number, patch: { tags?: readonly string[]; notes?: string }): RunRow;
  /**
   * Moves a run to `to` if the lifecycle allows it (else InvalidTransitionError), atomically.
   * Going to running records the owner (pid, host) and a first heartbeat; leaving running
   * clears the owner and sets endedAt for terminal states.
   */
  transition(id: number, to: RunStatus, opts?: TransitionOptions): RunRow;
  /** queued|interrupted → running, owned by `pid` (default this process). */
  start(id: number, opts?: { pid?: number }): RunRow;
  /** Terminal transition from running. */
  finish(
    id: number,
    status: 'completed' | 'failed' | 'cancelled' | 'diverged',
    opts?: TransitionOptions,
  ): RunRow;
  /**
   * Records that the owner is alive. Returns false if the run is no longer running under this
   * pid (e.g. recovery marked it interrupted): the worker should then stop writing.
   */
  heartbeat(id: number, pid?: number): boolean;
  /** Marks runs left 'running' by a dead or silent owner as 'interrupted'. Runs on open. */
  recoverStale(opts?: RecoverOptions): RecoveredRun[];
  delete(id: number): boolean;
}

export function createRunsRepo({ db, now, retry }: RepoContext): RunsRepo {
  const host = hostname();
  const insert = db.prepare(
    `INSERT INTO runs (uid, experiment_id, dataset_id, name, variant, init_seed, data_seed,
       backend, device, versions, status, created_at, parent_run_id, parent_step)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
  );
  const byId = db.prepare('SELECT * FROM runs WHERE id = ?');
  const byUid = db.prepare('SELECT * FROM runs WHERE uid = ?');
  const byExp = db.prepare('SELECT * FROM runs WHERE experiment_id = ? ORDER BY id');
  const byStatus = db.prepare('SELECT * FROM runs WHERE status = ? ORDER BY id');
  const upd = db.prepare(
    'UPDATE runs SET name = ?, backend = ?, device = ?, versions = ?, dataset_id = ? WHERE id = ?',
  );
  const setNotes = db.prepare('UPDATE runs SET tags = ?, notes = ? WHERE id = ?');
  const setState = db.prepare(
    `UPDATE runs SET status = @status, status_reason = @reason, error = @error,
       started_at = @startedAt, ended_at = @endedAt, heartbeat_at = @heartbeatAt,
       owner_pid = @ownerPid, owner_host = @ownerHost
     WHERE id = @id AND status = @from`,
  );
  const beat = db.prepare(
    `UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running' AND owner_pid = ?
       AND owner_host = ?`,
  );
  const del = db.prepare('DELETE FROM runs WHERE id = ?');
  const byParent = db.prepare('SELECT * FROM runs WHERE parent_run_id = ? ORDER BY id');
  const setParent = db.prepare('UPDATE runs SET parent_run_id = ?, parent_step = ? WHERE id = ?');

  const repo: RunsRepo = {
    create(input, opts = {}) {
      const info = retry(() =>
        insert.run(
          opts.uid ?? randomUUID(),
          input.experimentId,
          input.datasetId ?? null,
          input.name,
          toJsonText(input.variant, 'run variant'),
          input.initSeed,
          input.dataSeed,
          input.backend ?? '',
          input.device ?? '',
          toJsonText(input.versions ?? {}, 'run versions'),
          opts.createdAt ?? now(),
          input.parent?.runId ?? null,
          input.parent?.step ?? null,
        ),
      );
      return repo.require(Number(info.lastInsertRowid));
    },
    get(id) {
      const r = byId.get(id) as Raw | undefined;
      return r && toRow(r);
    },
    require(id) {
      const r = repo.get(id);
      if (!r) throw new NotFoundError('run', id);
      return r;
    },
    getByUid(uid) {
      const r = byUid.get(uid) as Raw | undefined;
      return r && toRow(r);
    },
    listByExperiment(experimentId) {
      return (byExp.all(experimentId) as Raw[]).map(toRow);
    },
    listByStatus(status) {
      return (byStatus.all(status) as Raw[]).map(toRow);
    },
    listChildren(runId) {
      return (byParent.all(runId) as Raw[]).map(toRow);
    },
    setParent(id, parent) {
      repo.require(id);
      setParent.run(parent?.runId ?? null, parent?.step ?? null, id);
      return repo.require(id);
    },
    update(id, patch) {
      retry(() =>
        db
          .transaction(() => {
            const cur = repo.require(id);
            upd.run(
              patch.name ?? cur.name,
              patch.backend ?? cur.backend,
              patch.device ?? cur.device,
              toJsonText(patch.versions ?? cur.versions, 'run versions'),
              patch.datasetId === undefined ? cur.datasetId : patch.datasetId,
              id,
            );
          })
          .immediate(),
      );
      return repo.require(id);
    },
    annotate(id, patch) {
      const cur = repo.require(id);
      setNotes.run(
        toJsonText([...(patch.tags ?? cur.tags)], 'run tags'),
        patch.notes ?? cur.notes,
        id,
      );
      return repo.require(id);
    },
    transition(id, to, opts = {}) {
      return retry(() =>
        db
          .transaction(() => {
            const cur = repo.require(id);
            if (!canTransition(cur.status, to))
              throw new InvalidTransitionError(id, cur.status, to);
            const t = now();
            const running = to === 'running';
            const terminal = to !== 'running' && to !== 'queued' && to !== 'interrupted';
            setState.run({
              id,
              from: cur.status,
              status: to,
              reason: opts.reason ?? null,
              error: opts.error ?? (to === 'failed' ? cur.error : null),
              startedAt: running ? (cur.startedAt ?? t) : cur.startedAt,
              endedAt: terminal ? t : null,
              heartbeatAt: running ? t : cur.heartbeatAt,
              ownerPid: running ? (opts.pid ?? process.pid) : null,
              ownerHost: running ? host : null,
            });
            return repo.require(id);
          })
          .immediate(),
      );
    },
    start(id, opts = {}) {
      return repo.transition(id, 'running', { pid: opts.pid });
    },
    finish(id, status, opts = {}) {
      return repo.transition(id, status, opts);
    },
    heartbeat(id, pid = process.pid) {
      return retry(() => beat.run(now(), id, pid, host).changes > 0);
    },
    recoverStale(opts = {}) {
      const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
      const aliveStaleMs = opts.aliveStaleMs ?? DEFAULT_ALIVE_STALE_MS;
      const isAlive = opts.isAlive ?? processAlive;
      return retry(() =>
        db
          .transaction(() => {
            const t = now();
            const out: RecoveredRun[] = [];
            for (const r of repo.listByStatus('running')) {
              const local = r.ownerHost === host && r.ownerPid != null;
              const age = r.heartbeatAt == null ? Infinity : t - r.heartbeatAt;
              let reason: string | null = null;
              if (local && !isAlive(r.ownerPid!)) reason = `owner process ${r.ownerPid} is gone`;
              else if (age > (local ? aliveStaleMs : staleMs))
                reason =
                  `no heartbeat for ${age === Infinity ? 'ever' : `${age} ms`}` +
                  ` (owner ${r.ownerPid ?? '?'}@${r.ownerHost ?? '?'})`;
              if (reason) {
                repo.transition(r.id, 'interrupted', { reason });
                out.push({ runId: r.id, reason });
              }
            }
            return out;
          })
          .immediate(),
      );
    },
    delete(id) {
      return retry(() => del.run(id).changes > 0);
    },
  };
  return repo;
}
