/**
 * The summary table as CSV (RFC 4180, CRLF line ends, header row): one row per experiment, in
 * comparison order. Empty cells are values that are not available. Measure columns per summary
 * measure M: `M`, `M_lo`, `M_hi`, `M_pairs`, `M_diff`, `M_diff_lo`, `M_diff_hi`, `M_p` (the
 * differences are against the reference experiment). Spec-diff fields follow as `spec:<path>`.
 */
import type { Json } from '../../../db/types';
import type { Comparison } from './types';
import { SUMMARY_MEASURES } from './types';

type Cell = string | number | boolean | null | undefined;

/** Quotes a field when it holds a comma, quote, CR or LF. */
export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' && !Number.isFinite(v)) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const jsonCell = (v: Json): Cell =>
  v === null || typeof v !== 'object' ? (v as Cell) : JSON.stringify(v);

/** The column names, in order. */
export function csvHeader(c: Comparison): string[] {
  const base = [
    'experiment_id',
    'name',
    'reference',
    'runs',
    'completed',
    'seeds',
    'final_loss_mean',
    'final_loss_min',
    'final_loss_max',
    'final_eval_loss_mean',
    'final_eval_loss_min',
    'final_eval_loss_max',
    'tokens',
    'wall_ms_per_run',
    'wall_ms_span',
    'backends',
    'devices',
  ];
  const measures = SUMMARY_MEASURES.flatMap((m) =>
    ['', '_lo', '_hi', '_pairs', '_diff', '_diff_lo', '_diff_hi', '_p'].map((s) => `${m}${s}`),
  );
  return [...base, ...measures, ...c.specDiff.map((d) => `spec:${d.path}`)];
}

export function comparisonToCsv(c: Comparison): string {
  const rows: Cell[][] = c.summary.map((r, i) => {
    const cells: Cell[] = [
      r.experimentId,
      r.name,
      i === c.settings.reference,
      r.runs,
      r.completed,
      r.seeds,
      r.finalLoss.mean,
      r.finalLoss.min,
      r.finalLoss.max,
      r.finalEvalLoss.mean,
      r.finalEvalLoss.min,
      r.finalEvalLoss.max,
      r.tokens,
      r.wallMsPerRun,
      r.wallMsSpan,
      r.backends.join(';'),
      r.devices.join(';'),
    ];
    for (const m of SUMMARY_MEASURES) {
      const x = r.measures[m];
      cells.push(
        x.value,
        x.interval.lower,
        x.interval.upper,
        x.pairs,
        x.diff?.value,
        x.diff?.interval.lower,
        x.diff?.interval.upper,
        x.diff?.pValue,
      );
    }
    for (const d of c.specDiff) cells.push(jsonCell(d.values[i]));
    return cells;
  });
  return [csvHeader(c), ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
