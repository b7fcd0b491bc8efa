/**
 * Run groups: by seeds (runs whose configs differ only in their seeds are replicates of one
 * variant) or by the value of any config field; the runs view draws each group as the mean
 * curve with a min–max band.
 */

/** Config keys that are seeds (replicates differ only in these). */
export const SEED_KEYS = new Set(['initSeed', 'dataSeed', 'seed']);

export interface GroupableRun {
  id: number;
  name: string;
  config: Record<string, unknown>;
}

export interface RunGroup<R extends GroupableRun> {
  key: string;
  /** The config values shared by the group, minus seeds, as a short label. */
  label: string;
  runs: R[];
}

const isSeedKey = (k: string) => SEED_KEYS.has(k) || SEED_KEYS.has(k.split('.').pop() ?? '');

/** Groups runs by their config without seed keys, keeping first-seen order. */
export function groupBySeed<R extends GroupableRun>(runs: R[]): RunGroup<R>[] {
  const groups = new Map<string, RunGroup<R>>();
  const varying = varyingKeys(runs.map((r) => r.config));
  for (const r of runs) {
    const keys = Object.keys(r.config)
      .filter((k) => !isSeedKey(k))
      .sort();
    const key = JSON.stringify(keys.map((k) => [k, r.config[k]]));
    let g = groups.get(key);
    if (!g) {
      const label = [...varying]
        .filter((k) => !isSeedKey(k))
        .map((k) => `${k.split('.').pop()}=${String(r.config[k])}`)
        .join(' ');
      g = { key, label: label || ALL_SEEDS, runs: [] };
      groups.set(key, g);
    }
    g.runs.push(r);
  }
  return [...groups.values()];
}

/** The label of the one group of a pure seed sweep (translated by the view). */
export const ALL_SEEDS = '*';

/** Groups runs by the value of one config field (missing → '—'), keeping first-seen order. */
export function groupByField<R extends GroupableRun>(runs: R[], field: string): RunGroup<R>[] {
  const groups = new Map<string, RunGroup<R>>();
  for (const r of runs) {
    const v = r.config[field];
    const key = JSON.stringify(v ?? null);
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        label: `${field.split('.').pop()}=${v === undefined ? '—' : String(v)}`,
        runs: [],
      };
      groups.set(key, g);
    }
    g.runs.push(r);
  }
  return [...groups.values()];
}

/** Keys whose values are not the same across all configs. */
export function varyingKeys(configs: Record<string, unknown>[]): Set<string> {
  const out = new Set<string>();
  if (configs.length < 2) return out;
  const keys = new Set(configs.flatMap((c) => Object.keys(c)));
  for (const k of keys) {
    const first = JSON.stringify(configs[0][k]);
    if (configs.some((c) => JSON.stringify(c[k]) !== first)) out.add(k);
  }
  return out;
}

export interface Band {
  x: number[];
  mean: number[];
  min: number[];
  max: number[];
}

/** Linear interpolation of (xs, ys) at x; NaN outside the range. */
function interp(xs: number[], ys: number[], x: number): number {
  if (xs.length === 0 || x < xs[0] || x > xs[xs.length - 1]) return NaN;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (xs[hi] === xs[lo]) return ys[lo];
  const t = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

/**
 * Mean and min–max band of several curves, evaluated on the x grid of the longest curve
 * (replicates share their steps; other curves are interpolated). Points where no curve is
 * defined are dropped.
 */
export function meanBand(curves: { x: number[]; y: number[] }[]): Band {
  const out: Band = { x: [], mean: [], min: [], max: [] };
  if (curves.length === 0) return out;
  const grid = curves.reduce((a, c) => (c.x.length > a.x.length ? c : a)).x;
  for (const x of grid) {
    let sum = 0;
    let n = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of curves) {
      const v = interp(c.x, c.y, x);
      if (!Number.isFinite(v)) continue;
      sum += v;
      n++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (n === 0) continue;
    out.x.push(x);
    out.mean.push(sum / n);
    out.min.push(lo);
    out.max.push(hi);
  }
  return out;
}
