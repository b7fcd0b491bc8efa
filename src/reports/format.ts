/** Number formatting shared by tables and chart axes. */

/** A number with `digits` significant decimals; '—' for null/NaN, '∞' for infinities. */
export function fmtNumber(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(0, digits - 1)).replace('-', '−');
  if (Number.isInteger(v)) return String(v).replace('-', '−');
  return v.toFixed(digits).replace('-', '−');
}

/** `estimate [lower, upper]`. */
export function fmtInterval(
  estimate: number | null,
  lower: number | null,
  upper: number | null,
  digits = 3,
): string {
  return `${fmtNumber(estimate, digits)} [${fmtNumber(lower, digits)}, ${fmtNumber(upper, digits)}]`;
}

/** "Nice" axis ticks covering [lo, hi] (about `count` of them). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const span = hi - lo;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const first = Math.ceil(lo / step - 1e-9) * step;
  const out: number[] = [];
  for (let t = first; t <= hi + step * 1e-9; t += step)
    out.push(Number((Math.round(t / step) * step).toPrecision(12)) + 0);
  return out;
}

/** Short tick label: drops floating noise (0.30000000000000004 → 0.3). */
export function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(6))).replace('-', '−');
}
