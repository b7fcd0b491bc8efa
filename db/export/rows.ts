/**
 * The long-format metric rows shared by the CSV and Parquet exports: one row per
 * (run, metric, step) with the run's experiment and variant fields alongside.
 */
import type Database from 'better-sqlite3';
import type { Json } from '../types';
import type { Snapshot } from './snapshot';

export interface RunContext {
  experimentId: number;
  experimentName: string;
  runId: number;
  runName: string;
  status: string;
  initSeed: number;
  dataSeed: number;
  backend: string;
  device: string;
  /** Flattened variant config: dot path → scalar. */
  variant: Map<string, string | number | boolean | null>;
}

/** The fixed columns, in order; variant columns (`variant.<path>`) go between run and step. */
export const LEADING_COLUMNS = [
  'experiment_id',
  'experiment',
  'run_id',
  'run',
  'status',
  'init_seed',
  'data_seed',
  'backend',
  'device',
] as const;
export const TRAILING_COLUMNS = ['step', 'tokens', 'wall_ms', 'metric', 'value'] as const;

/** Flattens nested objects into dot paths; arrays become JSON text (they are values, not axes). */
export function flattenVariant(
  obj: Json,
  prefix = '',
  out = new Map<string, string | number | boolean | null>(),
): Map<string, string | number | boolean | null> {
  if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) flattenVariant(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(obj)) {
    out.set(prefix, JSON.stringify(obj));
  } else {
    out.set(prefix, obj);
  }
  return out;
}

export function loadRunContexts(snap: Snapshot): RunContext[] {
  const stmt = snap.db.prepare(
    `SELECT r.id, r.name, r.status, r.init_seed, r.data_seed, r.backend, r.device, r.variant,
            e.id AS eid, e.name AS ename
     FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ?`,
  );
  return snap.runIds.map((id) => {
    const r = stmt.get(id) as {
      id: number;
      name: string;
      status: string;
      init_seed: number;
      data_seed: number;
      backend: string;
      device: string;
      variant: string;
      eid: number;
      ename: string;
    };
    return {
      experimentId: r.eid,
      experimentName: r.ename,
      runId: r.id,
      runName: r.name,
      status: r.status,
      initSeed: r.init_seed,
      dataSeed: r.data_seed,
      backend: r.backend,
      device: r.device,
      variant: flattenVariant(JSON.parse(r.variant) as Json),
    };
  });
}

/** Union of variant paths over the runs, sorted, as column names without the prefix. */
export function variantPaths(runs: RunContext[]): string[] {
  const set = new Set<string>();
  for (const r of runs) for (const k of r.variant.keys()) set.add(k);
  return [...set].sort();
}

/** [metric name, step, tokens, wall_ms, value (null = NaN)] of one run, by metric then step. */
export type MetricTuple = [string, number, number, number, number | null];

export function metricsOfRun(db: Database.Database, runId: number): IterableIterator<MetricTuple> {
  return db
    .prepare(
      `SELECT n.name, m.step, m.tokens, m.wall_ms, m.value
       FROM metrics m JOIN metric_names n ON n.id = m.name_id
       WHERE m.run_id = ? ORDER BY m.name_id, m.step`,
    )
    .raw()
    .iterate(runId) as IterableIterator<MetricTuple>;
}
