/**
 * Importing a JSON bundle (see export.ts for the format) into a store.
 *
 * Hostile input is expected: the file size is checked before reading, nesting depth before
 * parsing, then forbidden keys and non-finite numbers, then the strict versioned schema, the
 * checksum and the references between rows. Only then is anything written, in one IMMEDIATE
 * transaction with new ids for every row; any failure leaves the store exactly as it was.
 * Importing a bundle whose checksum, experiment uid or run uid is already in the store fails
 * with DuplicateImportError.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { decodeTensors, CorruptTensorsError } from '../tensor-codec';
import type { Store } from '../store';
import type { JsonObject } from '../types';
import { BUNDLE_FORMAT, BUNDLE_VERSION, bundleSchema, type Bundle } from './schema';
import { BundleError, checkDepth, checkValues, parseJson, readLimited } from './safe-json';
import { toJsonText } from '../json';
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
  checkDepth(text, opts.maxDepth ?? 64);
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
  d.checkpoints.forEach((c, i) => {
    const p = `$.data.checkpoints[${i}]`;
    ref(runs.has(c.runId), `${p}.runId`, 'run', c.runId);
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
 * Validates the bundle at `file` and imports it into `store` in one transaction. Throws
 * BundleError (with the JSON path of the first problem) or DuplicateImportError; the store is
 * unchanged on any error.
 */
export function importBundle(store: Store, file: string, opts: ImportOptions = {}): ImportResult {
  const bundle = readBundle(file, opts);
  const now = (opts.now ?? Date.now)();
  const db = store.db;
  const d = bundle.data;

  return db
    .transaction((): ImportResult => {
      const prior = db
        .prepare('SELECT imported_at FROM imports WHERE bundle_checksum = ?')
        .pluck()
        .get(bundle.checksum) as number | undefined;
      if (prior !== undefined)
        throw new DuplicateImportError(
          `this bundle was already imported (at ${new Date(prior).toISOString()})`,
        );
      for (const e of d.experiments)
        if (store.experiments.getByUid(e.uid))
          throw new DuplicateImportError(
            `experiment "${e.name}" (uid ${e.uid}) is already in this store`,
          );
      for (const r of d.runs)
        if (store.runs.getByUid(r.uid))
          throw new DuplicateImportError(`run "${r.name}" (uid ${r.uid}) is already in this store`);

      const expIds: Record<number, number> = {};
      const dsIds: Record<number, number> = {};
      const runIds: Record<number, number> = {};
      for (const e of d.experiments)
        expIds[e.id] = store.experiments.create(
          { name: e.name, spec: e.spec as JsonObject, notes: e.notes },
          { uid: e.uid, createdAt: e.createdAt },
        ).id;
      for (const ds of d.datasets)
        dsIds[ds.id] = store.datasets.ensure({
          kind: ds.kind,
          name: ds.name,
          params: ds.params as JsonObject,
          contentHash: ds.contentHash,
          tokenizer: ds.tokenizer as JsonObject,
        }).id;
      const setState = db.prepare(
        `UPDATE runs SET status = ?, status_reason = ?, error = ?, started_at = ?, ended_at = ?
         WHERE id = ?`,
      );
      for (const r of d.runs) {
        const id = store.runs.create(
          {
            experimentId: expIds[r.experimentId],
            datasetId: r.datasetId === null ? null : dsIds[r.datasetId],
            name: r.name,
            variant: r.variant as JsonObject,
            initSeed: r.initSeed,
            dataSeed: r.dataSeed,
            backend: r.backend,
            device: r.device,
            versions: r.versions,
          },
          { uid: r.uid, createdAt: r.createdAt },
        ).id;
        // No local process owns an imported run: one that was running is interrupted here.
        const running = r.status === 'running';
        setState.run(
          running ? 'interrupted' : r.status,
          running ? 'imported while running' : r.statusReason,
          r.error,
          r.startedAt,
          r.endedAt,
          id,
        );
        runIds[r.id] = id;
      }
      // Fine-tuning lineage: re-link each run to its parent by the uid its variant keeps, when
      // the parent is in this store (imported just now or already here).
      for (const r of d.runs) {
        const p = (r.variant as { parent?: { runUid?: unknown; step?: unknown } }).parent;
        if (typeof p?.runUid !== 'string' || !Number.isInteger(p.step)) continue;
        const parent = store.runs.getByUid(p.runUid);
        if (parent)
          store.runs.setParent(runIds[r.id], { runId: parent.id, step: p.step as number });
      }
      const nameId = db.prepare('SELECT id FROM metric_names WHERE name = ?').pluck();
      const addName = db.prepare('INSERT INTO metric_names (name) VALUES (?)');
      const insMetric = db.prepare(
        `INSERT INTO metrics (run_id, name_id, step, tokens, wall_ms, value) VALUES (?, ?, ?, ?, ?, ?)`,
      );
      let metricPoints = 0;
      for (const s of d.metrics) {
        const nid =
          (nameId.get(s.name) as number | undefined) ?? Number(addName.run(s.name).lastInsertRowid);
        const run = runIds[s.runId];
        for (let k = 0; k < s.steps.length; k++)
          insMetric.run(run, nid, s.steps[k], s.tokens[k], s.wallMs[k], metricValue(s.values[k]));
        metricPoints += s.steps.length;
      }
      const insCk = db.prepare(
        `INSERT INTO checkpoints
           (run_id, step, tokens, weights, optimizer, data_cursor, rng_state, meta, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const c of d.checkpoints)
        insCk.run(
          runIds[c.runId],
          c.step,
          c.tokens,
          Buffer.from(c.weights, 'base64'),
          Buffer.from(c.optimizer, 'base64'),
          toJsonText(c.dataCursor, 'data cursor'),
          toJsonText(c.rngState, 'rng state'),
          toJsonText(c.meta, 'meta'),
          c.createdAt,
        );
      for (const a of d.analyses)
        store.analyses.create(
          {
            experimentId: a.experimentId === null ? null : expIds[a.experimentId],
            kind: a.kind,
            runIds: a.runIds.map((r) => runIds[r]),
            step: a.step,
            layers: a.layers,
            params: a.params as JsonObject,
            result: a.result,
          },
          { createdAt: a.createdAt },
        );
      for (const s of d.samples)
        store.samples.create(
          {
            runId: runIds[s.runId],
            step: s.step,
            prompt: s.prompt,
            output: s.output,
            params: s.params as JsonObject,
          },
          { createdAt: s.createdAt },
        );
      const counts = {
        experiments: d.experiments.length,
        datasets: d.datasets.length,
        runs: d.runs.length,
        metricPoints,
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
            toJsonText({ counts, experimentIds: expIds, producer: bundle.producer }, 'summary'),
          ).lastInsertRowid,
      );
      return { importId, checksum: bundle.checksum, experimentIds: expIds, runIds, counts };
    })
    .immediate();
}
