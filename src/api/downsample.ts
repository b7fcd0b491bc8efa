/**
 * Bucketed downsampling that keeps each bucket's min and max, so a spike in a 20,000-step loss
 * curve survives being drawn with 1,000 points. Pure and browser-safe (used by the API handlers
 * and by the renderer when it has more points than pixels).
 */

export interface Envelope {
  x: number[];
  /** The bucket's last value (what the curve passes through at its right edge). */
  y: number[];
  min: number[];
  max: number[];
}

/**
 * Splits the points into at most `buckets` consecutive groups of equal count and keeps, per
 * group, the last x/y and the min/max of y. Non-finite values are skipped for min/max; a bucket
 * of only non-finite values keeps NaN. Returns the input unchanged (with min = max = y) when it
 * already fits.
 */
export function downsampleEnvelope(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  buckets: number,
): Envelope {
  const n = Math.min(x.length, y.length);
  const out: Envelope = { x: [], y: [], min: [], max: [] };
  if (n === 0) return out;
  if (n <= buckets) {
    for (let i = 0; i < n; i++) {
      out.x.push(x[i]);
      out.y.push(y[i]);
      out.min.push(y[i]);
      out.max.push(y[i]);
    }
    return out;
  }
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(n, Math.floor((b + 1) * size));
    if (end <= start) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = y[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    out.x.push(x[end - 1]);
    out.y.push(y[end - 1]);
    out.min.push(lo === Infinity ? NaN : lo);
    out.max.push(hi === -Infinity ? NaN : hi);
  }
  return out;
}
