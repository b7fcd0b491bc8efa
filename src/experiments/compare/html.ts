/**
 * The comparison as a standalone HTML report, built with the report toolkit (src/reports): the
 * summary table, the spec diff, loss curves (mean with min–max band per seed group, one colour
 * per experiment on shared axes), the layer-wise similarity profile with its intervals, output
 * homogenization bars, similarity trajectories, what is missing and why — and the whole
 * `Comparison` embedded as JSON (`#report-data`), so every number in the page can be re-read.
 */
import { MEASURE_CATALOGUE } from '../../core/similarity/catalogue';
import {
  fmtInterval,
  fmtNumber,
  PALETTE,
  renderReport,
  type Cell,
  type LineSeries,
  type ReportBlock,
  type ReportDocument,
  type ReportSection,
} from '../../reports';
import type { Comparison, Estimate, Interval, SummaryMeasure, XAxis } from './types';
import { PAIRWISE_OUTPUT_MEASURES, SUMMARY_MEASURES } from './types';

const AXIS_LABEL: Record<XAxis, string> = {
  step: 'step',
  tokens: 'tokens',
  wallMs: 'wall time (s)',
};
/** A summary measure's label: the catalogue's short name (per-layer measures are averaged). */
const measureLabel = (m: SummaryMeasure): string => {
  const c = MEASURE_CATALOGUE[m];
  return c.family === 'representation' ? `${c.short} (mean over layers)` : c.short;
};

const color = (i: number) => PALETTE[i % PALETTE.length];
/** `value [lo, hi]`, or just the value when there is no interval (e.g. H). */
const withInterval = (value: number | null, interval: Interval | null | undefined) =>
  value === null
    ? '—'
    : interval?.lower != null && interval.upper != null
      ? fmtInterval(value, interval.lower, interval.upper)
      : fmtNumber(value);
const est = (e: Estimate | null | undefined): string =>
  e ? withInterval(e.value, e.interval) : '—';

function lossChart(c: Comparison, metric: string, axis: XAxis): ReportBlock | null {
  const grid = c.grids[axis];
  const series: LineSeries[] = [];
  c.experiments.forEach((e, i) => {
    const curves = e.lossCurves.find((l) => l.metric === metric);
    curves?.groups.forEach((g, gi) => {
      const group = e.seedGroups.find((s) => s.id === g.groupId);
      const b = g.bands[axis];
      if (!b.mean.some((v) => v !== null)) return;
      series.push({
        name: `${e.name}${group?.label ? ` · ${group.label}` : ''}`,
        color: color(i),
        dashed: gi > 0,
        points: grid.map((x, k) => ({
          x: axis === 'wallMs' ? x / 1000 : x,
          y: b.mean[k],
          lo: b.min[k],
          hi: b.max[k],
        })),
      });
    });
  });
  if (!series.length) return null;
  return {
    kind: 'line-chart',
    title: `${metric} by ${AXIS_LABEL[axis]} (mean, min–max band over seeds)`,
    xLabel: AXIS_LABEL[axis],
    yLabel: metric,
    series,
  };
}

function profileChart(c: Comparison): ReportBlock | null {
  const series: LineSeries[] = [];
  c.experiments.forEach((e, i) => {
    if (!e.profile) return;
    const byLayer = new Map(e.profile.layers.map((l) => [l.layer, l]));
    series.push({
      name: e.name,
      color: color(i),
      points: c.layers.map((layer, x) => {
        const l = byLayer.get(layer);
        return {
          x,
          y: l?.value ?? null,
          lo: l?.interval.lower ?? null,
          hi: l?.interval.upper ?? null,
        };
      }),
    });
  });
  if (!series.length) return null;
  const steps = [...new Set(c.experiments.flatMap((e) => (e.profile ? [e.profile.step] : [])))];
  return {
    kind: 'line-chart',
    title: `Cross-seed ${c.settings.similarityMeasure} per layer at step ${steps.join(' / ')} (mean, ${Math.round(c.settings.level * 100)}% interval)`,
    xLabel: `layer: ${c.layers.map((l, i) => `${i}=${l}`).join(', ')}`,
    yLabel: c.settings.similarityMeasure,
    series,
  };
}

