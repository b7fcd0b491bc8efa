/**
 * Importing a JSON bundle (see export.ts for the format) into a store.
 *
 * Hostile input is expected: the path must be a regular file, its size is checked before
 * reading, nesting depth and duplicate keys before parsing, then forbidden keys, non-finite
 * numbers and lone surrogates, then the strict versioned schema (schema.ts), the checksum and
 * the references between rows. A refusal happens before anything is written, so the store is
 * byte-identical afterwards. Importing a bundle whose checksum, experiment uid or run uid is
 * already in the store fails with DuplicateImportError.
 *
 * Writing is all or nothing without holding the write lock for long: rows are written with
 * new ids in short transactions (chunked-writes.ts) under a staging id that keeps them
 * invisible (import-staging.ts), then one short transaction adds the datasets, links the runs
 * to them and publishes the experiments. A failure removes the staged rows; a crash leaves
 * them to the next open of the store, which removes them.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { decodeTensors, CorruptTensorsError } from '../tensor-codec';
import type { Store } from '../store';
import type { JsonObject } from '../types';
import { BUNDLE_FORMAT, BUNDLE_VERSION, bundleSchema, type Bundle } from './schema';
import { BundleError, checkValues, parseJson, readLimited, scanJson } from './safe-json';
import { toJsonText } from '../json';
import { ChunkedWrites, type ChunkOptions } from '../chunked-writes';
import { beginStaging, discardStaging, publishStaging, touchStaging } from '../import-staging';
import type { z } from 'zod';

export { BundleError } from './safe-json';

export class DuplicateImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DuplicateImportError';
  }
}

export interface ImportOptions {
  /** Largest accepted file (default 512 MiB). */
  maxBytes?: number;
  /** Deepest accepted nesting of arrays/objects (default 64). */
  maxDepth?: number;
  now?: () => number;
  /** How long one write transaction may hold the lock, and the pause between them. */
  chunks?: ChunkOptions;
}

export interface ImportResult {
  importId: number;
  checksum: string;
  /** bundle id → new id */
  experimentIds: Record<number, number>;
  runIds: Record<number, number>;
  counts: {
    experiments: number;
    datasets: number;
    runs: number;
    metricPoints: number;
    checkpoints: number;
    analyses: number;
    samples: number;
  };
}

export const DEFAULT_MAX_BUNDLE_BYTES = 512 * 1024 * 1024;

function pathOf(p: readonly PropertyKey[]): string {
  let s = '$';
  for (const k of p) s += typeof k === 'number' ? `[${k}]` : `.${String(k)}`;
  return s;
}

function firstIssue(error: z.ZodError): BundleError {
  let issue = error.issues[0];
  let path = [...issue.path];
  // Unions (JSON values, metric values) nest their reasons; follow the first branch that
  // failed deepest so the message points at the actual value.
  while (issue.code === 'invalid_union' && issue.errors.length) {
    const branch = issue.errors.reduce((a, b) => (b[0]?.path.length > a[0]?.path.length ? b : a));
    if (!branch[0] || !branch[0].path.length) break;
    issue = branch[0];
    path = [...path, ...issue.path];
  }
  const extra = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  return new BundleError(`${issue.message}${extra}`, pathOf(path));
}

/** Parses and validates a bundle file without touching any store. */
export function readBundle(file: string, opts: ImportOptions = {}): Bundle {
  const text = readLimited(file, opts.maxBytes ?? DEFAULT_MAX_BUNDLE_BYTES);
  scanJson(text, opts.maxDepth ?? 64);
  const raw = parseJson(text);
  checkValues(raw);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new BundleError('a bundle must be a JSON object', '$');
  const head = raw as Record<string, unknown>;
  if (head.format !== BUNDLE_FORMAT)
    throw new BundleError(
      `not a Homolab bundle (format is ${JSON.stringify(head.format)})`,
      '$.format',
    );
  if (head.version !== BUNDLE_VERSION)
    throw new BundleError(
      `unsupported bundle version ${JSON.stringify(head.version)}; this build reads version ${BUNDLE_VERSION}`,
      '$.version',
    );
  const parsed = bundleSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error);
  const actual = `sha256:${createHash('sha256').update(JSON.stringify(head.data)).digest('hex')}`;
  if (actual !== parsed.data.checksum)
    throw new BundleError('checksum mismatch: the bundle was modified or corrupted', '$.checksum');
  checkReferences(parsed.data);
  return parsed.data;
}

