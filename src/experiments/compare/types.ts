/**
 * The comparison of whole experiments, as plain JSON-serialisable data: every number a
 * chart, table, CSV row or report shows is in here, so the UI, the CLI's `--json` and the HTML
 * report's embedded JSON all read the same object.
 *
 * Conventions: `null` means "not available" (the reason is listed in the experiment's `missing`
 * with the field path), never NaN; intervals are the statistics module's `Interval` at
 * `Comparison.settings.level` (bounds, method, or the reason there is none); the first experiment is the reference for differences unless
 * `settings.reference` says otherwise.
 */
import type { Json, JsonObject } from '../../../db/types';
import { COMPARISON_MEASURE_IDS, type ComparisonMeasureId } from '../../core/similarity/catalogue';
import type { Interval, PairwiseEstimate } from '../stats/types';

export type { Interval };

/** X axes a loss curve can be drawn against. */
export const X_AXES = ['step', 'tokens', 'wallMs'] as const;
export type XAxis = (typeof X_AXES)[number];

/** The homogenization measures the summary reports per experiment (the catalogue's list). */
export const SUMMARY_MEASURES = COMPARISON_MEASURE_IDS;
export type SummaryMeasure = ComparisonMeasureId;

/** Pairwise output measures read from `model-matrix` analysis rows at `layers = 'output'`. */
export const PAIRWISE_OUTPUT_MEASURES = [
  'top1-agreement',
  'jsd',
  'error-consistency',
] as const satisfies readonly SummaryMeasure[];
export type PairwiseOutputMeasure = (typeof PAIRWISE_OUTPUT_MEASURES)[number];

/**
 * A cross-seed mean over model pairs with its jackknife interval over models (or none, with
 * the reason) and the number of pairs and models behind it (src/experiments/stats).
 */
export type Estimate = PairwiseEstimate;

/** Runs that differ only in their seeds (init and data order): one configuration. */
export interface SeedGroup {
  /** Stable id within the experiment ('g0', 'g1', …, in run order). */
  id: string;
  /** The axis values shared by the group (seed axes left out); '' when the experiment has one group. */
  label: string;
  axes: Record<string, string | number | boolean>;
  runIds: number[];
  initSeeds: number[];
  dataSeeds: number[];
}

/** Mean, min and max over a seed group's runs on the shared x grid of one axis. */
export interface CurveBand {
  /** Per grid point; null where no run of the group has data there. */
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  /** Runs contributing at each grid point. */
  n: number[];
}

export interface LossCurves {
  /** Metric name as stored ('loss', 'eval_loss'). */
  metric: string;
  /** Seed group id → band per x axis (the grids are `Comparison.grids`). */
  groups: { groupId: string; bands: Record<XAxis, CurveBand> }[];
}

/** Mean cross-seed similarity at one layer, with its interval. */
export interface LayerEstimate extends Estimate {
  layer: string;
}

export interface SimilarityProfile {
  measure: string;
  /** Checkpoint step the profile is read at. */
  step: number;
  layers: LayerEstimate[];
  /** Mean over layers (its interval: the jackknife over models of the layer-averaged matrix). */
  overall: Estimate;
}

/** How similarity evolves over training: one point per analysed checkpoint step. */
export interface SimilarityTrajectory {
  measure: string;
  steps: number[];
  /** Tokens seen at each step (steps × batch size × context length of the experiment). */
  tokens: (number | null)[];
  layers: { layer: string; mean: (number | null)[] }[];
  /** Mean over layers per step. */
  overall: (number | null)[];
  /** Output top-1 agreement per step, where analysed. */
  agreement: (number | null)[];
}

export interface OutcomeHomogenization {
  /** H = P(all k fail) / Π P(model i fails) (Bommasani et al. 2022); 1 = independent failures. */
  value: number | null;
  /** Models H is computed over. */
  k: number;
  /** No per-example correctness is stored, so H has no bootstrap interval (see `missing`). */
  interval: null;
  errorRates: (number | null)[];
  allFail: number | null;
}

