/**
 * The summary table: one row per experiment with its final losses, budget actually spent,
 * backend, and each homogenization measure with its difference from the reference experiment:
 * a jackknife (Welch) interval of the difference and a permutation test that relabels models
 * between the two experiments (src/experiments/stats/jackknife.ts).
 */
import type { RunRow } from '../../../db/types';
import type { ExperimentData, PairData } from './experiment-entry';
import { finiteMean, noInterval, pairwiseDifference } from '../stats';
import type { CompareStore } from './store';
import type { Estimate, SummaryMeasure, SummaryMeasureCell, SummaryRow } from './types';
import { SUMMARY_MEASURES } from './types';

export interface DifferenceOptions {
  level: number;
  /** Monte Carlo relabellings when exact enumeration would exceed this many. */
  permutations?: number;
  seed?: number;
}

export interface SummaryOptions extends DifferenceOptions {
  reference: number;
  lossMetric?: string;
  evalMetric?: string;
}

function spread(values: number[]): SummaryRow['finalLoss'] {
  const v = values.filter((x) => Number.isFinite(x));
  return v.length
    ? { mean: finiteMean(v), min: Math.min(...v), max: Math.max(...v) }
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
    wallMsPerRun: wall.length ? finiteMean(wall) : null,
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
    return {
      est: h
        ? {
            value: h.value,
            interval: noInterval('H is one number over all k models (no per-model units stored)'),
            pairs: 0,
            models: h.k,
          }
        : null,
    };
  }
  return { est: e.outputs?.[m] ?? null, pair: d.pairs[m] };
}

/** Difference this − reference with its interval and the model-relabelling p-value. */
export function differenceCell(
  a: PairData,
  ref: PairData,
  opts: DifferenceOptions,
): NonNullable<SummaryMeasureCell['diff']> {
  const d = pairwiseDifference(a, ref, {
    level: opts.level,
    seed: opts.seed,
    maxExact: opts.permutations,
    resamples: opts.permutations,
  });
  return {
    value: d.value,
    interval: d.interval,
    pValue: d.test?.pValue ?? null,
    method: d.test?.method ?? null,
  };
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
      const est: Estimate = mine.est ?? {
        value: null,
        interval: noInterval('not analysed'),
        pairs: 0,
        models: 0,
      };
      let diff: SummaryMeasureCell['diff'] = null;
      if (i !== opts.reference) {
        if (mine.pair && theirs.pair) diff = differenceCell(mine.pair, theirs.pair, opts);
        else if (est.value !== null && theirs.est?.value != null)
          // H: one number per experiment, so only the plain difference.
          diff = {
            value: est.value - theirs.est.value,
            interval: noInterval('H has no per-model units to resample'),
            pValue: null,
            method: null,
          };
        else
          diff = {
            value: null,
            interval: noInterval('undefined on one side'),
            pValue: null,
            method: null,
          };
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
