/**
 * The summary table: one row per experiment with its final losses, budget actually spent,
 * backend, and each homogenization measure with its difference from the reference experiment
 * (bootstrap interval of the difference, models resampled independently in both experiments)
 * and a permutation-test p-value over the cross-seed pair values.
 */
import type { RunRow } from '../../../db/types';
import type { ExperimentData, PairData } from './experiment-entry';
import {
  bootstrapModels,
  groupPairValues,
  mean,
  pairMean,
  pairPermutationTest,
  type BootstrapOptions,
} from './stats';
import type { CompareStore } from './store';
import type { Estimate, SummaryMeasure, SummaryMeasureCell, SummaryRow } from './types';
import { SUMMARY_MEASURES } from './types';

export interface SummaryOptions extends BootstrapOptions {
  reference: number;
  permutations?: number;
  lossMetric?: string;
  evalMetric?: string;
}

function spread(values: number[]): SummaryRow['finalLoss'] {
  const v = values.filter((x) => Number.isFinite(x));
  return v.length
    ? { mean: mean(v), min: Math.min(...v), max: Math.max(...v) }
    : { mean: null, min: null, max: null };
}

/** Final losses, tokens and times of an experiment's runs from their stored metrics. */
function runFacts(store: CompareStore, runs: readonly RunRow[], loss: string, evalLoss: string) {
  const last = runs.map((r) => store.metrics.last(r.id, loss));
  const lastEval = runs.map((r) => store.metrics.last(r.id, evalLoss));
  const tokens = last.flatMap((p) => (p ? [p.tokens] : []));
  const wall = last.flatMap((p) => (p ? [p.wallMs] : []));
  const starts = runs.flatMap((r) => (r.startedAt !== null ? [r.startedAt] : []));
  const ends = runs.flatMap((r) => (r.endedAt !== null ? [r.endedAt] : []));
  return {
    finalLoss: spread(last.flatMap((p) => (p ? [p.value] : []))),
    finalEvalLoss: spread(lastEval.flatMap((p) => (p ? [p.value] : []))),
    tokens: tokens.length ? Math.max(...tokens) : null,
    wallMsPerRun: mean(wall),
    wallMsSpan: starts.length && ends.length ? Math.max(...ends) - Math.min(...starts) : null,
  };
}

/** The estimate shown for a summary measure, and the pair data behind it (if pairwise). */
function measureOf(
  d: ExperimentData,
  m: SummaryMeasure,
): { est: Estimate | null; pair?: PairData } {
  const e = d.entry;
  if (m === 'linear-cka') return { est: e.profile?.overall ?? null, pair: d.pairs.similarity };
  if (m === 'outcome-homogenization') {
    const h = e.outputs?.['outcome-homogenization'];
    return { est: h ? { value: h.value, interval: null, pairs: 0, models: h.k } : null };
  }
  return { est: e.outputs?.[m] ?? null, pair: d.pairs[m] };
}

/** Difference this − reference with interval and permutation p-value. */
export function differenceCell(
  a: PairData,
  ref: PairData,
  opts: BootstrapOptions & { permutations?: number },
): NonNullable<SummaryMeasureCell['diff']> {
  const va = pairMean(a.matrix, a.groups);
  const vr = pairMean(ref.matrix, ref.groups);
  if (va === null || vr === null)
    return { value: null, interval: null, pValue: null, method: null };
  const interval = bootstrapModels(
    [a.groups, ref.groups],
    ([ga, gr]) => {
      const x = pairMean(a.matrix, ga);
      const y = pairMean(ref.matrix, gr);
      return x === null || y === null ? null : x - y;
    },
    opts,
  );
  const test = pairPermutationTest(
    groupPairValues(a.matrix, a.groups),
    groupPairValues(ref.matrix, ref.groups),
    { permutations: opts.permutations, seed: opts.seed },
  );
  return { value: va - vr, interval, pValue: test.pValue, method: test.method };
}

export function summaryRows(
  store: CompareStore,
  data: readonly ExperimentData[],
  opts: SummaryOptions,
): SummaryRow[] {
  const ref = data[opts.reference];
  return data.map((d, i) => {
    const facts = runFacts(
      store,
      d.runs,
      opts.lossMetric ?? 'loss',
      opts.evalMetric ?? 'eval_loss',
    );
    const measures = {} as Record<SummaryMeasure, SummaryMeasureCell>;
    for (const m of SUMMARY_MEASURES) {
      const mine = measureOf(d, m);
      const theirs = measureOf(ref, m);
      const est: Estimate = mine.est ?? { value: null, interval: null, pairs: 0, models: 0 };
      let diff: SummaryMeasureCell['diff'] = null;
      if (i !== opts.reference) {
        if (mine.pair && theirs.pair) diff = differenceCell(mine.pair, theirs.pair, opts);
        else if (est.value !== null && theirs.est?.value != null)
          // H: one number per experiment, so only the plain difference.
          diff = {
            value: est.value - theirs.est.value,
            interval: null,
            pValue: null,
            method: null,
          };
        else diff = { value: null, interval: null, pValue: null, method: null };
      }
      measures[m] = { ...est, diff };
    }
    return {
      experimentId: d.entry.experimentId,
      name: d.entry.name,
      runs: d.runs.length,
      completed: d.runs.filter((r) => r.status === 'completed').length,
      seeds: Math.max(0, ...d.entry.seedGroups.map((g) => g.runIds.length)),
      ...facts,
      backends: [...new Set(d.runs.map((r) => r.backend).filter(Boolean))].sort(),
      devices: [...new Set(d.runs.map((r) => r.device).filter(Boolean))].sort(),
      measures,
    };
  });
}