export interface OutputHomogenization {
  step: number;
  'top1-agreement': Estimate | null;
  jsd: Estimate | null;
  'error-consistency': Estimate | null;
  'outcome-homogenization': OutcomeHomogenization | null;
}

/** A field the comparison could not fill, and why. */
export interface MissingField {
  /** Dotted path in the experiment's comparison entry (e.g. 'profile', 'outputs.jsd'). */
  field: string;
  reason: string;
}

/** Everything about one experiment in a comparison. */
export interface ExperimentComparison {
  experimentId: number;
  name: string;
  runCount: number;
  /** Runs per status. */
  statuses: Record<string, number>;
  seedGroups: SeedGroup[];
  lossCurves: LossCurves[];
  profile: SimilarityProfile | null;
  outputs: OutputHomogenization | null;
  trajectory: SimilarityTrajectory | null;
  missing: MissingField[];
}

/** One field that differs between the experiments' specs. */
export interface SpecDiffEntry {
  /** Dotted field path ('model.activation', 'training.steps', 'runs.initSeeds', …). */
  path: string;
  category: 'data' | 'architecture' | 'budget' | 'seeds' | 'axes' | 'analysis' | 'other';
  /** The value per experiment, in comparison order; null where the field is absent. */
  values: Json[];
  /**
   * True for values derived from the runs rather than read from the spec: `runs.*` (seeds, run
   * count) and `effective.model.*` / `effective.training.*` (the values the runs actually used,
   * a list when axes vary the field).
   */
  derived: boolean;
}

/** A summary measure of one experiment, and its difference from the reference experiment. */
export interface SummaryMeasureCell extends Estimate {
  /** This experiment minus the reference; null for the reference itself or when undefined. */
  diff: {
    value: number | null;
    interval: Interval;
    /** Two-sided permutation test relabelling models between the two experiments. */
    pValue: number | null;
    /** Exact enumeration of every relabelling, or Monte Carlo. */
    method: 'exact' | 'monte-carlo' | null;
  } | null;
}

export interface SummaryRow {
  experimentId: number;
  name: string;
  runs: number;
  completed: number;
  seeds: number;
  /** Mean over runs of each run's last value; min and max across runs. */
  finalLoss: { mean: number | null; min: number | null; max: number | null };
  finalEvalLoss: { mean: number | null; min: number | null; max: number | null };
  /** Largest token count reached by a run. */
  tokens: number | null;
  /** Mean training wall time per run (ms, from the metrics' wall clock). */
  wallMsPerRun: number | null;
  /** First run start to last run end (ms): what the experiment cost in elapsed time. */
  wallMsSpan: number | null;
  backends: string[];
  devices: string[];
  measures: Record<SummaryMeasure, SummaryMeasureCell>;
}

export interface ComparisonSettings {
  reference: number;
  similarityMeasure: string;
  /** Requested analysis step: 'final' or a step number. */
  step: 'final' | number;
  gridPoints: number;
  level: number;
  resamples: number;
  permutations: number;
  seed: number;
  metrics: string[];
}

export interface Comparison {
  /** Format version of this object. */
  version: 1;
  createdAt: number;
  experimentIds: number[];
  settings: ComparisonSettings;
  /** Shared x grids (one per axis), identical for every experiment so axes line up. */
  grids: Record<XAxis, number[]>;
  experiments: ExperimentComparison[];
  specDiff: SpecDiffEntry[];
  summary: SummaryRow[];
  /** Layers present in any experiment's profile, in network order (for a shared chart axis). */
  layers: string[];
  notes: string[];
}

/** A named comparison kept in the store. */
export interface SavedComparison {
  /** Id in the store's comparisons table (never reused). */
  id: number;
  name: string;
  experimentIds: number[];
  createdAt: number;
  options: JsonObject;
}