function checkReferences(b: Bundle): void {
  const d = b.data;
  const unique = (ids: number[], what: string): Set<number> => {
    const set = new Set<number>();
    ids.forEach((id, i) => {
      if (set.has(id)) throw new BundleError(`duplicate id ${id}`, `$.data.${what}[${i}].id`);
      set.add(id);
    });
    return set;
  };
  const exps = unique(
    d.experiments.map((e) => e.id),
    'experiments',
  );
  const dsets = unique(
    d.datasets.map((e) => e.id),
    'datasets',
  );
  const runs = unique(
    d.runs.map((e) => e.id),
    'runs',
  );
  unique(
    d.analyses.map((e) => e.id),
    'analyses',
  );
  const uids = new Set<string>();
  for (const [what, rows] of [
    ['experiments', d.experiments],
    ['runs', d.runs],
  ] as const)
    rows.forEach((r, i) => {
      if (uids.has(r.uid))
        throw new BundleError(`duplicate uid ${r.uid}`, `$.data.${what}[${i}].uid`);
      uids.add(r.uid);
    });
  const ref = (ok: boolean, path: string, what: string, id: number | null): void => {
    if (!ok) throw new BundleError(`refers to ${what} ${id}, which is not in the bundle`, path);
  };
  d.runs.forEach((r, i) => {
    ref(exps.has(r.experimentId), `$.data.runs[${i}].experimentId`, 'experiment', r.experimentId);
    if (r.datasetId !== null)
      ref(dsets.has(r.datasetId), `$.data.runs[${i}].datasetId`, 'dataset', r.datasetId);
  });
  const seriesKeys = new Set<string>();
  d.metrics.forEach((s, i) => {
    const p = `$.data.metrics[${i}]`;
    ref(runs.has(s.runId), `${p}.runId`, 'run', s.runId);
    const key = `${s.runId}\u0000${s.name}`;
    if (seriesKeys.has(key)) throw new BundleError(`second series ${s.name} for run ${s.runId}`, p);
    seriesKeys.add(key);
    const n = s.steps.length;
    if (s.tokens.length !== n || s.wallMs.length !== n || s.values.length !== n)
      throw new BundleError('steps, tokens, wallMs and values must have the same length', p);
    for (let k = 1; k < n; k++)
      if (s.steps[k] <= s.steps[k - 1])
        throw new BundleError('steps must be strictly increasing', `${p}.steps[${k}]`);
  });
  const checkpointKeys = new Set<string>();
  d.checkpoints.forEach((c, i) => {
    const p = `$.data.checkpoints[${i}]`;
    ref(runs.has(c.runId), `${p}.runId`, 'run', c.runId);
    const key = `${c.runId}:${c.step}`;
    if (checkpointKeys.has(key))
      throw new BundleError(`second checkpoint at step ${c.step} for run ${c.runId}`, p);
    checkpointKeys.add(key);
    for (const k of ['weights', 'optimizer'] as const) {
      try {
        decodeTensors(Buffer.from(c[k], 'base64'));
      } catch (err) {
        if (err instanceof CorruptTensorsError) throw new BundleError(err.message, `${p}.${k}`);
        throw err;
      }
    }
  });
  d.analyses.forEach((a, i) => {
    const p = `$.data.analyses[${i}]`;
    if (a.experimentId !== null)
      ref(exps.has(a.experimentId), `${p}.experimentId`, 'experiment', a.experimentId);
    a.runIds.forEach((r, k) => ref(runs.has(r), `${p}.runIds[${k}]`, 'run', r));
  });
  d.samples.forEach((s, i) => ref(runs.has(s.runId), `$.data.samples[${i}].runId`, 'run', s.runId));
}

const metricValue = (v: number | string): number | null =>
  typeof v === 'number' ? v : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : null;

/**
 * Validates the bundle at `file` and imports it into `store` (see the top of this file).
 * Throws BundleError (with the JSON path of the first problem) or DuplicateImportError; on any
 * error nothing of the bundle remains in the store.
 */
