/** The New-experiment form's axes grid: rows of (field, comma-separated values) ↔ spec.axes.grid. */

export interface AxisRow {
  field: string;
  values: string;
}

/** '1, 2, abc, true' → [1, 2, 'abc', true]. Empty items are dropped. */
export function parseAxisValues(text: string): (number | string | boolean)[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (s === 'true') return true;
      if (s === 'false') return false;
      const n = Number(s);
      return Number.isFinite(n) && /^[-+.\deE]+$/.test(s) ? n : s;
    });
}

export function rowsToGrid(rows: AxisRow[]): Record<string, (number | string | boolean)[]> {
  const grid: Record<string, (number | string | boolean)[]> = {};
  for (const r of rows) {
    const vals = parseAxisValues(r.values);
    if (r.field && vals.length) grid[r.field] = vals;
  }
  return grid;
}

export function gridToRows(grid: Record<string, unknown[]> | undefined): AxisRow[] {
  return Object.entries(grid ?? {}).map(([field, vals]) => ({
    field,
    values: vals.map((v) => String(v)).join(', '),
  }));
}

/** Variants of a grid × list: product of the grid's value counts times the list length. */
export function countRuns(grid: Record<string, unknown[]>, listLength = 0): number {
  const g = Object.values(grid).reduce((n, v) => n * Math.max(1, v.length), 1);
  return g * Math.max(1, listLength);
}
