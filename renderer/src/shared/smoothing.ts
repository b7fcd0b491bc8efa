/**
 * Exponential moving average with bias correction (as TensorBoard does), so the smoothed curve
 * starts at the data instead of at 0. weight ∈ [0, 1): 0 = raw. Non-finite values pass through
 * without polluting the average.
 */
export function smoothEma(values: ArrayLike<number>, weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out = new Array<number>(values.length);
  if (w === 0) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  let last = 0;
  let debias = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    debias = debias * w + (1 - w);
    out[i] = last / debias;
  }
  return out;
}
