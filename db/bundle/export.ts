/**
 * JSON bundle export: a versioned, checksummed, self-contained copy of experiments with their
 * datasets, runs, metrics, analyses, samples and (optionally) checkpoints, for sharing and for
 * merging stores from several machines.
 *
 * File layout (one JSON object, keys in this order):
 *   { "format": "homolab-bundle", "version": 1, "createdAt": <ms>, "producer": "...",
 *     "includesCheckpoints": <bool>, "data": { experiments, datasets, runs, metrics,
 *     checkpoints, analyses, samples }, "checksum": "sha256:<hex>" }
 * The checksum covers the exact text of `data`, which is written compactly, exactly as
 * JSON.stringify would write it, so an importer recomputes it as sha256(JSON.stringify(data)).
 * Ids inside `data` are this store's ids, meaningful only within the bundle. Metrics are one
 * columnar series per (run, metric); NaN/±Infinity values are the strings "NaN", "Infinity",
 * "-Infinity". Checkpoint blobs are base64 of the tensor-codec encoding (CRC-32 inside).
 *
 * Streaming: rows are read through a snapshot connection and written as they come; at most one
 * metric series (and one checkpoint) is held in memory at a time.
 */
import { createHash } from 'node:crypto';
import { ChunkedFileWriter, writeAtomically } from '../atomic-file';
import { metricsOfRun } from '../export/rows';
import { openSnapshot, yieldToEventLoop, type ExportScope } from '../export/snapshot';
import type { Store } from '../store';
import type { Json } from '../types';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  type BundleAnalysis,
  type BundleCheckpoint,
  type BundleDataset,
  type BundleExperiment,
  type BundleRun,
  type BundleSample,
  type BundleSeries,
} from './schema';

export interface BundleExportOptions extends ExportScope {
  /** Include checkpoints (weights and optimizer state; can be large). Default false. */
  includeCheckpoints?: boolean;
  /** Recorded in the bundle's `producer` field. */
  producer?: string;
  now?: () => number;
}

export interface BundleExportResult {
  checksum: string;
  bytes: number;
  counts: Record<string, number>;
}

