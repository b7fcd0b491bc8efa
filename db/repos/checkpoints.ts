/**
 * Checkpoints: weights, optimizer state, data cursor, RNG state and step of a run, written in
 * one transaction so a crash leaves either the whole checkpoint or none of it. The tensor blobs
 * carry their own CRC-32 (tensor-codec.ts), which `get`/`latest` verify on read.
 */
import { toJsonText, fromJsonText } from '../json';
import { decodeTensors, encodeTensors, verifyTensors } from '../tensor-codec';
import type { Checkpoint, CheckpointInfo, CheckpointInput, Json, JsonObject } from '../types';
import type { RepoContext } from './context';
import type { MetricsWriter } from './metrics';

interface RawInfo {
  id: number;
  run_id: number;
  step: number;
  tokens: number;
  weights_bytes: number;
  optimizer_bytes: number;
  created_at: number;
}

interface RawFull extends RawInfo {
  weights: Buffer;
  optimizer: Buffer;
  data_cursor: string;
  rng_state: string;
  meta: string;
}

const INFO_COLS = `id, run_id, step, tokens, length(weights) AS weights_bytes,
  length(optimizer) AS optimizer_bytes, created_at`;

function toInfo(r: RawInfo): CheckpointInfo {
  return {
    id: r.id,
    runId: r.run_id,
    step: r.step,
    tokens: r.tokens,
    weightsBytes: r.weights_bytes,
    optimizerBytes: r.optimizer_bytes,
    createdAt: r.created_at,
  };
}

function toFull(r: RawFull): Checkpoint {
  return {
    ...toInfo(r),
    weights: decodeTensors(r.weights),
    optimizer: decodeTensors(r.optimizer),
    dataCursor: fromJsonText<Json>(r.data_cursor),
    rngState: fromJsonText<Json>(r.rng_state),
    meta: fromJsonText<JsonObject>(r.meta),
  };
}

export interface SaveCheckpointOptions {
  /**
   * A metrics writer whose pending points are committed in the same transaction, so the
   * metrics up to the checkpoint's step are durable exactly when the checkpoint is.
   */
  metrics?: MetricsWriter;
  /** Prune the run's older checkpoints in the same transaction (see `RetentionPolicy`). */
  retention?: RetentionPolicy;
}

/**
 * Which of a run's checkpoints to keep: the newest `keepLast` (the newest is always kept, it is
 * what a resume restores), every step that is a multiple of `keepEvery` (a trajectory over
 * training; 0: none), step 0, and `keepSteps` (e.g. the steps an analysis plan asks for).
 */
export interface RetentionPolicy {
  keepLast: number;
  keepEvery: number;
  keepSteps?: readonly number[];
}

/** The steps `policy` keeps out of `steps` (ascending). */
export function retainedSteps(steps: readonly number[], policy: RetentionPolicy): Set<number> {
  const keep = new Set<number>(steps.slice(-Math.max(1, Math.trunc(policy.keepLast))));
  const wanted = new Set(policy.keepSteps ?? []);
  for (const s of steps)
    if (s === 0 || wanted.has(s) || (policy.keepEvery > 0 && s % policy.keepEvery === 0))
      keep.add(s);
  return keep;
}

export interface CheckpointsRepo {
  /** Writes a checkpoint in one transaction (replacing one at the same step). */
  save(runId: number, input: CheckpointInput, opts?: SaveCheckpointOptions): CheckpointInfo;
  /** The run's checkpoint with the largest step, decoded and verified; null if none. */
  latest(runId: number): Checkpoint | null;
  get(id: number): Checkpoint | null;
  atStep(runId: number, step: number): Checkpoint | null;
  /** Metadata of a run's checkpoints, by step, without loading blobs. */
  list(runId: number): CheckpointInfo[];
  /** The `meta` of the run's latest checkpoint (batch hash, …) without its blobs; null if none. */
  latestMeta(runId: number): JsonObject | null;
  /** Re-reads the blobs and checks their CRCs. */
  verify(id: number): boolean;
  /** Raw encoded blobs (for bundles); null if absent. */
  raw(id: number): { weights: Buffer; optimizer: Buffer } | null;
  /** Deletes a run's checkpoints with step > `step`. Returns rows deleted. */
  discardAfter(runId: number, step: number): number;
  /** Deletes the run's checkpoints that `policy` does not keep; returns the steps deleted. */
  prune(runId: number, policy: RetentionPolicy): number[];
  delete(id: number): boolean;
}

