/**
 * Metrics: scalar series per (run, metric name), batched ingestion and chart queries.
 *
 * Rows are clustered on (run, name, step), so a series read and a downsample are one index range
 * scan. NaN is stored as NULL (SQLite has no NaN) and read back as NaN; ±Infinity round-trips.
 * Writing the same (run, name, step) twice keeps the last value.
 */
import type { MetricPoint, MetricSeries, DownsampledSeries, SeriesBucket } from '../types';
import type { RepoContext } from './context';
import type Database from 'better-sqlite3';

export interface StepRange {
  /** Inclusive bounds. */
  fromStep?: number;
  toStep?: number;
}

export interface SeriesOptions extends StepRange {
  /** Skip tokens and wallMs (about half the read time; charts against steps need only these). */
  stepsAndValuesOnly?: boolean;
}

/**
 * Buffers metric points and writes them N per transaction. Not thread-safe; one per writer.
 * Call `flush()` before reading back what you wrote, and at the end of a run.
 */
export interface MetricsWriter {
  /** Queues one point; flushes when `batchSize` points are pending. */
  add(point: MetricPoint): void;
  /** Queues several metrics logged at the same step. */
  addStep(
    runId: number,
    step: number,
    tokens: number,
    wallMs: number,
    values: Record<string, number>,
  ): void;
  /** Writes pending points in one transaction; returns how many were written. */
  flush(): number;
  /** Number of points waiting to be written. */
  readonly pending: number;
  /**
   * Writes pending points without opening a transaction: for callers that already hold one
   * (e.g. a checkpoint save that must commit metrics up to its step atomically with it).
   */
  writePendingInTransaction(): number;
}

export interface MetricsRepo {
  /** Inserts points in one transaction. */
  insert(points: readonly MetricPoint[]): void;
  /** A buffered writer flushing `batchSize` (default 2,000) points per transaction. */
  writer(opts?: { batchSize?: number }): MetricsWriter;
  /** Names of the metrics a run has, sorted. */
  names(runId: number): string[];
  /** A run's full series of one metric (or a step range of it), ordered by step. */
  series(runId: number, name: string, opts?: SeriesOptions): MetricSeries;
  /**
   * The series reduced to at most `buckets` equal-width step buckets over [first step, last
   * step] of the range; each bucket keeps min, max and last (by step) so chart shapes stay
   * exact. Bucket of step s: floor((s − lo) · buckets / (hi − lo + 1)).
   */
  downsample(runId: number, name: string, buckets: number, range?: StepRange): DownsampledSeries;
  /** The point with the largest step, if any. */
  last(runId: number, name: string): MetricPoint | undefined;
  /** The point with the smallest finite value (the best loss), or undefined when none. */
  best(runId: number, name: string): MetricPoint | undefined;
  /** Deletes a run's points with step > `step` (resume from a checkpoint). Returns rows deleted. */
  discardAfter(runId: number, step: number): number;
  /** Number of stored points (of one run, or all). */
  count(runId?: number): number;
}

const MIN_STEP = Number.MIN_SAFE_INTEGER;
const MAX_STEP = Number.MAX_SAFE_INTEGER;

function fromDb(v: number | null): number {
  return v === null ? NaN : v;
}

