/**
 * The runs table's columns: the run's own facts (status, losses, throughput, tags, …) and one
 * column per config field (hyperparameters), each sortable and filterable. A filter is text:
 * `>0.5`, `<=3`, `=2` or `!=relu` compare (numbers numerically), anything else matches as a
 * substring; the table's search box takes the same, optionally as `column op value`.
 */
import type { RunSummary } from '../../../src/api/types';

export type Cell = string | number | boolean | null;

export interface RunColumn {
  id: string;
  /** i18n key of the label, or null for config fields (shown as their path). */
  labelKey: string | null;
  kind: 'text' | 'number' | 'status' | 'tags' | 'duration' | 'count';
  value: (r: RunSummary) => Cell;
}

/** The run's own facts, always offered. */
export const FACT_COLUMNS: readonly RunColumn[] = [
  { id: 'name', labelKey: 'exp.name', kind: 'text', value: (r) => r.name },
  { id: 'status', labelKey: 'exp.status', kind: 'status', value: (r) => r.status },
  { id: 'tags', labelKey: 'runs.col.tags', kind: 'tags', value: (r) => r.tags.join(', ') },
  { id: 'finalLoss', labelKey: 'runs.col.finalLoss', kind: 'number', value: (r) => r.finalLoss },
  { id: 'bestLoss', labelKey: 'runs.col.bestLoss', kind: 'number', value: (r) => r.bestLoss },
  { id: 'evalLoss', labelKey: 'runs.col.evalLoss', kind: 'number', value: (r) => r.evalLoss },
  { id: 'step', labelKey: 'axis.step', kind: 'count', value: (r) => r.step },
  { id: 'tokensSeen', labelKey: 'axis.tokens', kind: 'count', value: (r) => r.tokensSeen },
  {
    id: 'wallTimeMs',
    labelKey: 'runs.col.wallTime',
    kind: 'duration',
    value: (r) => (r.wallTimeMs > 0 ? r.wallTimeMs : null),
  },
  {
    id: 'meanTokensPerSec',
    labelKey: 'runs.col.throughput',
    kind: 'count',
    value: (r) => r.meanTokensPerSec,
  },
  { id: 'parent', labelKey: 'runs.col.parent', kind: 'text', value: (r) => parentLabel(r) },
  { id: 'backend', labelKey: 'runs.col.backend', kind: 'text', value: (r) => r.backend },
  { id: 'notes', labelKey: 'runs.col.notes', kind: 'text', value: (r) => r.notes || null },
];

/** A fine-tune's parent as the CLI names it (`run-3@200`, or `run-3` for its last checkpoint). */
export function parentLabel(r: RunSummary): string | null {
  if (!r.parent) return null;
  return `run-${r.parent.runId}${r.parent.step === null ? '' : `@${r.parent.step}`}`;
}

/** Shown until the user picks: the facts a researcher reads first (and the parent of fine-tunes). */
export function defaultFacts(runs: readonly RunSummary[]): string[] {
  return runs.some((r) => r.parent) ? [...DEFAULT_FACTS, 'parent'] : [...DEFAULT_FACTS];
}

/** Shown until the user picks: the facts a researcher reads first. */
export const DEFAULT_FACTS = [
  'name',
  'status',
  'tags',
  'finalLoss',
  'bestLoss',
  'evalLoss',
  'wallTimeMs',
  'meanTokensPerSec',
];

export const configColumn = (key: string): RunColumn => ({
  id: `config:${key}`,
  labelKey: null,
  kind: 'number',
  value: (r) => r.config[key] ?? null,
});

/** Every column the runs offer: facts, then each config field (sorted by path). */
export function allColumns(runs: readonly RunSummary[]): RunColumn[] {
  const keys = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.config)) keys.add(k);
  return [...FACT_COLUMNS, ...[...keys].sort().map(configColumn)];
}

type Op = '>' | '>=' | '<' | '<=' | '=' | '!=' | '~';
interface Test {
  op: Op;
  text: string;
}

function parseTest(raw: string): Test | null {
  const s = raw.trim();
  if (!s) return null;
  const m = /^(>=|<=|!=|>|<|=)\s*(.*)$/.exec(s);
  return m ? { op: m[1] as Op, text: m[2].trim() } : { op: '~', text: s };
}

const num = (v: Cell) =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;

function passes(v: Cell, t: Test): boolean {
  if (t.op === '~')
    return String(v ?? '')
      .toLowerCase()
      .includes(t.text.toLowerCase());
  const a = num(v);
  const b = Number(t.text);
  const numeric = Number.isFinite(a) && t.text !== '' && Number.isFinite(b);
  switch (t.op) {
    case '=':
      return numeric ? a === b : String(v ?? '').toLowerCase() === t.text.toLowerCase();
    case '!=':
      return numeric ? a !== b : String(v ?? '').toLowerCase() !== t.text.toLowerCase();
    case '>':
      return numeric && a > b;
    case '>=':
      return numeric && a >= b;
    case '<':
      return numeric && a < b;
    case '<=':
      return numeric && a <= b;
  }
}

/** Whether a run passes one column's filter text. */
export function matchesColumn(r: RunSummary, col: RunColumn, filter: string): boolean {
  const t = parseTest(filter);
  return !t || passes(col.value(r), t);
}

/**
 * The search box: `column op value` (column = a column id, a config path or its last part,
 * e.g. `dModel>32`, `initSeed=1`, `finalLoss<2`), or text found in the name, tags, notes,
 * status or any `field=value` of the run's axes.
 */
export function matchesSearch(
  r: RunSummary,
  columns: readonly RunColumn[],
  search: string,
): boolean {
  const s = search.trim();
  if (!s) return true;
  const m = /^([\w.]+)\s*(>=|<=|!=|>|<|=)\s*(.+)$/.exec(s);
  if (m) {
    const col =
      columns.find((c) => c.id === m[1] || c.id === `config:${m[1]}`) ??
      columns.find((c) => c.id.startsWith('config:') && c.id.split('.').pop() === m[1]);
    if (col) return passes(col.value(r), { op: m[2] as Op, text: m[3].trim() });
  }
  const f = s.toLowerCase();
  return (
    r.name.toLowerCase().includes(f) ||
    r.status.includes(f) ||
    r.notes.toLowerCase().includes(f) ||
    r.tags.some((t) => t.toLowerCase().includes(f)) ||
    Object.entries(r.axes).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(f))
  );
}

/** Sort order of a column: numbers numerically, text by text; nulls last either way. */
export function compareBy(col: RunColumn, desc: boolean) {
  const dir = desc ? -1 : 1;
  return (a: RunSummary, b: RunSummary): number => {
    const x = col.value(a);
    const y = col.value(b);
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
    return String(x).localeCompare(String(y), undefined, { numeric: true }) * dir;
  };
}