export function createCheckpointsRepo({ db, now, retry }: RepoContext): CheckpointsRepo {
  const ins = db.prepare(
    `INSERT OR REPLACE INTO checkpoints
       (run_id, step, tokens, weights, optimizer, data_cursor, rng_state, meta, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const infoById = db.prepare(`SELECT ${INFO_COLS} FROM checkpoints WHERE id = ?`);
  const fullById = db.prepare(
    'SELECT *, 0 AS weights_bytes, 0 AS optimizer_bytes FROM checkpoints WHERE id = ?',
  );
  const latestId = db
    .prepare('SELECT id FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1')
    .pluck();
  const idAtStep = db.prepare('SELECT id FROM checkpoints WHERE run_id = ? AND step = ?').pluck();
  const listStmt = db.prepare(
    `SELECT ${INFO_COLS} FROM checkpoints WHERE run_id = ? ORDER BY step`,
  );
  const latestMetaStmt = db
    .prepare('SELECT meta FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1')
    .pluck();
  const rawStmt = db.prepare('SELECT weights, optimizer FROM checkpoints WHERE id = ?');
  const discard = db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND step > ?');
  const del = db.prepare('DELETE FROM checkpoints WHERE id = ?');
  const stepsOf = db.prepare('SELECT step FROM checkpoints WHERE run_id = ? ORDER BY step').pluck();
  const delStep = db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND step = ?');

  const pruneTx = db.transaction((runId: number, policy: RetentionPolicy): number[] => {
    const steps = stepsOf.all(runId) as number[];
    const keep = retainedSteps(steps, policy);
    const dropped = steps.filter((s) => !keep.has(s));
    for (const s of dropped) delStep.run(runId, s);
    return dropped;
  });

  const saveTx = db.transaction(
    (
      runId: number,
      input: CheckpointInput,
      weights: Buffer,
      optimizer: Buffer,
      metrics?: MetricsWriter,
      retention?: RetentionPolicy,
    ) => {
      metrics?.writePendingInTransaction();
      const info = ins.run(
        runId,
        input.step,
        input.tokens ?? 0,
        weights,
        optimizer,
        toJsonText(input.dataCursor, 'checkpoint data cursor'),
        toJsonText(input.rngState, 'checkpoint RNG state'),
        toJsonText(input.meta ?? {}, 'checkpoint meta'),
        now(),
      );
      if (retention) pruneTx(runId, retention);
      return Number(info.lastInsertRowid);
    },
  );

  const repo: CheckpointsRepo = {
    save(runId, input, opts = {}) {
      if (!Number.isSafeInteger(input.step)) throw new Error(`checkpoint step ${input.step}`);
      // Encode before the transaction: the write lock is then held only for the insert.
      const weights = encodeTensors(input.weights);
      const optimizer = encodeTensors(input.optimizer);
      const id = retry(() =>
        saveTx.immediate(runId, input, weights, optimizer, opts.metrics, opts.retention),
      );
      return toInfo(infoById.get(id) as RawInfo);
    },
    latest(runId) {
      const id = latestId.get(runId) as number | undefined;
      return id === undefined ? null : repo.get(id);
    },
    get(id) {
      const r = fullById.get(id) as RawFull | undefined;
      if (!r) return null;
      const cp = toFull(r);
      cp.weightsBytes = r.weights.length;
      cp.optimizerBytes = r.optimizer.length;
      return cp;
    },
    atStep(runId, step) {
      const id = idAtStep.get(runId, step) as number | undefined;
      return id === undefined ? null : repo.get(id);
    },
    list(runId) {
      return (listStmt.all(runId) as RawInfo[]).map(toInfo);
    },
    latestMeta(runId) {
      const text = latestMetaStmt.get(runId) as string | undefined;
      return text === undefined ? null : fromJsonText<JsonObject>(text);
    },
    verify(id) {
      const r = rawStmt.get(id) as { weights: Buffer; optimizer: Buffer } | undefined;
      return !!r && verifyTensors(r.weights) && verifyTensors(r.optimizer);
    },
    raw(id) {
      return (rawStmt.get(id) as { weights: Buffer; optimizer: Buffer } | undefined) ?? null;
    },
    discardAfter(runId, step) {
      return retry(() => discard.run(runId, step).changes);
    },
    prune(runId, policy) {
      return retry(() => pruneTx.immediate(runId, policy));
    },
    delete(id) {
      return retry(() => del.run(id).changes > 0);
    },
  };
  return repo;
}
