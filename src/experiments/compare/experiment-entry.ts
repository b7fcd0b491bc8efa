/**
 * One experiment's part of a comparison: seed groups, the similarity profile at the chosen step,
 * output-level homogenization and the similarity trajectory, all from stored analyses, with the
 * pair matrices kept aside for the cross-experiment statistics (differences, permutation tests).
 * Loss curves are filled in by compare.ts, which needs every experiment's runs for the shared grid.
 */
import type { RunRow } from '../../../db/types';
import { storedVariant } from '../spec/create';
import { isMeasureId, measureEntry } from '../../core/similarity/catalogue';
import {
  averageMatrices,
  measureMatrices,
  outcomeHomogenizationRows,
  pickStep,
  runIndex,
  type MeasureMatrices,
  type RunIndex,
} from './analysis-data';
import { seedGroupsOf } from './seed-groups';
import {
  finite,
  pairMean,
  pairwiseMean,
  type Groups,
  type SquareMatrix as PairMatrix,
} from '../stats';
import type { CompareStore } from './store';
import type {
  Estimate,
  ExperimentComparison,
  MissingField,
  OutputHomogenization,
  PairwiseOutputMeasure,
  SimilarityProfile,
  SimilarityTrajectory,
} from './types';
import { PAIRWISE_OUTPUT_MEASURES } from './types';

/** The pair data behind a summary measure: a run-indexed matrix and the seed groups over it. */
export interface PairData {
  matrix: PairMatrix;
  groups: Groups;
}

export interface ExperimentData {
  entry: ExperimentComparison;
  runs: RunRow[];
  index: RunIndex;
  groups: number[][];
  /** At the profile / outputs step; 'linear-cka' (the similarity measure) is layer-averaged. */
  pairs: Partial<Record<'similarity' | PairwiseOutputMeasure, PairData>>;
}

export interface EntryOptions {
  level: number;
  similarityMeasure: string;
  step: 'final' | number;
}

/**
 * Cross-seed pair mean with its jackknife interval over models (cut to the measure's range)
 * and unit counts.
 */
export function estimate(
  matrix: PairMatrix,
  groups: Groups,
  opts: { level: number },
  measure: string,
): Estimate {
  const range = isMeasureId(measure) ? measureEntry(measure).range : null;
  return pairwiseMean(matrix, groups, { level: opts.level, range });
}

function tokensPerStep(runs: readonly RunRow[]): number | null {
  const v = runs.length ? storedVariant(runs[0]) : null;
  const b = v?.training?.batchSize;
  const t = v?.model?.contextLength;
  return typeof b === 'number' && typeof t === 'number' ? b * t : null;
}

const analyzeHint = (id: number) => `run \`homolab analyze exp-${id}\` (or compare with --analyze)`;

function profileAt(
  sim: MeasureMatrices,
  step: number,
  groups: Groups,
  measure: string,
  opts: { level: number },
): { profile: SimilarityProfile; averaged: PairMatrix } {
  const layers = sim.get(step)!;
  const averaged = averageMatrices([...layers.values()]);
  return {
    profile: {
      measure,
      step,
      layers: [...layers].map(([layer, m]) => ({ layer, ...estimate(m, groups, opts, measure) })),
      overall: estimate(averaged, groups, opts, measure),
    },
    averaged,
  };
}

function trajectoryOf(
  sim: MeasureMatrices,
  agreement: MeasureMatrices,
  groups: Groups,
  measure: string,
  perStep: number | null,
): SimilarityTrajectory {
  const steps = [...new Set([...sim.keys(), ...agreement.keys()])].sort((a, b) => a - b);
  const layerNames = [...new Set([...sim.values()].flatMap((m) => [...m.keys()]))];
  return {
    measure,
    steps,
    tokens: steps.map((s) => (perStep === null ? null : s * perStep)),
    layers: layerNames.map((layer) => ({
      layer,
      mean: steps.map((s) => {
        const m = sim.get(s)?.get(layer);
        return m ? finite(pairMean(m, groups)) : null;
      }),
    })),
    overall: steps.map((s) => {
      const layers = sim.get(s);
      return layers ? finite(pairMean(averageMatrices([...layers.values()]), groups)) : null;
    }),
    agreement: steps.map((s) => {
      const m = agreement.get(s)?.get('output');
      return m ? finite(pairMean(m, groups)) : null;
    }),
  };
}

