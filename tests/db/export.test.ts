import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText, exportCsv } from '../../db/export/csv';
import { exportParquet } from '../../db/export/parquet';
import { flattenVariant } from '../../db/export/rows';
import type { Store } from '../../db/store';
import type { Json } from '../../db/types';
import { parseCsv } from './csv-parse';
import { openTemp, populate, tempDir, type TempDir } from './helpers';

let t: TempDir;
let s: Store;
let runIds: number[];

interface Expected {
  experimentId: number;
  experiment: string;
  runId: number;
  run: string;
  status: string;
  initSeed: number;
  dataSeed: number;
  variant: Map<string, string | number | boolean | null>;
  metric: string;
  step: number;
  tokens: number;
  wallMs: number;
  value: number;
}

/** The rows every long-format export must contain, from the repositories (not the exporter). */
function expectedRows(): Expected[] {
  const out: Expected[] = [];
  for (const id of runIds) {
    const run = s.runs.require(id);
    const exp = s.experiments.require(run.experimentId);
    // Metric order within a run: by first use of the name in the store (interned id order).
    for (const metric of ['loss', 'val/acc']) {
      const ser = s.metrics.series(id, metric);
      ser.steps.forEach((step, i) =>
        out.push({
          experimentId: exp.id,
          experiment: exp.name,
          runId: id,
          run: run.name,
          status: run.status,
          initSeed: run.initSeed,
          dataSeed: run.dataSeed,
          variant: flattenVariant(run.variant as Json),
          metric,
          step,
          tokens: ser.tokens![i],
          wallMs: ser.wallMs![i],
          value: ser.values[i],
        }),
      );
    }
  }
  return out;
}

beforeAll(() => {
  t = tempDir();
  s = openTemp(t);
  runIds = populate(s).runIds;
});
afterAll(() => {
  s.close();
  t.cleanup();
});

