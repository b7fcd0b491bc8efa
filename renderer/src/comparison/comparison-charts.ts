/**
 * Chart data for Compare experiments (the comparison view), derived from the comparison core's
 * JSON: one colour per experiment, seed groups as mean with a min–max band, layer profiles with
 * their bootstrap interval, trajectories over training. Each chart is overlaid when the
 * experiments share its axis and drawn as side-by-side panes otherwise; either way every pane
 * gets the same x and y ranges, so panes read against each other.
 */
import {
  COMPARISON_MEASURE_IDS,
  MEASURE_CATALOGUE,
  type ComparisonMeasureId,
} from '../../../src/api/contract';
import type { Comparison, ExperimentComparison } from '../../../src/api/types';
import type { ChartSeries } from '../shared/line-chart.vue';
import { seriesColor } from '../shared/colors';

export type ComparisonAxis = 'step' | 'tokens' | 'wallMs';
export type Layout = 'auto' | 'overlay' | 'side';

/** A chart: overlaid (one pane) or side by side (one pane per experiment), shared ranges. */
export interface PanedChart {
  overlay: boolean;
  panes: { title: string; experimentId: number | null; series: ChartSeries[] }[];
  xRange: [number, number] | null;
  yRange: [number, number] | null;
  /** Category labels for x (the layer axis of profiles). */
  xTickLabels: string[] | null;
}

/** The experiment's colour: its position in the comparison. */
export const experimentColor = (i: number): string => seriesColor(i);

/** Drops grid points where the mean is undefined; keeps x, mean and band aligned. */
function compact(
  grid: number[],
  mean: (number | null)[],
  lo?: (number | null)[],
  hi?: (number | null)[],
) {
  const x: number[] = [];
  const y: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  for (let i = 0; i < grid.length; i++) {
    const m = mean[i];
    if (m === null || m === undefined || !Number.isFinite(m)) continue;
    x.push(grid[i]);
    y.push(m);
    min.push(lo?.[i] ?? m);
    max.push(hi?.[i] ?? m);
  }
  return { x, y, min, max };
}

/** Min and max of every finite y (and band) value across series, padded a little. */
export function sharedRange(series: ChartSeries[], pad = 0.04): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const arr of [s.y, s.band?.min ?? [], s.band?.max ?? []])
      for (const v of arr)
        if (Number.isFinite(v)) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
  }
  if (!Number.isFinite(lo)) return null;
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - span * pad, hi + span * pad];
}

