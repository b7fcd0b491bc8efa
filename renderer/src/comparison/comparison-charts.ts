/**
 * Chart data for Compare experiments (the comparison view): one colour per experiment, seed
 * groups as mean with a min–max band (from the runs' own curves, so a 12-step experiment keeps
 * its resolution next to a 600-step one), layer profiles with their bootstrap interval (gaps
 * where an experiment has no such layer), trajectories over training. x is step, tokens, wall
 * time or the fraction of each experiment's training. A chart is overlaid where the
 * experiments share its axis and side by side otherwise; panes share their scales, or each has
 * its own (auto: its own x when the experiments' lengths differ more than fourfold).
 */
import {
  COMPARISON_MEASURE_IDS,
  MEASURE_CATALOGUE,
  type ComparisonMeasureId,
} from '../../../src/api/contract';
import type { Comparison, ExperimentComparison } from '../../../src/api/types';
import type { ChartSeries } from '../shared/line-chart.vue';
import { seriesColor } from '../shared/colors';
import { extent, paddedRange, type AxesChoice, type CurveAxis } from '../shared/chart-axes';
import { meanBand } from '../runs/run-groups';
import { bounds } from './comparison-summary';

export type Layout = 'auto' | 'overlay' | 'side';

export interface ChartChoice {
  axis: CurveAxis;
  layout: Layout;
  axes: AxesChoice;
}

export interface Pane {
  title: string;
  experimentId: number | null;
  series: ChartSeries[];
  xRange: [number, number] | null;
  yRange: [number, number] | null;
}

/** A chart: overlaid (one pane) or side by side (one pane per experiment). */
export interface PanedChart {
  overlay: boolean;
  panes: Pane[];
  /** Category labels for x (the layer axis of profiles). */
  xTickLabels: string[] | null;
  /** The panes have their own x scales. */
  independentX: boolean;
}

/** A run's curve on the chosen axis (step, tokens or wall seconds). */
export interface RunCurve {
  x: number[];
  y: number[];
}

/** Labels the charts need in the user's language. */
export interface ChartWords {
  agreement: string;
}

/** The experiment's colour: its position in the comparison. */
export const experimentColor = (i: number): string => seriesColor(i);

/** Panes whose x extents differ more than this factor get their own x scale (auto). */
const LENGTH_RATIO = 4;

const xsOf = (series: ChartSeries[]) => series.flatMap((s) => s.x);
const ysOf = (series: ChartSeries[]) =>
  series.flatMap((s) => [...s.y, ...(s.band?.min ?? []), ...(s.band?.max ?? [])]);

/** Whether experiments' x extents differ enough to read better on their own scales. */
function lengthsDiffer(per: ChartSeries[][]): boolean {
  const ends = per.map((s) => extent(xsOf(s))?.[1]).filter((v): v is number => !!v && v > 0);
  return ends.length > 1 && Math.max(...ends) / Math.min(...ends) > LENGTH_RATIO;
}

/** y bounds hugging the data (never below 0 for non-negative data), kept in `limits`. */
export const sharedRange = (
  series: ChartSeries[],
  limits: readonly [number, number] | null = null,
) => paddedRange(ysOf(series), 0.04, limits);

function paned(
  c: Comparison,
  per: ChartSeries[][],
  overlay: boolean,
  choice: Pick<ChartChoice, 'axes'>,
  opts: { xTickLabels?: string[] | null; yLimits?: readonly [number, number] | null } = {},
): PanedChart {
  const all = per.flat();
  const sharedX = extent(xsOf(all));
  const sharedY = sharedRange(all, opts.yLimits ?? null);
  if (overlay)
    return {
      overlay: true,
      panes: [{ title: '', experimentId: null, series: all, xRange: sharedX, yRange: sharedY }],
      xTickLabels: opts.xTickLabels ?? null,
      independentX: false,
    };
  const ownX =
    choice.axes === 'independent' ||
    (choice.axes === 'auto' && !opts.xTickLabels && lengthsDiffer(per));
  const ownY = choice.axes === 'independent';
  return {
    overlay: false,
    panes: c.experiments.map((e, i) => ({
      title: e.name,
      experimentId: e.experimentId,
      series: per[i],
      xRange: ownX ? extent(xsOf(per[i])) : sharedX,
      yRange: ownY ? sharedRange(per[i], opts.yLimits ?? null) : sharedY,
    })),
    xTickLabels: opts.xTickLabels ?? null,
    independentX: ownX,
  };
}

/** The last x of an experiment's runs (its length on that axis). */
function endOf(e: ExperimentComparison, curves: Map<number, RunCurve>): number {
  let end = 0;
  for (const g of e.seedGroups)
    for (const id of g.runIds) {
      const x = curves.get(id)?.x;
      if (x?.length) end = Math.max(end, x[x.length - 1]);
    }
  return end;
}

