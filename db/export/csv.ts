/**
 * CSV export, long format (one row per run × metric × step), RFC 4180: comma separated, CRLF
 * line ends, fields quoted when they hold a comma, quote, CR or LF, quotes doubled.
 *
 * Formula injection: a text cell starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with
 * `'` so spreadsheet programs show it as text instead of evaluating it. Numeric cells we format
 * ourselves (steps, values like -0.5) are left as numbers. Non-finite values are written as
 * `NaN`, `Infinity`, `-Infinity` (read as floats by pandas, polars and spreadsheets).
 */
import { writeAtomically, ChunkedFileWriter } from '../atomic-file';
import type { Store } from '../store';
import {
  LEADING_COLUMNS,
  TRAILING_COLUMNS,
  loadRunContexts,
  metricsOfRun,
  variantPaths,
} from './rows';
import { openSnapshot, yieldToEventLoop, type ExportScope } from './snapshot';

export interface ExportResult {
  rows: number;
  bytes: number;
}

export interface CsvExportOptions extends ExportScope {
  /** Called every `progressEvery` rows (default 100,000). */
  onProgress?: (rows: number) => void;
  progressEvery?: number;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** Escapes one text cell (formula guard, then RFC 4180 quoting). */
export function csvText(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** Formats a number cell; null (stored NaN) becomes NaN. */
export function csvNumber(value: number | null): string {
  if (value === null || Number.isNaN(value)) return 'NaN';
  return String(value);
}

function csvScalar(v: string | number | boolean | null | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return csvNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return csvText(v);
}

/** Streams the metrics of the scope to `dest` as CSV (atomically: temp file, fsync, rename). */
export async function exportCsv(
  store: Store,
  dest: string,
  opts: CsvExportOptions = {},
): Promise<ExportResult> {
  const every = opts.progressEvery ?? 100_000;
  return writeAtomically(dest, async (tmp) => {
    const snap = openSnapshot(store, opts);
    const out = new ChunkedFileWriter(tmp);
    try {
      const runs = loadRunContexts(snap);
      const paths = variantPaths(runs);
      const header = [...LEADING_COLUMNS, ...paths.map((p) => `variant.${p}`), ...TRAILING_COLUMNS];
      out.write(header.map(csvText).join(',') + '\r\n');
      let rows = 0;
      for (const run of runs) {
        const prefix =
          [
            String(run.experimentId),
            csvText(run.experimentName),
            String(run.runId),
            csvText(run.runName),
            csvText(run.status),
            String(run.initSeed),
            String(run.dataSeed),
            csvText(run.backend),
            csvText(run.device),
            ...paths.map((p) => csvScalar(run.variant.get(p))),
          ].join(',') + ',';
        let lastName = '';
        let nameCell = '';
        let lines: string[] = [];
        for (const [name, step, tokens, wallMs, value] of metricsOfRun(snap.db, run.runId)) {
          if (name !== lastName) {
            lastName = name;
            nameCell = csvText(name);
          }
          lines.push(
            `${prefix}${step},${tokens},${csvNumber(wallMs)},${nameCell},${csvNumber(value)}`,
          );
          rows++;
          if (lines.length === 4096) {
            out.write(lines.join('\r\n') + '\r\n');
            lines = [];
          }
          if (rows % every === 0) {
            opts.onProgress?.(rows);
            // Yield only between statements would need closing the iterator; with a private
            // connection yielding mid-iteration is safe.
            if (snap.canYield) await yieldToEventLoop();
          }
        }
        if (lines.length) out.write(lines.join('\r\n') + '\r\n');
      }
      out.close();
      return { rows, bytes: out.bytesWritten };
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