describe('CSV export', () => {
  it('escapes formula-like text cells and quotes per RFC 4180', () => {
    expect(csvText('=1+2')).toBe("'=1+2");
    expect(csvText('+x')).toBe("'+x");
    expect(csvText('-x')).toBe("'-x");
    expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvText('\tx')).toBe("'\tx");
    expect(csvText('a,"b"\r\nc')).toBe('"a,""b""\r\nc"');
    expect(csvText('=a,b')).toBe('"\'=a,b"');
    expect(csvText('plain')).toBe('plain');
  });

  it('writes the long format that reads back to the stored values', async () => {
    const dest = t.file('out.csv');
    const res = await exportCsv(s, dest);
    const rows = parseCsv(readFileSync(dest, 'utf8'));
    const header = rows.shift()!;
    expect(header.slice(0, 9)).toEqual([
      'experiment_id',
      'experiment',
      'run_id',
      'run',
      'status',
      'init_seed',
      'data_seed',
      'backend',
      'device',
    ]);
    expect(header.slice(-5)).toEqual(['step', 'tokens', 'wall_ms', 'metric', 'value']);
    const variantCols = header.slice(9, -5);
    expect(variantCols).toEqual(
      expect.arrayContaining([
        'variant.model.dModel',
        'variant.model.activation',
        'variant.tags',
        'variant.extra',
      ]),
    );
    const want = expectedRows();
    expect(res.rows).toBe(want.length);
    expect(rows.length).toBe(want.length);
    const unescape = (c: string): string => (/^'[=+\-@\t\r]/.test(c) ? c.slice(1) : c);
    rows.forEach((r, i) => {
      const w = want[i];
      const col = (name: string): string => r[header.indexOf(name)];
      expect(Number(col('experiment_id'))).toBe(w.experimentId);
      expect(unescape(col('experiment'))).toBe(w.experiment);
      expect(Number(col('run_id'))).toBe(w.runId);
      expect(unescape(col('run'))).toBe(w.run);
      expect(col('status')).toBe(w.status);
      expect(Number(col('init_seed'))).toBe(w.initSeed);
      expect(col('metric')).toBe(w.metric);
      expect(Number(col('step'))).toBe(w.step);
      expect(Number(col('tokens'))).toBe(w.tokens);
      expect(Number(col('wall_ms'))).toBe(w.wallMs);
      expect(Number(col('value'))).toEqual(w.value); // Number('NaN'/'Infinity') round-trips
      for (const vc of variantCols) {
        const v = w.variant.get(vc.slice('variant.'.length));
        expect(unescape(col(vc))).toBe(v === undefined || v === null ? '' : String(v));
      }
    });
    // The formula guard applied to text cells from the fixture.
    expect(rows.some((r) => r[1] === "'=cmd|evil")).toBe(true);
    expect(rows.some((r) => r[3] === "'+run, two")).toBe(true);
    expect(rows.some((r) => r.includes("'-relu"))).toBe(true);
    // Negative numbers stay numbers.
    expect(rows.some((r) => r[r.length - 1] === '-Infinity')).toBe(true);
    // No temp file left behind.
    expect(readdirSync(t.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('honours the scope and never leaves a partial file on failure', async () => {
    const dest = t.file('scoped.csv');
    await exportCsv(s, dest, { runIds: [runIds[2]] });
    const rows = parseCsv(readFileSync(dest, 'utf8'));
    expect(new Set(rows.slice(1).map((r) => r[2]))).toEqual(new Set([String(runIds[2])]));

    writeFileSync(t.file('keep.csv'), 'old');
    await expect(exportCsv(s, t.file('keep.csv'), { experimentIds: [12345] })).rejects.toThrow(
      /experiment 12345 not found/,
    );
    expect(readFileSync(t.file('keep.csv'), 'utf8')).toBe('old');
    expect(readdirSync(t.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('Parquet export', () => {
  it('is read back by hyparquet (an independent reader) with the same rows and types', async () => {
    const dest = t.file('out.parquet');
    const res = await exportParquet(s, dest, { rowGroupSize: 500 });
    const buf = readFileSync(dest);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const meta = parquetMetadata(file);
    expect(Number(meta.num_rows)).toBe(res.rows);
    expect(meta.row_groups.length).toBe(Math.ceil(res.rows / 500));
    const byName = new Map(meta.schema.map((e) => [e.name, e]));
    expect(byName.get('step')?.type).toBe('INT64');
    expect(byName.get('value')?.type).toBe('DOUBLE');
    expect(byName.get('variant.model.dModel')?.type).toBe('DOUBLE');
    expect(byName.get('variant.model.tied')?.type).toBe('BOOLEAN');
    expect(byName.get('variant.extra')?.type).toBe('BYTE_ARRAY');
    const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
    const want = expectedRows();
    expect(rows.length).toBe(want.length);
    rows.forEach((r, i) => {
      const w = want[i];
      expect(Number(r.experiment_id)).toBe(w.experimentId);
      expect(r.experiment).toBe(w.experiment); // no formula escaping in a typed format
      expect(Number(r.run_id)).toBe(w.runId);
      expect(r.run).toBe(w.run);
      expect(r.metric).toBe(w.metric);
      expect(Number(r.step)).toBe(w.step);
      expect(Number(r.tokens)).toBe(w.tokens);
      expect(r.wall_ms).toBe(w.wallMs);
      expect(r.value).toEqual(w.value);
      expect(r['variant.model.dModel']).toBe(w.variant.get('model.dModel'));
      expect(r['variant.extra'] ?? undefined).toBe(w.variant.get('extra') ?? undefined);
      expect(r['variant.tags'] ?? undefined).toBe(w.variant.get('tags') ?? undefined);
    });
  });

  it('is read back by parquet-wasm (Rust arrow-rs, a reader unrelated to the writer)', async () => {
    const dest = t.file('rust.parquet');
    const res = await exportParquet(s, dest, { rowGroupSize: 700 });
    const { readParquet } = await import('parquet-wasm/node');
    const { tableFromIPC } = await import('apache-arrow');
    const wasmTable = readParquet(new Uint8Array(readFileSync(dest)));
    const table = tableFromIPC(wasmTable.intoIPCStream());
    expect(table.numRows).toBe(res.rows);
    const want = expectedRows();
    const col = (name: string) => table.getChild(name)!.toArray() as ArrayLike<unknown>;
    const steps = col('step');
    const values = col('value');
    const metrics = table.getChild('metric')!;
    want.forEach((w, i) => {
      expect(Number(steps[i])).toBe(w.step);
      expect(metrics.get(i)).toBe(w.metric);
      const v = values[i] as number;
      if (Number.isNaN(w.value)) expect(Number.isNaN(v)).toBe(true);
      else expect(v).toBe(w.value);
    });
  });

  const py = spawnSync('python3', ['-c', 'import pyarrow'], { encoding: 'utf8' });
  it.skipIf(py.status !== 0)('is read by pyarrow (skipped: pyarrow not installed)', async () => {
    const dest = t.file('py.parquet');
    const res = await exportParquet(s, dest);
    const out = spawnSync(
      'python3',
      [
        '-c',
        'import sys, pyarrow.parquet as pq, math; t = pq.read_table(sys.argv[1]); ' +
          'v = t.column("value").to_pylist(); ' +
          'print(t.num_rows, sum(1 for x in v if x != x), t.column("step").type)',
        dest,
      ],
      { encoding: 'utf8' },
    );
    expect(out.stderr).toBe('');
    const want = expectedRows();
    const nans = want.filter((w) => Number.isNaN(w.value)).length;
    expect(out.stdout.trim()).toBe(`${res.rows} ${nans} int64`);
  });
});
