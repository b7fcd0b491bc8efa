/**
 * Loss curves of seed groups on a shared x grid: every experiment's groups are interpolated onto
 * the same grid (per x axis: step, tokens, wall time), so the curves overlay with one scale and
 * the band of a group (min–max over its runs) is a pointwise statement.
 *
 * Runs are read through the store's downsampling (each bucket's last point by step), which
 * bounds the work for long runs; when a run has fewer steps than buckets every point is kept.
 * A run contributes to a grid point only inside its own logged range — no extrapolation — so a
 * shorter or diverged run simply stops contributing (`n` counts the runs at each point).
 */
import type { Store } from '../../../db/store';
import type { CurveBand, SeedGroup, XAxis } from './types';
import { X_AXES } from './types';

export interface RunSeries {
  runId: number;
  x: Record<XAxis, number[]>;
  values: number[];
}

/** A run's metric, downsampled to at most `buckets` points, finite values only. */
export function readRunSeries(
  store: Pick<Store, 'metrics'>,
  runId: number,
  metric: string,
  buckets: number,
): RunSeries {
  const d = store.metrics.downsample(runId, metric, buckets);
  const out: RunSeries = { runId, x: { step: [], tokens: [], wallMs: [] }, values: [] };
  for (const b of d.buckets) {
    if (!Number.isFinite(b.last)) continue;
    out.x.step.push(b.lastStep);
    out.x.tokens.push(b.lastTokens);
    out.x.wallMs.push(b.lastWallMs);
    out.values.push(b.last);
  }
  return out;
}

/** `points` evenly spaced values from lo to hi (one value when they are equal). */
export function linearGrid(lo: number, hi: number, points: number): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || points < 1) return [];
  if (hi <= lo || points === 1) return [lo];
  return Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / (points - 1));
}

/** Shared grids over every series: from the smallest to the largest x seen, per axis. */
export function sharedGrids(series: readonly RunSeries[], points: number): Record<XAxis, number[]> {
  const grids = {} as Record<XAxis, number[]>;
  for (const axis of X_AXES) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of series) {
      const xs = s.x[axis];
      if (!xs.length) continue;
      lo = Math.min(lo, xs[0]);
      hi = Math.max(hi, xs[xs.length - 1]);
    }
    grids[axis] = linearGrid(lo, hi, points);
  }
  return grids;
}

/**
 * Linear interpolation of (xs, ys) at `x`; null outside [xs[0], xs[last]]. `xs` must be
 * non-decreasing (steps, tokens and wall time are); equal x values take the later point.
 */
export function interpolateAt(
  xs: readonly number[],
  ys: readonly number[],
  x: number,
): number | null {
  const n = xs.length;
  if (!n || x < xs[0] || x > xs[n - 1]) return null;
  // Binary search for the last index with xs[i] <= x.
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  if (lo === n - 1 || xs[lo] === x) return ys[lo];
  const t = (x - xs[lo]) / (xs[lo + 1] - xs[lo]);
  return ys[lo] + t * (ys[lo + 1] - ys[lo]);
}

/** Mean, min and max over `series` at each grid point of `axis`. */
export function band(
  series: readonly RunSeries[],
  axis: XAxis,
  grid: readonly number[],
): CurveBand {
  const out: CurveBand = { mean: [], min: [], max: [], n: [] };
  for (const x of grid) {
    let s = 0;
    let n = 0;
    let mn = Infinity;
    let mx = -Infinity;
    for (const r of series) {
      const v = interpolateAt(r.x[axis], r.values, x);
      if (v === null) continue;
      s += v;
      n++;
      mn = Math.min(mn, v);
      mx = Math.max(mx, v);
    }
    out.mean.push(n ? s / n : null);
    out.min.push(n ? mn : null);
    out.max.push(n ? mx : null);
    out.n.push(n);
  }
  return out;
}

/** Bands of every seed group on every axis. */
export function groupBands(
  groups: readonly SeedGroup[],
  seriesByRun: ReadonlyMap<number, RunSeries>,
  grids: Record<XAxis, number[]>,
): { groupId: string; bands: Record<XAxis, CurveBand> }[] {
  return groups.map((g) => {
    const series = g.runIds.map((id) => seriesByRun.get(id)).filter((s): s is RunSeries => !!s);
    const bands = {} as Record<XAxis, CurveBand>;
    for (const axis of X_AXES) bands[axis] = band(series, axis, grids[axis]);
    return { groupId: g.id, bands };
  });
}
