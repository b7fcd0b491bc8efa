/** Analyses: results of similarity measures over runs (at a step, for some layers). */
import { NotFoundError } from '../errors';
import { fromJsonText, toJsonText } from '../json';
import type { AnalysisInput, AnalysisRow, Json, JsonObject } from '../types';
import type { RepoContext } from './context';

interface Raw {
  id: number;
  experiment_id: number | null;
  kind: string;
  step: number | null;
  layers: string;
  params: string;
  result: string;
  created_at: number;
  run_ids: string;
}

// group_concat keeps position order thanks to the ORDER BY inside the aggregate.
const SELECT = `SELECT a.*, (SELECT json_group_array(run_id) FROM
    (SELECT run_id FROM analysis_runs WHERE analysis_id = a.id ORDER BY position)) AS run_ids
  FROM analyses a`;

function toRow(r: Raw): AnalysisRow {
  return {
    id: r.id,
    experimentId: r.experiment_id,
    kind: r.kind,
    runIds: fromJsonText<number[]>(r.run_ids),
    step: r.step,
    layers: fromJsonText<Json>(r.layers),
    params: fromJsonText<JsonObject>(r.params),
    result: fromJsonText<Json>(r.result),
    createdAt: r.created_at,
  };
}

export interface AnalysesListFilter {
  experimentId?: number;
  /** Analyses that include this run. */
  runId?: number;
  kind?: string;
}

export interface AnalysesRepo {
  create(input: AnalysisInput, opts?: { createdAt?: number }): AnalysisRow;
  get(id: number): AnalysisRow | undefined;
  require(id: number): AnalysisRow;
  /** Matching analyses, oldest first. */
  list(filter?: AnalysesListFilter): AnalysisRow[];
  delete(id: number): boolean;
}

export function createAnalysesRepo({ db, now, retry }: RepoContext): AnalysesRepo {
  const ins = db.prepare(
    `INSERT INTO analyses (experiment_id, kind, step, layers, params, result, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insRun = db.prepare(
    'INSERT INTO analysis_runs (analysis_id, position, run_id) VALUES (?, ?, ?)',
  );
  const byId = db.prepare(`${SELECT} WHERE a.id = ?`);
  const filtered = db.prepare(
    `${SELECT} WHERE (@exp IS NULL OR a.experiment_id = @exp) AND (@kind IS NULL OR a.kind = @kind)
       AND (@run IS NULL OR a.id IN (SELECT analysis_id FROM analysis_runs WHERE run_id = @run))
     ORDER BY a.id`,
  );
  const del = db.prepare('DELETE FROM analyses WHERE id = ?');

  const createTx = db.transaction((input: AnalysisInput, createdAt: number) => {
    const id = Number(
      ins.run(
        input.experimentId ?? null,
        input.kind,
        input.step ?? null,
        toJsonText(input.layers ?? null, 'analysis layers'),
        toJsonText(input.params ?? {}, 'analysis params'),
        toJsonText(input.result, 'analysis result'),
        createdAt,
      ).lastInsertRowid,
    );
    input.runIds.forEach((runId, i) => insRun.run(id, i, runId));
    return id;
  });

  const repo: AnalysesRepo = {
    create(input, opts = {}) {
      return repo.require(retry(() => createTx.immediate(input, opts.createdAt ?? now())));
    },
    get(id) {
      const r = byId.get(id) as Raw | undefined;
      return r && toRow(r);
    },
    require(id) {
      const r = repo.get(id);
      if (!r) throw new NotFoundError('analysis', id);
      return r;
    },
    list(filter = {}) {
      return (
        filtered.all({
          exp: filter.experimentId ?? null,
          kind: filter.kind ?? null,
          run: filter.runId ?? null,
        }) as Raw[]
      ).map(toRow);
    },
    delete(id) {
      return retry(() => del.run(id).changes > 0);
    },
  };
  return repo;
}
