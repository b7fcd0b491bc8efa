/**
 * Parquet export of the same long-format rows as the CSV export, streamed in row groups of
 * `rowGroupSize` rows (default 65,536) so memory stays bounded by one group.
 *
 * Column types: ids, seeds, step and tokens INT64; wall_ms and value DOUBLE (NaN and ±Infinity
 * kept); text UTF-8 strings; each `variant.<path>` column is DOUBLE if every run's value is a
 * number, BOOLEAN if every one is a boolean, else STRING, and nullable (runs may lack a field).
 * Compression: Snappy (readable by pyarrow, pandas, polars, DuckDB, Spark).
 */
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import type { ColumnSource } from 'hyparquet-writer';
import { writeAtomically } from '../atomic-file';
import type { Store } from '../store';
import { loadRunContexts, metricsOfRun, variantPaths, type RunContext } from './rows';
import { openSnapshot, yieldToEventLoop, type ExportScope } from './snapshot';
import type { ExportResult } from './csv';

// hyparquet-writer bundles its own hyparquet; take its schema type from the writer itself.
type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

export interface ParquetExportOptions extends ExportScope {
  rowGroupSize?: number;
  onProgress?: (rows: number) => void;
}

type VariantKind = 'DOUBLE' | 'BOOLEAN' | 'STRING';
type Scalar = string | number | boolean | null | undefined;

function variantKind(runs: RunContext[], path: string): VariantKind {
  let num = true;
  let bool = true;
  for (const r of runs) {
    const v = r.variant.get(path);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number') num = false;
    if (typeof v !== 'boolean') bool = false;
  }
  return num ? 'DOUBLE' : bool ? 'BOOLEAN' : 'STRING';
}

function convert(v: Scalar, kind: VariantKind): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  if (kind === 'STRING') return typeof v === 'string' ? v : JSON.stringify(v);
  return v;
}

const int64 = (name: string): SchemaElement => ({
  name,
  type: 'INT64',
  repetition_type: 'REQUIRED',
});
const double = (name: string): SchemaElement => ({
  name,
  type: 'DOUBLE',
  repetition_type: 'REQUIRED',
});
const text = (name: string): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  repetition_type: 'REQUIRED',
});

export async function exportParquet(
  store: Store,
  dest: string,
  opts: ParquetExportOptions = {},
): Promise<ExportResult> {
  const groupRows = Math.max(1, opts.rowGroupSize ?? 65_536);
  return writeAtomically(dest, async (tmp) => {
    const snap = openSnapshot(store, opts);
    try {
      const runs = loadRunContexts(snap);
      const paths = variantPaths(runs);
      const kinds = paths.map((p) => variantKind(runs, p));
      const fields: SchemaElement[] = [
        int64('experiment_id'),
        text('experiment'),
        int64('run_id'),
        text('run'),
        text('status'),
        int64('init_seed'),
        int64('data_seed'),
        text('backend'),
        text('device'),
        ...paths.map((p, i): SchemaElement => ({
          name: `variant.${p}`,
          type: kinds[i] === 'STRING' ? 'BYTE_ARRAY' : kinds[i],
          ...(kinds[i] === 'STRING' ? { converted_type: 'UTF8' as const } : {}),
          repetition_type: 'OPTIONAL',
        })),
        int64('step'),
        int64('tokens'),
        double('wall_ms'),
        text('metric'),
        double('value'),
      ];
      const schema: SchemaElement[] = [{ name: 'root', num_children: fields.length }, ...fields];
      const writer = fileWriter(tmp);
      const pq = new ParquetWriter({
        writer,
        schema,
        codec: 'SNAPPY',
        createdBy: 'homolab',
        kvMetadata: [{ key: 'homolab.export', value: 'metrics-long/1' }],
      });

      // Column buffers for one row group, reused.
      const step = new BigInt64Array(groupRows);
      const tokens = new BigInt64Array(groupRows);
      const wall = new Float64Array(groupRows);
      const value = new Float64Array(groupRows);
      let metric: string[] = [];
      let runOf: RunContext[] = [];
      let n = 0;
      let rows = 0;

      const flush = async (): Promise<void> => {
        if (!n) return;
        const constant = <T>(get: (r: RunContext) => T): T[] => runOf.map(get);
        const columnData: ColumnSource[] = [
          { name: 'experiment_id', data: BigInt64Array.from(runOf, (r) => BigInt(r.experimentId)) },
          { name: 'experiment', data: constant((r) => r.experimentName) },
          { name: 'run_id', data: BigInt64Array.from(runOf, (r) => BigInt(r.runId)) },
          { name: 'run', data: constant((r) => r.runName) },
          { name: 'status', data: constant((r) => r.status) },
          { name: 'init_seed', data: BigInt64Array.from(runOf, (r) => BigInt(r.initSeed)) },
          { name: 'data_seed', data: BigInt64Array.from(runOf, (r) => BigInt(r.dataSeed)) },
          { name: 'backend', data: constant((r) => r.backend) },
          { name: 'device', data: constant((r) => r.device) },
          ...paths.map((p, i): ColumnSource => ({
            name: `variant.${p}`,
            data: constant((r) => convert(r.variant.get(p), kinds[i])),
          })),
          { name: 'step', data: step.subarray(0, n) },
          { name: 'tokens', data: tokens.subarray(0, n) },
          { name: 'wall_ms', data: wall.subarray(0, n) },
          { name: 'metric', data: metric },
          { name: 'value', data: value.subarray(0, n) },
        ];
        await pq.write({ columnData, rowGroupSize: n });
        rows += n;
        n = 0;
        metric = [];
        runOf = [];
        opts.onProgress?.(rows);
        if (snap.canYield) await yieldToEventLoop();
      };

      for (const run of runs) {
        for (const [name, s, t, w, v] of metricsOfRun(snap.db, run.runId)) {
          step[n] = BigInt(s);
          tokens[n] = BigInt(t);
          wall[n] = w;
          value[n] = v === null ? NaN : v;
          metric.push(name);
          runOf.push(run);
          n++;
          if (n === groupRows) await flush();
        }
      }
      await flush();
      await pq.finish();
      return { rows, bytes: writer.offset };
    } finally {
      snap.close();
    }
  });
}