function metricValue(v: number | null): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (v === null || Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

const j = (text: string): Json => JSON.parse(text) as Json;

export async function exportBundle(
  store: Store,
  dest: string,
  opts: BundleExportOptions = {},
): Promise<BundleExportResult> {
  const includeCheckpoints = opts.includeCheckpoints ?? false;
  return writeAtomically(dest, async (tmp) => {
    const snap = openSnapshot(store, opts);
    const out = new ChunkedFileWriter(tmp);
    const hash = createHash('sha256');
    const counts: Record<string, number> = {};
    const data = (text: string): void => {
      hash.update(text);
      out.write(text);
    };
    try {
      const db = snap.db;
      const head = {
        format: BUNDLE_FORMAT,
        version: BUNDLE_VERSION,
        createdAt: (opts.now ?? Date.now)(),
        producer: opts.producer ?? 'homolab',
        includesCheckpoints: includeCheckpoints,
      };
      out.write(JSON.stringify(head).slice(0, -1) + ',"data":');

      // Writes `"key":[row,row,…]` from an iterable of plain objects.
      let firstSection = true;
      const section = async <T>(key: string, rows: Iterable<T>): Promise<void> => {
        data(`${firstSection ? '{' : ','}${JSON.stringify(key)}:[`);
        firstSection = false;
        let n = 0;
        for (const row of rows) {
          data((n ? ',' : '') + JSON.stringify(row));
          if (++n % 256 === 0 && snap.canYield) await yieldToEventLoop();
        }
        data(']');
        counts[key] = n;
      };

      const inList = (ids: number[]): string => ids.map((x) => Math.trunc(x)).join(',') || 'NULL';
      const runList = inList(snap.runIds);

      await section<BundleExperiment>(
        'experiments',
        (
          db
            .prepare(
              `SELECT * FROM experiments WHERE id IN (${inList(snap.experimentIds)}) ORDER BY id`,
            )
            .all() as {
            id: number;
            uid: string;
            name: string;
            spec: string;
            notes: string;
            created_at: number;
          }[]
        ).map((r) => ({
          id: r.id,
          uid: r.uid,
          name: r.name,
          spec: j(r.spec) as BundleExperiment['spec'],
          notes: r.notes,
          createdAt: r.created_at,
        })),
      );

      await section<BundleDataset>(
        'datasets',
        (
          db
            .prepare(
              `SELECT * FROM datasets WHERE id IN
                 (SELECT dataset_id FROM runs WHERE id IN (${runList})) ORDER BY id`,
            )
            .all() as {
            id: number;
            kind: string;
            name: string;
            params: string;
            content_hash: string;
            tokenizer: string;
            created_at: number;
          }[]
        ).map((r) => ({
          id: r.id,
          kind: r.kind,
          name: r.name,
          params: j(r.params) as BundleDataset['params'],
          contentHash: r.content_hash,
          tokenizer: j(r.tokenizer) as BundleDataset['tokenizer'],
          createdAt: r.created_at,
        })),
      );

      await section<BundleRun>(
        'runs',
        (
          db.prepare(`SELECT * FROM runs WHERE id IN (${runList}) ORDER BY id`).all() as {
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
            status: BundleRun['status'];
            status_reason: string | null;
            error: string | null;
            created_at: number;
            started_at: number | null;
            ended_at: number | null;
          }[]
        ).map((r) => ({
          id: r.id,
          uid: r.uid,
          experimentId: r.experiment_id,
          datasetId: r.dataset_id,
          name: r.name,
          variant: j(r.variant) as BundleRun['variant'],
          initSeed: r.init_seed,
          dataSeed: r.data_seed,
          backend: r.backend,
          device: r.device,
          versions: j(r.versions) as BundleRun['versions'],
          status: r.status,
          statusReason: r.status_reason,
          error: r.error,
          createdAt: r.created_at,
          startedAt: r.started_at,
          endedAt: r.ended_at,
        })),
      );

      // One series at a time: group the run's (metric, step)-ordered rows by metric.
      function* series(): Generator<BundleSeries> {
        for (const runId of snap.runIds) {
          let cur: BundleSeries | null = null;
          for (const [name, step, tokens, wallMs, value] of metricsOfRun(db, runId)) {
            if (!cur || cur.name !== name) {
              if (cur) yield cur;
              cur = { runId, name, steps: [], tokens: [], wallMs: [], values: [] };
            }
            cur.steps.push(step);
            cur.tokens.push(tokens);
            cur.wallMs.push(wallMs);
            cur.values.push(metricValue(value));
          }
          if (cur) yield cur;
        }
      }
      await section('metrics', series());

      function* checkpoints(): Generator<BundleCheckpoint> {
        if (!includeCheckpoints) return;
        const ids = db
          .prepare(`SELECT id FROM checkpoints WHERE run_id IN (${runList}) ORDER BY run_id, step`)
          .pluck()
          .all() as number[];
        const one = db.prepare('SELECT * FROM checkpoints WHERE id = ?');
        for (const cid of ids) {
          const r = one.get(cid) as {
            run_id: number;
            step: number;
            tokens: number;
            weights: Buffer;
            optimizer: Buffer;
            data_cursor: string;
            rng_state: string;
            meta: string;
            created_at: number;
          };
          yield {
            runId: r.run_id,
            step: r.step,
            tokens: r.tokens,
            weights: r.weights.toString('base64'),
            optimizer: r.optimizer.toString('base64'),
            dataCursor: j(r.data_cursor),
            rngState: j(r.rng_state),
            meta: j(r.meta) as BundleCheckpoint['meta'],
            createdAt: r.created_at,
          };
        }
      }
      await section('checkpoints', checkpoints());

      // Analyses whose runs are all exported (and whose experiment, if any, is).
      const runSet = new Set(snap.runIds);
      const expSet = new Set(snap.experimentIds);
      const analyses = (
        db
          .prepare(
            `SELECT a.*, (SELECT json_group_array(run_id) FROM (SELECT run_id FROM analysis_runs
               WHERE analysis_id = a.id ORDER BY position)) AS run_ids FROM analyses a ORDER BY a.id`,
          )
          .all() as {
          id: number;
          experiment_id: number | null;
          kind: string;
          step: number | null;
          layers: string;
          params: string;
          result: string;
          created_at: number;
          run_ids: string;
        }[]
      )
        .map((r): BundleAnalysis => ({
          id: r.id,
          experimentId: r.experiment_id,
          kind: r.kind,
          runIds: JSON.parse(r.run_ids) as number[],
          step: r.step,
          layers: j(r.layers),
          params: j(r.params) as BundleAnalysis['params'],
          result: j(r.result),
          createdAt: r.created_at,
        }))
        .filter(
          (a) =>
            (a.experimentId === null ? a.runIds.length > 0 : expSet.has(a.experimentId)) &&
            a.runIds.every((r) => runSet.has(r)),
        );
      await section('analyses', analyses);

      function* samples(): Generator<BundleSample> {
        const rows = db
          .prepare(`SELECT * FROM samples WHERE run_id IN (${runList}) ORDER BY run_id, step, id`)
          .iterate() as IterableIterator<{
          run_id: number;
          step: number;
          prompt: string;
          output: string;
          params: string;
          created_at: number;
        }>;
        for (const r of rows)
          yield {
            runId: r.run_id,
            step: r.step,
            prompt: r.prompt,
            output: r.output,
            params: j(r.params) as BundleSample['params'],
            createdAt: r.created_at,
          };
      }
      await section('samples', samples());
      data('}');
      const checksum = `sha256:${hash.digest('hex')}`;
      out.write(`,"checksum":${JSON.stringify(checksum)}}`);
      out.close();
      return { checksum, bytes: out.bytesWritten, counts };
    } catch (err) {
      try {
        out.close();
      } catch {
        // already failing
      }
      throw err;
    } finally {
      snap.close();
    }
  });
}