export function importBundle(store: Store, file: string, opts: ImportOptions = {}): ImportResult {
  const bundle = readBundle(file, opts);
  const clock = opts.now ?? Date.now;
  const db = store.db;
  const d = bundle.data;

  const alreadyImported = (): DuplicateImportError | null => {
    const prior = db
      .prepare('SELECT imported_at FROM imports WHERE bundle_checksum = ?')
      .pluck()
      .get(bundle.checksum) as number | undefined;
    return prior === undefined
      ? null
      : new DuplicateImportError(
          `this bundle was already imported (at ${new Date(prior).toISOString()})`,
        );
  };
  const uidTaken = (table: 'experiments' | 'runs', uid: string) =>
    db.prepare(`SELECT 1 FROM ${table} WHERE uid = ?`).get(uid) !== undefined;
  // Refusals come before the first write: the store stays byte-identical.
  const dup = alreadyImported();
  if (dup) throw dup;
  for (const e of d.experiments)
    if (uidTaken('experiments', e.uid))
      throw new DuplicateImportError(
        `experiment "${e.name}" (uid ${e.uid}) is already in this store`,
      );
  for (const r of d.runs)
    if (uidTaken('runs', r.uid))
      throw new DuplicateImportError(`run "${r.name}" (uid ${r.uid}) is already in this store`);

  const staging = beginStaging(db, store.retry, basename(file), clock());
  const writes = new ChunkedWrites(db, store.retry, opts.chunks);
  try {
    const ids = stageRows(store, bundle, staging, writes, clock);
    writes.commit();
    return store.retry(() =>
      db
        .transaction((): ImportResult => {
          // Another process may have imported the same bundle meanwhile (its uids would have
          // collided with ours unless it finished first).
          const again = alreadyImported();
          if (again) throw again;
          return publish(store, bundle, staging, ids, file, clock());
        })
        .immediate(),
    );
  } catch (err) {
    writes.rollback();
    discardStaging(db, store.retry, staging, opts.chunks);
    if (isUniqueViolation(err))
      throw new DuplicateImportError(
        'an experiment or run of this bundle was added to the store while importing it',
      );
    throw err;
  }
}

const isUniqueViolation = (err: unknown) =>
  (err as { code?: string })?.code === 'SQLITE_CONSTRAINT_UNIQUE';

interface StagedIds {
  experiments: Record<number, number>;
  runs: Record<number, number>;
  metricPoints: number;
}

