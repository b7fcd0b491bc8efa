/**
 * The experiment comparison's summary table: its columns (with how each sorts) and sorting.
 * Per homogenization measure one column holding two sortable quantities: the value with its
 * interval, and under it the difference from the reference experiment with its interval and
 * p-value — so the table fits a 1920 px screen with every measure.
 */
import { COMPARISON_MEASURE_IDS, MEASURE_CATALOGUE } from '../../../src/api/contract';
import type { Interval, SummaryMeasure, SummaryRow } from '../../../src/api/types';
import { formatNumber } from '../shared/format';

/** An interval's bounds for drawing, or null when there is none (its reason is in the data). */
export const bounds = (iv: Interval | null | undefined): [number, number] | null =>
  iv && iv.lower !== null && iv.upper !== null ? [iv.lower, iv.upper] : null;

export interface SummaryColumn {
  key: string;
  label: string;
  kind: 'text' | 'loss' | 'measure' | 'diff' | 'count';
  numeric: boolean;
  /** The sortable value (numbers sort numerically, nulls last). */
  value: (r: SummaryRow) => number | null;
  text?: (r: SummaryRow) => string;
  interval?: (r: SummaryRow) => [number, number] | null;
  note?: (r: SummaryRow) => string;
  /** The difference from the reference, shown in the same cell (measures only). */
  diff?: SummaryColumn;
}

/** Column labels: the catalogue's short names (the view passes them in the user's language). */
const catalogueShort = (m: SummaryMeasure): string => MEASURE_CATALOGUE[m].short;

/** Translated labels of the fixed columns (the measure columns keep their symbols). */
export type ColumnLabels = Record<
  'experiment' | 'runs' | 'seeds' | 'finalLoss' | 'evalLoss' | 'tokens' | 'wall' | 'backend',
  string
>;

export const ENGLISH_LABELS: ColumnLabels = {
  experiment: 'Experiment',
  runs: 'Runs',
  seeds: 'Seeds',
  finalLoss: 'Final loss',
  evalLoss: 'Eval loss',
  tokens: 'Tokens',
  wall: 'Wall time / run',
  backend: 'Backend',
};

export function summaryColumns(
  L: ColumnLabels = ENGLISH_LABELS,
  measureLabel: (m: SummaryMeasure) => string = catalogueShort,
): SummaryColumn[] {
  const cols: SummaryColumn[] = [
    { key: 'name', label: L.experiment, kind: 'text', numeric: false, value: () => null },
    {
      key: 'runs',
      label: L.runs,
      kind: 'count',
      numeric: true,
      value: (r) => r.runs,
      text: (r) => `${r.completed} / ${r.runs}`,
    },
    { key: 'seeds', label: L.seeds, kind: 'count', numeric: true, value: (r) => r.seeds },
    {
      key: 'finalLoss',
      label: L.finalLoss,
      kind: 'loss',
      numeric: true,
      value: (r) => r.finalLoss.mean,
      interval: (r) =>
        r.finalLoss.min !== null && r.finalLoss.max !== null
          ? [r.finalLoss.min, r.finalLoss.max]
          : null,
    },
    {
      key: 'finalEvalLoss',
      label: L.evalLoss,
      kind: 'loss',
      numeric: true,
      value: (r) => r.finalEvalLoss.mean,
      interval: (r) =>
        r.finalEvalLoss.min !== null && r.finalEvalLoss.max !== null
          ? [r.finalEvalLoss.min, r.finalEvalLoss.max]
          : null,
    },
    { key: 'tokens', label: L.tokens, kind: 'count', numeric: true, value: (r) => r.tokens },
    {
      key: 'wall',
      label: L.wall,
      kind: 'count',
      numeric: true,
      value: (r) => r.wallMsPerRun,
    },
    {
      key: 'backend',
      label: L.backend,
      kind: 'text',
      numeric: false,
      value: () => null,
      text: (r) => r.backends.join(', ') || '—',
    },
  ];
  for (const m of COMPARISON_MEASURE_IDS) {
    const label = measureLabel(m);
    cols.push({
      key: m,
      label,
      kind: 'measure',
      numeric: true,
      value: (r) => r.measures[m]?.value ?? null,
      interval: (r) => bounds(r.measures[m]?.interval),
      diff: {
        key: `${m}:diff`,
        label: `Δ ${label}`,
        kind: 'diff',
        numeric: true,
        value: (r) => r.measures[m]?.diff?.value ?? null,
        interval: (r) => bounds(r.measures[m]?.diff?.interval),
        note: (r) => {
          const p = r.measures[m]?.diff?.pValue;
          return p === null || p === undefined ? '' : `p=${formatNumber(p, 2)}`;
        },
      },
    });
  }
  return cols;
}

/** The column that sorts by `key`: a column or a measure's difference. */
export const sortColumn = (columns: readonly SummaryColumn[], key: string) =>
  columns.find((c) => c.key === key) ?? columns.find((c) => c.diff?.key === key)?.diff;

/** Rows sorted by a column: numbers numerically (nulls last), text columns by their text. */
export function sortRows(
  rows: readonly SummaryRow[],
  columns: readonly SummaryColumn[],
  key: string,
  desc: boolean,
): SummaryRow[] {
  const col = sortColumn(columns, key);
  if (!col) return [...rows];
  const dir = desc ? -1 : 1;
  const text = (r: SummaryRow) => (col.key === 'name' ? r.name : (col.text?.(r) ?? ''));
  return [...rows].sort((a, b) => {
    if (!col.numeric) return text(a).localeCompare(text(b)) * dir;
    const x = col.value(a);
    const y = col.value(b);
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x - y) * dir;
  });
}