/** Seed groups' curves (mean, min–max band) of every experiment, from the runs' curves. */
export function lossChart(
  c: Comparison,
  curves: Map<number, RunCurve>,
  choice: ChartChoice,
): PanedChart {
  const per = c.experiments.map((e, i) => {
    const end = choice.axis === 'fraction' ? endOf(e, curves) || 1 : 1;
    return e.seedGroups.map((g, gi) => {
      const runs = g.runIds
        .map((id) => curves.get(id))
        .filter((r): r is RunCurve => !!r && r.x.length > 0)
        .map((r) => ({ x: r.x.map((v) => v / end), y: r.y }));
      const band = meanBand(runs);
      const n = g.runIds.length;
      return {
        label: `${e.name}${g.label ? ` · ${g.label}` : ''} (n=${n})`,
        // One colour per experiment; its further seed groups are dashed.
        color: experimentColor(i),
        dashed: gi > 0,
        x: band.x,
        y: band.mean,
        band: runs.length > 1 ? { min: band.min, max: band.max } : undefined,
      } satisfies ChartSeries;
    });
  });
  const overlay =
    choice.layout === 'overlay' ||
    (choice.layout === 'auto' && (choice.axis === 'fraction' || !lengthsDiffer(per)));
  return paned(c, per, overlay, choice);
}

/**
 * Mean cross-seed similarity per layer with its bootstrap interval, on the shared layer axis;
 * a layer an experiment does not have is a gap, never a line through it.
 */
export function profileChart(
  c: Comparison,
  choice: Pick<ChartChoice, 'layout' | 'axes'>,
): PanedChart {
  const layers = c.layers;
  let measure: string | null = null;
  const per = c.experiments.map((e, i) => {
    const p = e.profile;
    if (!p) return [];
    measure = p.measure;
    const byLayer = new Map(p.layers.map((l) => [l.layer, l]));
    const idx = p.layers.map((l) => layers.indexOf(l.layer)).filter((x) => x >= 0);
    if (!idx.length) return [];
    const x: number[] = [];
    const y: number[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    for (let k = Math.min(...idx); k <= Math.max(...idx); k++) {
      const l = byLayer.get(layers[k]);
      const v = l?.value ?? NaN;
      x.push(k);
      y.push(v);
      lo.push(l?.interval.lower ?? v);
      hi.push(l?.interval.upper ?? v);
    }
    return [
      {
        label: e.name,
        color: experimentColor(i),
        x,
        y,
        band: { min: lo, max: hi },
        points: true,
      } satisfies ChartSeries,
    ];
  });
  const same = (lists: string[][]) => lists.every((l) => l.join('|') === lists[0].join('|'));
  const match = same(
    c.experiments.filter((e) => e.profile).map((e) => e.profile!.layers.map((l) => l.layer)),
  );
  const overlay = choice.layout === 'overlay' || (choice.layout === 'auto' && match);
  const range = measure ? rangeOf(measure) : null;
  return paned(c, per, overlay, choice, { xTickLabels: layers, yLimits: range });
}

const rangeOf = (measure: string): readonly [number, number] | null =>
  measure in MEASURE_CATALOGUE
    ? ((MEASURE_CATALOGUE[measure as keyof typeof MEASURE_CATALOGUE].range as
        readonly [number, number] | null) ?? null)
    : null;

/** Mean similarity over layers per analysed checkpoint: x = step, tokens or fraction. */
export function trajectoryChart(
  c: Comparison,
  choice: ChartChoice,
  words: ChartWords,
  lengths: Map<number, number> = new Map(),
): PanedChart {
  const xs = (e: ExperimentComparison): number[] => {
    const t = e.trajectory;
    if (!t) return [];
    if (choice.axis === 'tokens') return t.tokens.map((v) => v ?? NaN);
    if (choice.axis === 'fraction') {
      const end = lengths.get(e.experimentId) || Math.max(1, ...t.steps);
      return t.steps.map((s) => s / end);
    }
    return t.steps;
  };
  const per = c.experiments.map((e, i) => {
    const t = e.trajectory;
    if (!t) return [];
    const x = xs(e);
    const out: ChartSeries[] = [
      {
        label: e.name,
        color: experimentColor(i),
        x,
        y: t.overall.map((v) => v ?? NaN),
        points: true,
      },
    ];
    if (t.agreement.some((v) => v !== null))
      out.push({
        label: `${e.name} · ${words.agreement}`,
        color: experimentColor(i),
        x,
        y: t.agreement.map((v) => v ?? NaN),
        dashed: true,
        points: true,
      });
    return out;
  });
  const lists = c.experiments.filter((e) => e.trajectory).map((e) => xs(e).join('|'));
  const match = lists.every((l) => l === lists[0]);
  const overlay =
    choice.layout === 'overlay' ||
    (choice.layout === 'auto' && (match || (choice.axis === 'fraction' && !lengthsDiffer(per))));
  const measure = c.experiments.find((e) => e.trajectory)?.trajectory?.measure;
  return paned(c, per, overlay, choice, { yLimits: measure ? rangeOf(measure) : null });
}

/** One output-level measure across experiments: value, interval, colour. */
export interface EstimateRow {
  experimentId: number;
  label: string;
  color: string;
  value: number | null;
  interval: [number, number] | null;
}

/** The comparison's output-level measures, ranged from the measure catalogue. */
export type OutputMeasureId = Exclude<ComparisonMeasureId, 'linear-cka'>;
export const OUTPUT_MEASURES = COMPARISON_MEASURE_IDS.filter(
  (id): id is OutputMeasureId => MEASURE_CATALOGUE[id].family === 'output',
).map((id) => ({
  id,
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
      interval: bounds(est?.interval),
    };
  });
}