/** Builds everything of one experiment except its loss curves. */
export function experimentData(
  store: CompareStore,
  experimentId: number,
  opts: EntryOptions,
): ExperimentData {
  const experiment = store.experiments.require(experimentId);
  const runs = store.runs.listByExperiment(experimentId);
  const seedGroups = seedGroupsOf(runs);
  const index = runIndex(runs.map((r) => r.id).sort((a, b) => a - b));
  const groups = seedGroups.map((g) => g.runIds.map((id) => index.pos.get(id)!));
  const missing: MissingField[] = [];
  const statuses: Record<string, number> = {};
  for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const pairs: ExperimentData['pairs'] = {};
  if (!seedGroups.some((g) => g.runIds.length >= 2))
    missing.push({
      field: 'seedGroups',
      reason: 'no seed group has two or more runs: cross-seed measures are undefined',
    });

  // Similarity profile at the requested step.
  const measure = opts.similarityMeasure;
  const sim = measureMatrices(store, experimentId, measure, index);
  let profile: SimilarityProfile | null = null;
  const simStep = pickStep(sim.keys(), opts.step);
  if (simStep === null)
    missing.push({
      field: 'profile',
      reason: sim.size
        ? `no ${measure} analysis at or before step ${opts.step}`
        : `no ${measure} analyses stored for this experiment; ${analyzeHint(experimentId)}`,
    });
  else {
    const p = profileAt(sim, simStep, groups, measure, opts);
    profile = p.profile;
    pairs.similarity = { matrix: p.averaged, groups };
    if (profile.overall.value === null)
      missing.push({
        field: 'profile',
        reason: `${measure} analyses at step ${simStep} hold no within-seed-group pair`,
      });
  }

  // Output-level homogenization.
  const outMatrices = new Map(
    PAIRWISE_OUTPUT_MEASURES.map(
      (m) => [m, measureMatrices(store, experimentId, m, index)] as const,
    ),
  );
  const hRows = outcomeHomogenizationRows(store, experimentId);
  const outSteps = [...outMatrices.values()]
    .flatMap((mm) => [...mm.keys()])
    .concat([...hRows.keys()]);
  const outStep = pickStep(outSteps, opts.step);
  let outputs: OutputHomogenization | null = null;
  if (outStep === null)
    missing.push({
      field: 'outputs',
      reason: `no output-measure analyses stored for this experiment; ${analyzeHint(experimentId)}`,
    });
  else {
    outputs = {
      step: outStep,
      'top1-agreement': null,
      jsd: null,
      'error-consistency': null,
      'outcome-homogenization': null,
    };
    for (const m of PAIRWISE_OUTPUT_MEASURES) {
      const matrix = outMatrices.get(m)!.get(outStep)?.get('output');
      if (!matrix) {
        missing.push({
          field: `outputs.${m}`,
          reason: `no ${m} analysis at step ${outStep}; ${analyzeHint(experimentId)}`,
        });
        continue;
      }
      outputs[m] = estimate(matrix, groups, opts, m);
      pairs[m] = { matrix, groups };
    }
    const h = hRows.get(outStep);
    if (!h)
      missing.push({
        field: 'outputs.outcome-homogenization',
        reason: `no outcome-homogenization analysis at step ${outStep}; ${analyzeHint(experimentId)}`,
      });
    else {
      outputs['outcome-homogenization'] = {
        value: h.value,
        k: h.k,
        interval: null,
        errorRates: h.errorRates,
        allFail: h.allFail,
      };
      missing.push({
        field: 'outputs.outcome-homogenization.interval',
        reason:
          'H is one number over all k models and the store keeps no per-example correctness, so it has no bootstrap interval',
      });
      if (seedGroups.length > 1)
        missing.push({
          field: 'outputs.outcome-homogenization.k',
          reason: `H is computed across all ${h.k} analysed runs, which span ${seedGroups.length} seed groups (not per group)`,
        });
    }
  }

  // Trajectory over every analysed step.
  const agreement = outMatrices.get('top1-agreement')!;
  let trajectory: SimilarityTrajectory | null = null;
  if (sim.size || agreement.size) {
    trajectory = trajectoryOf(sim, agreement, groups, measure, tokensPerStep(runs));
    if (trajectory.steps.length < 2)
      missing.push({
        field: 'trajectory',
        reason: `only step ${trajectory.steps[0]} is analysed; analyse every checkpoint (homolab analyze exp-${experimentId} --steps all) for a trajectory`,
      });
  } else
    missing.push({
      field: 'trajectory',
      reason: `no analyses stored; ${analyzeHint(experimentId)}`,
    });

  return {
    entry: {
      experimentId,
      name: experiment.name,
      runCount: runs.length,
      statuses,
      seedGroups,
      lossCurves: [],
      profile,
      outputs,
      trajectory,
      missing,
    },
    runs,
    index,
    groups,
    pairs,
  };
}