/** Writes every row but the datasets, invisible under `staging`, a bounded chunk at a time. */
function stageRows(
  store: Store,
  bundle: Bundle,
  staging: string,
  writes: ChunkedWrites,
  clock: () => number,
): StagedIds {
  const db = store.db;
  const d = bundle.data;
  const insExp = db.prepare(
    `INSERT INTO experiments (uid, name, spec, notes, created_at, staging) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  // dataset_id is set when publishing: datasets are shared rows, added only then.
  const insRun = db.prepare(
    `INSERT INTO runs (uid, experiment_id, dataset_id, name, variant, init_seed, data_seed,
       backend, device, versions, status, status_reason, error, created_at, started_at, ended_at)
     VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const nameId = db.prepare('SELECT id FROM metric_names WHERE name = ?').pluck();
  const addName = db.prepare('INSERT INTO metric_names (name) VALUES (?)');
  const insMetric = db.prepare(
    `INSERT INTO metrics (run_id, name_id, step, tokens, wall_ms, value) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insCk = db.prepare(
    `INSERT INTO checkpoints
       (run_id, step, tokens, weights, optimizer, data_cursor, rng_state, meta, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const ids: StagedIds = { experiments: {}, runs: {}, metricPoints: 0 };

  for (const e of d.experiments)
    writes.run(() => {
      ids.experiments[e.id] = Number(
        insExp.run(
          e.uid,
          e.name,
          toJsonText(e.spec, 'experiment spec'),
          e.notes,
          e.createdAt,
          staging,
        ).lastInsertRowid,
      );
    });
  for (const r of d.runs)
    writes.run(() => {
      // No local process owns an imported run: one that was running is interrupted here.
      const running = r.status === 'running';
      ids.runs[r.id] = Number(
        insRun.run(
          r.uid,
          ids.experiments[r.experimentId],
          r.name,
          toJsonText(r.variant, 'run variant'),
          r.initSeed,
          r.dataSeed,
          r.backend,
          r.device,
          toJsonText(r.versions, 'run versions'),
          running ? 'interrupted' : r.status,
          running ? 'imported while running' : r.statusReason,
          r.error,
          r.createdAt,
          r.startedAt,
          r.endedAt,
        ).lastInsertRowid,
      );
    });
  const ROWS = 2000;
  for (const s of d.metrics) {
    const run = ids.runs[s.runId];
    const nid = writes.run(
      () =>
        (nameId.get(s.name) as number | undefined) ?? Number(addName.run(s.name).lastInsertRowid),
    );
    for (let from = 0; from < s.steps.length; from += ROWS)
      writes.run(() => {
        const to = Math.min(s.steps.length, from + ROWS);
        for (let k = from; k < to; k++)
          insMetric.run(run, nid, s.steps[k], s.tokens[k], s.wallMs[k], metricValue(s.values[k]));
        touchStaging(db, staging, clock());
      });
    ids.metricPoints += s.steps.length;
  }
  for (const c of d.checkpoints)
    writes.run(() => {
      insCk.run(
        ids.runs[c.runId],
        c.step,
        c.tokens,
        Buffer.from(c.weights, 'base64'),
        Buffer.from(c.optimizer, 'base64'),
        toJsonText(c.dataCursor, 'data cursor'),
        toJsonText(c.rngState, 'rng state'),
        toJsonText(c.meta, 'meta'),
        c.createdAt,
      );
      touchStaging(db, staging, clock());
    });
  for (const a of d.analyses)
    writes.run(() =>
      store.analyses.create(
        {
          experimentId: a.experimentId === null ? null : ids.experiments[a.experimentId],
          kind: a.kind,
          runIds: a.runIds.map((r) => ids.runs[r]),
          step: a.step,
          layers: a.layers,
          params: a.params as JsonObject,
          result: a.result,
        },
        { createdAt: a.createdAt },
      ),
    );
  for (const s of d.samples)
    writes.run(() =>
      store.samples.create(
        {
          runId: ids.runs[s.runId],
          step: s.step,
          prompt: s.prompt,
          output: s.output,
          params: s.params as JsonObject,
        },
        { createdAt: s.createdAt },
      ),
    );
  return ids;
}

/** The final short transaction: datasets, run → dataset links, visibility, the imports row. */
function publish(
  store: Store,
  bundle: Bundle,
  staging: string,
  ids: StagedIds,
  file: string,
  now: number,
): ImportResult {
  const db = store.db;
  const d = bundle.data;
  const dsIds: Record<number, number> = {};
  for (const ds of d.datasets)
    dsIds[ds.id] = store.datasets.ensure(
      {
        kind: ds.kind,
        name: ds.name,
        params: ds.params as JsonObject,
        contentHash: ds.contentHash,
        tokenizer: ds.tokenizer as JsonObject,
      },
      { createdAt: ds.createdAt },
    ).id;
  const link = db.prepare('UPDATE runs SET dataset_id = ? WHERE id = ?');
  for (const r of d.runs) if (r.datasetId !== null) link.run(dsIds[r.datasetId], ids.runs[r.id]);
  publishStaging(db, staging);
  // Fine-tuning lineage: re-link each run to its parent by the uid its variant keeps, when the
  // parent is in this store (imported just now or already here).
  for (const r of d.runs) {
    const p = (r.variant as { parent?: { runUid?: unknown; step?: unknown } }).parent;
    if (typeof p?.runUid !== 'string' || !Number.isInteger(p.step)) continue;
    const parent = store.runs.getByUid(p.runUid);
    if (parent) store.runs.setParent(ids.runs[r.id], { runId: parent.id, step: p.step as number });
  }
  const counts = {
    experiments: d.experiments.length,
    datasets: d.datasets.length,
    runs: d.runs.length,
    metricPoints: ids.metricPoints,
    checkpoints: d.checkpoints.length,
    analyses: d.analyses.length,
    samples: d.samples.length,
  };
  const importId = Number(
    db
      .prepare(
        'INSERT INTO imports (bundle_checksum, source, imported_at, summary) VALUES (?, ?, ?, ?)',
      )
      .run(
        bundle.checksum,
        basename(file),
        now,
        toJsonText(
          { counts, experimentIds: ids.experiments, producer: bundle.producer },
          'summary',
        ),
      ).lastInsertRowid,
  );
  return {
    importId,
    checksum: bundle.checksum,
    experimentIds: ids.experiments,
    runIds: ids.runs,
    counts,
  };
}