function outputCharts(c: Comparison): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (const m of PAIRWISE_OUTPUT_MEASURES) {
    const bars = c.experiments.map((e, i) => {
      const x = e.outputs?.[m] ?? null;
      return {
        label: e.name,
        value: x?.value ?? null,
        lo: x?.interval.lower ?? null,
        hi: x?.interval.upper ?? null,
        color: color(i),
      };
    });
    if (bars.some((b) => b.value !== null))
      blocks.push({ kind: 'bar-chart', title: measureLabel(m), yLabel: m, bars });
  }
  const h = c.experiments.map((e, i) => ({
    label: e.name,
    value: e.outputs?.['outcome-homogenization']?.value ?? null,
    color: color(i),
  }));
  if (h.some((b) => b.value !== null))
    blocks.push({
      kind: 'bar-chart',
      title: measureLabel('outcome-homogenization'),
      yLabel: 'H',
      bars: h,
      references: [{ y: 1, label: 'independent failures' }],
    });
  return blocks;
}

function trajectoryChart(c: Comparison): ReportBlock | null {
  const series: LineSeries[] = [];
  c.experiments.forEach((e, i) => {
    const t = e.trajectory;
    if (!t) return;
    if (t.overall.some((v) => v !== null))
      series.push({
        name: `${e.name} · ${t.measure}`,
        color: color(i),
        points: t.steps.map((s, k) => ({ x: s, y: t.overall[k] })),
      });
    if (t.agreement.some((v) => v !== null))
      series.push({
        name: `${e.name} · top-1 agreement`,
        color: color(i),
        dashed: true,
        points: t.steps.map((s, k) => ({ x: s, y: t.agreement[k] })),
      });
  });
  if (!series.length) return null;
  return {
    kind: 'line-chart',
    title: 'Cross-seed similarity over training (mean over layers; dashed: output agreement)',
    xLabel: 'step',
    yLabel: 'similarity',
    series,
  };
}

/** Runs, losses, budget and backend: one row per experiment. */
function runsTable(c: Comparison): ReportBlock {
  const columns = [
    'experiment',
    'runs (completed)',
    'seeds / group',
    'final loss (min–max)',
    'final eval loss',
    'tokens',
    'wall time / run (s)',
    'backend',
  ];
  const rows: Cell[][] = c.summary.map((r, i) => [
    `${r.name} (exp-${r.experimentId})${i === c.settings.reference ? ' — reference' : ''}`,
    `${r.runs} (${r.completed})`,
    r.seeds,
    r.finalLoss.mean === null
      ? null
      : `${fmtNumber(r.finalLoss.mean, 4)} (${fmtNumber(r.finalLoss.min, 4)}–${fmtNumber(r.finalLoss.max, 4)})`,
    r.finalEvalLoss.mean,
    r.tokens,
    r.wallMsPerRun === null ? null : r.wallMsPerRun / 1000,
    r.backends.join(', ') || '—',
  ]);
  return { kind: 'table', caption: 'Runs', columns, rows, digits: 4 };
}

/** Homogenization measures: one row per measure, a value column per experiment, then Δs. */
function measuresTable(c: Comparison): ReportBlock {
  const ref = c.settings.reference;
  const others = c.summary.map((_, i) => i).filter((i) => i !== ref);
  const columns = [
    'measure',
    ...c.summary.map((r) => `${r.name} [${Math.round(c.settings.level * 100)}% interval]`),
    ...others.map((i) => `Δ ${c.summary[i].name} − ${c.summary[ref].name} [interval], p`),
  ];
  const rows: Cell[][] = SUMMARY_MEASURES.map((m) => [
    measureLabel(m),
    ...c.summary.map((r) => est(r.measures[m])),
    ...others.map((i) => {
      const d = c.summary[i].measures[m].diff;
      if (!d || d.value === null) return '—';
      const iv = withInterval(d.value, d.interval);
      return d.pValue === null ? iv : `${iv}, p = ${fmtNumber(d.pValue, 3)}`;
    }),
  ]);
  return {
    kind: 'table',
    caption: 'Homogenization (cross-seed, within seed groups)',
    columns,
    rows,
  };
}