function toDb(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

function checkPoint(p: MetricPoint): void {
  if (!Number.isSafeInteger(p.step))
    throw new Error(`metric ${p.name}: step ${p.step} not an integer`);
  if (!Number.isSafeInteger(p.tokens))
    throw new Error(`metric ${p.name}: tokens ${p.tokens} not an integer`);
  if (!Number.isFinite(p.wallMs))
    throw new Error(`metric ${p.name}: wallMs ${p.wallMs} not finite`);
  if (typeof p.value !== 'number') throw new Error(`metric ${p.name}: value is not a number`);
}

/**
 * Interns metric names. Only ids seen outside a transaction are cached: an id created inside a
 * transaction that later rolls back must not outlive it. Writers therefore resolve names before
 * opening their transaction (`prepare`), so the hot loop hits the cache.
 */
function nameInterner(db: Database.Database): {
  id: (name: string) => number;
  lookup: (name: string) => number | undefined;
  name: (id: number) => string;
  prepare: (points: readonly MetricPoint[]) => void;
} {
  const ids = new Map<string, number>();
  const names = new Map<number, string>();
  const sel = db.prepare('SELECT id FROM metric_names WHERE name = ?').pluck();
  const selName = db.prepare('SELECT name FROM metric_names WHERE id = ?').pluck();
  // OR IGNORE: another process (a second pool worker) may intern the same name at once.
  const ins = db.prepare('INSERT OR IGNORE INTO metric_names (name) VALUES (?)');
  const remember = (name: string, id: number): void => {
    if (db.inTransaction) return;
    ids.set(name, id);
    names.set(id, name);
  };
  const lookup = (name: string): number | undefined => {
    const cached = ids.get(name);
    if (cached !== undefined) return cached;
    const id = sel.get(name) as number | undefined;
    if (id !== undefined) remember(name, id);
    return id;
  };
  const id = (name: string): number => {
    const found = lookup(name);
    if (found !== undefined) return found;
    const r = ins.run(name);
    const created = r.changes ? Number(r.lastInsertRowid) : (sel.get(name) as number);
    remember(name, created);
    return created;
  };
  return {
    id,
    lookup,
    name(nid) {
      const cached = names.get(nid);
      if (cached !== undefined) return cached;
      const n = selName.get(nid) as string;
      remember(n, nid);
      return n;
    },
    prepare(points) {
      if (db.inTransaction) return;
      for (const p of points) if (!ids.has(p.name)) id(p.name);
    },
  };
}

/**
 * Registers `homolab_pack2(step, value)` and `homolab_pack4(step, tokens, wall_ms, value)`:
 * aggregates that pack their rows into one float64 blob (NULL, a logged NaN, becomes NaN).
 */
function registerPackAggregates(db: Database.Database): void {
  let buf = new Float64Array(1 << 16);
  let n = 0;
  const room = (k: number): void => {
    if (n + k <= buf.length) return;
    const grown = new Float64Array(buf.length * 2);
    grown.set(buf);
    buf = grown;
  };
  const start = (): number => {
    n = 0;
    return 0;
  };
  // SQLite copies the blob, so the buffer is reused by the next call.
  const result = (): Buffer | null => (n ? Buffer.from(buf.buffer, 0, n * 8) : null);
  // @types/better-sqlite3 types step() as unary; the runtime passes one argument per column.
  const aggregate = (name: string, options: object): void => {
    db.aggregate(name, options as Database.AggregateOptions);
  };
  aggregate('homolab_pack2', {
    start,
    step: (_acc: number, step: number, value: number | null) => {
      room(2);
      buf[n++] = step;
      buf[n++] = value === null ? NaN : value;
      return 0;
    },
    result,
  });
  aggregate('homolab_pack4', {
    start,
    step: (_acc: number, step: number, tokens: number, wall: number, value: number | null) => {
      room(4);
      buf[n++] = step;
      buf[n++] = tokens;
      buf[n++] = wall;
      buf[n++] = value === null ? NaN : value;
      return 0;
    },
    result,
  });
}

export function createMetricsRepo({ db, retry }: RepoContext): MetricsRepo {
  const names = nameInterner(db);
  const ins = db.prepare(
    `INSERT OR REPLACE INTO metrics (run_id, name_id, step, tokens, wall_ms, value)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  // Reading a series row by row costs one JS array per row, which dominates for long series.
  // Instead an aggregate packs the rows into one float64 blob inside SQLite (a JS callback per
  // row, no allocation) and we unpack it once: 2–3× faster than per-column `.pluck()` or
  // json_group_array. Steps and tokens are integers < 2^53, so float64 holds them exactly.
  registerPackAggregates(db);
  const RANGE =
    'FROM metrics WHERE run_id = ? AND name_id = ? AND step BETWEEN ? AND ? ORDER BY step';
  const pack4 = db
    .prepare(
      `SELECT homolab_pack4(step, tokens, wall_ms, value) FROM (SELECT step, tokens, wall_ms, value ${RANGE})`,
    )
    .pluck();
  const pack2 = db
    .prepare(`SELECT homolab_pack2(step, value) FROM (SELECT step, value ${RANGE})`)
    .pluck();
  const bounds = db.prepare(
    `SELECT min(step) AS lo, max(step) AS hi FROM metrics
     WHERE run_id = ? AND name_id = ? AND step BETWEEN ? AND ?`,
  );
  // Bucket i holds steps s with floor((s − lo) · n / span) = i, i.e. s − lo in
  // [ceil(i·span/n), ceil((i+1)·span/n) − 1]. Each bucket is a few primary-key range probes
  // (min/max step are index seeks; count/min/max value one scan of the bucket), so the cost is
  // one pass over the points without the sort a GROUP BY would need. json_array keeps REALs
  // exact (17 significant digits; ±Infinity as ±9e999, which JSON.parse reads back).
  const W = 'run_id = @run AND name_id = @name AND step BETWEEN s0 AND s1';
  const bucketStmt = db
    .prepare(
      // better-sqlite3 binds JS numbers as REAL; the bucket bounds need integer division.
      `WITH RECURSIVE p(lo, span, n) AS (
         SELECT CAST(@lo AS INTEGER), CAST(@span AS INTEGER), CAST(@n AS INTEGER)),
       b(i, s0, s1) AS (
         SELECT 0, lo, lo + (span + n - 1) / n - 1 FROM p
         UNION ALL
         SELECT i + 1, lo + ((i + 1) * span + n - 1) / n, lo + ((i + 2) * span + n - 1) / n - 1
         FROM b, p WHERE i + 1 < n),
       a AS (
         SELECT i,
           (SELECT min(step) FROM metrics WHERE ${W}) AS first_step,
           (SELECT max(step) FROM metrics WHERE ${W}) AS last_step,
           (SELECT json_array(count(*), min(value), max(value)) FROM metrics WHERE ${W}) AS stats
         FROM b)
       SELECT a.i, a.first_step, a.last_step, a.stats, m.value, m.tokens, m.wall_ms
       FROM a JOIN metrics m ON m.run_id = @run AND m.name_id = @name AND m.step = a.last_step
       ORDER BY a.i`,
    )
    .raw();
  const namesStmt = db
    .prepare(
      `WITH RECURSIVE n(id) AS (
         SELECT (SELECT min(name_id) FROM metrics WHERE run_id = @run)
         UNION ALL
         SELECT (SELECT min(name_id) FROM metrics WHERE run_id = @run AND name_id > n.id)
         FROM n WHERE n.id IS NOT NULL)
       SELECT id FROM n WHERE id IS NOT NULL`,
    )
    .pluck();
  const lastStmt = db.prepare(
    `SELECT step, tokens, wall_ms, value FROM metrics
     WHERE run_id = ? AND name_id = ? ORDER BY step DESC LIMIT 1`,
  );
  // NaN is stored as NULL and min() skips NULLs; ±Infinity are excluded by the bounds.
  const bestStmt = db.prepare(
    `SELECT step, tokens, wall_ms, value FROM metrics
     WHERE run_id = ? AND name_id = ? AND value > -9e999 AND value < 9e999
     ORDER BY value ASC, step ASC LIMIT 1`,
  );
  const discard = db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?');
  const countAll = db.prepare('SELECT count(*) FROM metrics').pluck();
  const countRun = db.prepare('SELECT count(*) FROM metrics WHERE run_id = ?').pluck();

  function writeRows(points: readonly MetricPoint[]): void {
    for (const p of points) {
      checkPoint(p);
      ins.run(p.runId, names.id(p.name), p.step, p.tokens, p.wallMs, toDb(p.value));
    }
  }
  const insertTx = db.transaction(writeRows);

  const repo: MetricsRepo = {
    insert(points) {
      retry(() => names.prepare(points));
      retry(() => insertTx.immediate(points));
    },
    writer(opts = {}) {
      const batchSize = Math.max(1, opts.batchSize ?? 2000);
      let buf: MetricPoint[] = [];
      const w: MetricsWriter = {
        add(point) {
          buf.push(point);
          if (buf.length >= batchSize) w.flush();
        },
        addStep(runId, step, tokens, wallMs, values) {
          for (const name of Object.keys(values))
            buf.push({ runId, name, step, tokens, wallMs, value: values[name] });
          if (buf.length >= batchSize) w.flush();
        },
        flush() {
          if (!buf.length) return 0;
          const n = buf.length;
          retry(() => names.prepare(buf));
          retry(() => insertTx.immediate(buf));
          buf = [];
          return n;
        },
        get pending() {
          return buf.length;
        },
        writePendingInTransaction() {
          if (!db.inTransaction) throw new Error('writePendingInTransaction needs a transaction');
          const n = buf.length;
          writeRows(buf);
          buf = [];
          return n;
        },
      };
      return w;
    },
    names(runId) {
      return (namesStmt.all({ run: runId }) as number[]).map((id) => names.name(id)).sort();
    },
    series(runId, name, opts = {}) {
      const id = names.lookup(name);
      const full = !opts.stepsAndValuesOnly;
      const out: MetricSeries = { runId, name, steps: [], values: [] };
      if (full) {
        out.tokens = [];
        out.wallMs = [];
      }
      if (id === undefined) return out;
      const args = [runId, id, opts.fromStep ?? MIN_STEP, opts.toStep ?? MAX_STEP];
      const blob = (full ? pack4 : pack2).get(...args) as Buffer | null;
      if (!blob) return out;
      const f = new Float64Array(blob.buffer, blob.byteOffset, blob.length / 8);
      const width = full ? 4 : 2;
      const n = f.length / width;
      const steps = new Array<number>(n);
      const values = new Array<number>(n);
      const tokens = full ? new Array<number>(n) : [];
      const wallMs = full ? new Array<number>(n) : [];
      for (let i = 0, o = 0; i < n; i++, o += width) {
        steps[i] = f[o];
        if (full) {
          tokens[i] = f[o + 1];
          wallMs[i] = f[o + 2];
          values[i] = f[o + 3];
        } else values[i] = f[o + 1];
      }
      // SQLite feeds the aggregate in the subquery's index order; verify rather than assume.
      for (let i = 1; i < n; i++)
        if (steps[i] <= steps[i - 1]) throw new Error('metrics: series rows out of step order');
      out.steps = steps;
      out.values = values;
      if (full) {
        out.tokens = tokens;
        out.wallMs = wallMs;
      }
      return out;
    },
    downsample(runId, name, buckets, range = {}) {
      if (!Number.isInteger(buckets) || buckets < 1)
        throw new Error(`downsample: buckets must be a positive integer, got ${buckets}`);
      const out: DownsampledSeries = { runId, name, buckets: [], points: 0 };
      const id = names.lookup(name);
      if (id === undefined) return out;
      const b = bounds.get(runId, id, range.fromStep ?? MIN_STEP, range.toStep ?? MAX_STEP) as {
        lo: number | null;
        hi: number | null;
      };
      if (b.lo === null || b.hi === null) return out;
      const span = b.hi - b.lo + 1;
      const rows = bucketStmt.all({
        run: runId,
        name: id,
        lo: b.lo,
        span,
        // More buckets than steps would only add empty ones.
        n: Math.min(buckets, span),
      }) as [number, number, number, string, number | null, number, number][];
      out.buckets = rows.map((r): SeriesBucket => {
        const [count, min, max] = JSON.parse(r[3]) as [number, number | null, number | null];
        out.points += count;
        return {
          // Index in the requested bucketing (the query may have used fewer, when capped).
          bucket: Math.floor(((r[1] - b.lo!) * buckets) / span),
          firstStep: r[1],
          lastStep: r[2],
          count,
          min: fromDb(min),
          max: fromDb(max),
          last: fromDb(r[4]),
          lastTokens: r[5],
          lastWallMs: r[6],
        };
      });
      return out;
    },
    last(runId, name) {
      const id = names.lookup(name);
      if (id === undefined) return undefined;
      const r = lastStmt.get(runId, id) as
        { step: number; tokens: number; wall_ms: number; value: number | null } | undefined;
      return (
        r && {
          runId,
          name,
          step: r.step,
          tokens: r.tokens,
          wallMs: r.wall_ms,
          value: fromDb(r.value),
        }
      );
    },
    best(runId, name) {
      const id = names.lookup(name);
      if (id === undefined) return undefined;
      const r = bestStmt.get(runId, id) as
        { step: number; tokens: number; wall_ms: number; value: number } | undefined;
      return (
        r && { runId, name, step: r.step, tokens: r.tokens, wallMs: r.wall_ms, value: r.value }
      );
    },
    discardAfter(runId, step) {
      return retry(() => discard.run(runId, step).changes);
    },
    count(runId) {
      return (runId === undefined ? countAll.get() : countRun.get(runId)) as number;
    },
  };
  return repo;
}
