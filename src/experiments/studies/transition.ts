/**
 * Locating a capability transition in an accuracy curve: where held-out accuracy crosses the
 * midpoint between its starting level and its final plateau, and how wide the rise is (from
 * 10% to 90% of it). Pure functions of (step, value) points.
 */

export interface Transition {
  /** Step where accuracy first reaches start + rise/2 (linear interpolation); null if no rise. */
  step: number | null;
  /** Steps from the 10% to the 90% crossing of the rise; null if no rise. */
  width: number | null;
  start: number;
  /** Mean of the last `plateau` points. */
  end: number;
  rise: number;
}

/** First step where the piecewise-linear curve reaches `level` (from below). */
export function crossing(
  points: readonly { step: number; value: number }[],
  level: number,
): number | null {
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (p.value >= level) {
      if (i === 0) return p.step;
      const q = points[i - 1];
      const f = (level - q.value) / (p.value - q.value);
      return q.step + f * (p.step - q.step);
    }
  }
  return null;
}

/**
 * The transition of `points` (ascending steps). `minRise`: smallest rise (final plateau minus
 * start) that counts as a transition (default 0.2 accuracy).
 */
export function findTransition(
  points: readonly { step: number; value: number }[],
  opts: { minRise?: number; plateau?: number } = {},
): Transition {
  const pts = points.filter((p) => Number.isFinite(p.value));
  if (pts.length < 2) return { step: null, width: null, start: NaN, end: NaN, rise: NaN };
  const k = Math.min(opts.plateau ?? 3, pts.length - 1);
  const start = pts[0].value;
  const tail = pts.slice(-k);
  const end = tail.reduce((s, p) => s + p.value, 0) / tail.length;
  const rise = end - start;
  if (!(rise >= (opts.minRise ?? 0.2))) return { step: null, width: null, start, end, rise };
  const at = (f: number) => crossing(pts, start + f * rise);
  const mid = at(0.5);
  const lo = at(0.1);
  const hi = at(0.9);
  return { step: mid, width: lo !== null && hi !== null ? hi - lo : null, start, end, rise };
}