function specDiffTable(c: Comparison): ReportBlock {
  if (!c.specDiff.length)
    return { kind: 'text', text: 'The experiments’ specs and runs do not differ.' };
  return {
    kind: 'table',
    caption: 'What differs (derived: read from the runs, not the spec)',
    columns: ['field', 'category', ...c.experiments.map((e) => e.name)],
    rows: c.specDiff.map((d) => [
      `${d.path}${d.derived ? ' (derived)' : ''}`,
      d.category,
      ...d.values.map((v): Cell =>
        v === null || typeof v !== 'object' ? (v as Cell) : JSON.stringify(v),
      ),
    ]),
  };
}

function perLayerTable(c: Comparison): ReportBlock | null {
  if (!c.experiments.some((e) => e.profile)) return null;
  return {
    kind: 'table',
    caption: `Cross-seed ${c.settings.similarityMeasure} per layer: mean [interval] (pairs)`,
    columns: ['layer', ...c.experiments.map((e) => e.name)],
    rows: c.layers.map((layer) => [
      layer,
      ...c.experiments.map((e) => {
        const l = e.profile?.layers.find((x) => x.layer === layer);
        return l ? `${est(l)} (${l.pairs})` : '—';
      }),
    ]),
  };
}

/** The report as a document (for apps that render blocks natively). */
export function comparisonReport(c: Comparison, opts: { title?: string } = {}): ReportDocument {
  const sections: ReportSection[] = [
    { heading: 'Summary', blocks: [runsTable(c), measuresTable(c)] },
    { heading: 'Spec diff', blocks: [specDiffTable(c)] },
  ];
  const loss: ReportBlock[] = [];
  for (const metric of c.settings.metrics)
    for (const axis of ['step', 'tokens', 'wallMs'] as const) {
      if (metric !== c.settings.metrics[0] && axis !== 'step') continue;
      const b = lossChart(c, metric, axis);
      if (b) loss.push(b);
    }
  sections.push({
    heading: 'Loss curves',
    blocks: loss.length ? loss : [{ kind: 'text', text: 'No loss metrics stored.' }],
  });
  const sim = [profileChart(c), perLayerTable(c)].filter((b): b is ReportBlock => !!b);
  sections.push({
    heading: 'Layer-wise similarity across seeds',
    blocks: sim.length ? sim : [{ kind: 'text', text: 'No similarity analyses stored.' }],
  });
  const out = outputCharts(c);
  sections.push({
    heading: 'Output-level homogenization',
    blocks: out.length ? out : [{ kind: 'text', text: 'No output analyses stored.' }],
  });
  const traj = trajectoryChart(c);
  sections.push({
    heading: 'Similarity over training',
    blocks: traj ? [traj] : [{ kind: 'text', text: 'No analysed checkpoints.' }],
  });
  const missing = c.experiments.flatMap((e) =>
    e.missing.map((m): Cell[] => [e.name, m.field, m.reason]),
  );
  sections.push({
    heading: 'Missing data and notes',
    blocks: [
      ...(missing.length
        ? [
            {
              kind: 'table',
              caption: 'Not available',
              columns: ['experiment', 'field', 'why'],
              rows: missing,
            } as ReportBlock,
          ]
        : []),
      ...c.notes.map((text): ReportBlock => ({ kind: 'text', text })),
    ],
  });
  return {
    title: opts.title ?? `Comparison: ${c.experiments.map((e) => e.name).join(' vs ')}`,
    subtitle: 'Homolab experiment comparison',
    meta: {
      created: new Date(c.createdAt).toISOString(),
      experiments: c.experimentIds.map((id) => `exp-${id}`).join(', '),
      interval: `${Math.round(c.settings.level * 100)}% jackknife over models; permutation tests relabel models (seed ${c.settings.seed})`,
    },
    sections,
    data: c,
  };
}

/** A standalone HTML report of the comparison (inline SVG charts, embedded JSON). */
export function comparisonToHtml(c: Comparison, opts: { title?: string } = {}): string {
  return renderReport(comparisonReport(c, opts));
}