function xExtent(series: ChartSeries[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (const v of s.x)
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
  return Number.isFinite(lo) ? [lo, hi] : null;
}

const sameList = (lists: unknown[][]) =>
  lists.every((l) => JSON.stringify(l) === JSON.stringify(lists[0]));

function paned(
  c: Comparison,
  perExperiment: ChartSeries[][],
  overlay: boolean,
  opts: { xTickLabels?: string[] | null; yRange?: [number, number] | null } = {},
): PanedChart {
  const all = perExperiment.flat();
  const panes = overlay
    ? [{ title: '', experimentId: null, series: all }]
    : c.experiments.map((e, i) => ({
        title: e.name,
        experimentId: e.experimentId,
        series: perExperiment[i],
      }));
  return {
    overlay,
    panes,
    xRange: xExtent(all),
    yRange: opts.yRange ?? sharedRange(all),
    xTickLabels: opts.xTickLabels ?? null,
  };
}

const decide = (layout: Layout, axesMatch: boolean) =>
  layout === 'overlay' ? true : layout === 'side' ? false : axesMatch;

/** Seed groups' loss curves (mean, min–max band) of every experiment on the shared grid. */
export function lossChart(
  c: Comparison,
  metricIndex: number,
  axis: ComparisonAxis,
  layout: Layout,
): PanedChart {
  const grid = c.grids[axis] ?? [];
  const per = c.experiments.map((e, i) => {
    const curves = e.lossCurves[metricIndex];
    const base = experimentColor(i);
    return (curves?.groups ?? []).map((g, gi) => {
      const band = g.bands[axis];
      const group = e.seedGroups.find((s) => s.id === g.groupId);
      const p = compact(grid, band.mean, band.min, band.max);
      const n = group?.runIds.length ?? 0;
      return {
        label: `${e.name}${group?.label ? ` · ${group.label}` : ''} (n=${n})`,
        // One colour per experiment; its further seed groups are dashed.
        color: base,
        dashed: gi > 0,
        x: p.x,
        y: p.y,
        band: n > 1 ? { min: p.min, max: p.max } : undefined,
      } satisfies ChartSeries;
    });
  });
  // The core puts every experiment on one grid per axis, so the axes always match.
  return paned(c, per, decide(layout, true));
}

/** Mean cross-seed similarity per layer with its bootstrap interval, on the shared layer axis. */
export function profileChart(c: Comparison, layout: Layout): PanedChart {
  const layers = c.layers;
  const per = c.experiments.map((e, i) => {
    const p = e.profile;
    if (!p) return [];
    const x: number[] = [];
    const y: number[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    for (const l of p.layers) {
      const xi = layers.indexOf(l.layer);
      if (xi < 0 || l.value === null) continue;
      x.push(xi);
      y.push(l.value);
      lo.push(l.interval?.[0] ?? l.value);
      hi.push(l.interval?.[1] ?? l.value);
    }
    return [
      {
        label: e.name,
        color: experimentColor(i),
        x,
        y,
        band: { min: lo, max: hi },
      } satisfies ChartSeries,
    ];
  });
  const match = sameList(
    c.experiments.filter((e) => e.profile).map((e) => e.profile!.layers.map((l) => l.layer)),
  );
  return paned(c, per, decide(layout, match), { xTickLabels: layers });
}

/** Mean similarity over layers per analysed checkpoint: x = step or tokens. */
export function trajectoryChart(c: Comparison, axis: ComparisonAxis, layout: Layout): PanedChart {
  const xs = (e: ExperimentComparison) =>
    axis === 'tokens' ? (e.trajectory?.tokens ?? []) : (e.trajectory?.steps ?? []);
  const per = c.experiments.map((e, i) => {
    const t = e.trajectory;
    if (!t) return [];
    const p = compact(
      xs(e).map((v) => v ?? NaN),
      t.overall,
    );
    const out: ChartSeries[] = [{ label: e.name, color: experimentColor(i), x: p.x, y: p.y }];
    const agree = compact(
      xs(e).map((v) => v ?? NaN),
      t.agreement,
    );
    if (agree.x.length)
      out.push({
        label: `${e.name} · top-1 agreement`,
        color: experimentColor(i),
        x: agree.x,
        y: agree.y,
        dashed: true,
      });
    return out;
  });
  const match = sameList(c.experiments.filter((e) => e.trajectory).map((e) => xs(e)));
  return paned(c, per, decide(layout, match));
}

/** One output-level measure across experiments: value, interval, colour. */
export interface EstimateRow {
  experimentId: number;
  label: string;
  color: string;
  value: number | null;
  interval: [number, number] | null;
}

/** The comparison's output-level measures, labelled and ranged from the measure catalogue. */
export type OutputMeasureId = Exclude<ComparisonMeasureId, 'linear-cka'>;
export const OUTPUT_MEASURES = COMPARISON_MEASURE_IDS.filter(
  (id): id is OutputMeasureId => MEASURE_CATALOGUE[id].family === 'output',
).map((id) => ({
  id,
  label: MEASURE_CATALOGUE[id].label,
  // JSD between seeds is typically tiny next to its [0, 1] range: scaled from 0 to the data.
  range: id === 'jsd' ? null : (MEASURE_CATALOGUE[id].range as readonly [number, number] | null),
}));

/** Output homogenization of every experiment for one measure. */
export function outputRows(c: Comparison, measure: OutputMeasureId): EstimateRow[] {
  return c.experiments.map((e, i) => {
    const est = e.outputs?.[measure] ?? null;
    return {
      experimentId: e.experimentId,
      label: e.name,
      color: experimentColor(i),
      value: est?.value ?? null,
      interval: est?.interval ?? null,
    };
  });
}
