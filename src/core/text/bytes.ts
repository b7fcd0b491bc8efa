/** Byte counts for people: 1 decimal place, binary units (KiB, MiB, GiB, TiB). */
export function formatBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'] as const;
  if (!Number.isFinite(n) || Math.abs(n) < 1024) return `${Math.round(n)} bytes`;
  let v = n;
  let unit = 'bytes';
  for (const u of units) {
    if (Math.abs(v) < 1024) break;
    v /= 1024;
    unit = u;
  }
  return `${v.toFixed(Number.isInteger(v) ? 0 : 1)} ${unit}`;
}
