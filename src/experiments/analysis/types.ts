/** The analysis step's public types: what `analyzeExperiment` takes, reports and returns. */
import type { Store } from '../../../db/store';
import type { MeasureName, MeasureOptions } from '../../core/similarity/registry';
import type { Measure } from '../spec/spec';

export type AnalysisStore = Pick<
  Store,
  'experiments' | 'runs' | 'checkpoints' | 'analyses' | 'samples' | 'transaction'
>;

export type AnalysisPhase =
  | 'prepare'
  | 'load'
  | 'forward'
  | 'representations'
  | 'layers'
  | 'outputs'
  | 'generations'
  | 'spectra'
  | 'aligned-weights'
  | 'trajectories'
  | 'done';

export interface AnalysisProgress {
  type: 'analysis-progress';
  experimentId: number;
  phase: AnalysisPhase;
  step: number | null;
  /** Overall progress in [0, 1]. */
  fraction: number;
  message: string;
}

export interface GenerationOptions {
  /** Prompts (first probe rows), default 4. */
  prompts?: number;
  maxNewTokens?: number;
  temperature?: number;
  seed?: number;
}

export interface AnalyzeOptions {
  /** Default: the experiment spec's `analysis.measures`. */
  measures?: readonly Measure[];
  /** Default: the spec's `analysis.checkpoints` ('final', 'all' or steps). */
  steps?: 'final' | 'all' | readonly number[];
  /** Only these runs (default: every run of the experiment with a checkpoint). */
  runIds?: readonly number[];
  /**
   * Representation measures also computed layer × layer for every run pair (default: linear
   * CKA when selected, else the first selected representation measure).
   */
  layerMeasures?: readonly MeasureName[];
  /** Most representation rows (probe tokens), default 2,048. */
  maxTokens?: number;
  /** Representation measure options (mutual-knn k, rbf-cka/svcca threshold). */
  measureOptions?: MeasureOptions;
  generation?: GenerationOptions;
  /** Loss-barrier interpolation grid (default 0, 0.25, …, 1) and probe rows used (default 16). */
  barrier?: { alphas?: number[]; rows?: number };
  /**
   * Also score every run on the probe at each analysed step (kind `held-out`, view `models`:
   * exact match, token accuracy, per-token log-likelihood; see held-out.ts). Used by the
   * studies' learn gates; works for a single run too.
   */
  heldOut?: boolean;
  onProgress?: (p: AnalysisProgress) => void;
}

export interface AnalyzeResult {
  experimentId: number;
  steps: number[];
  runIds: number[];
  probe: {
    hash: string;
    sequences: number;
    contextLength: number;
    repTokens: number;
    scoredTokens: number;
  };
  /** Analysis rows written. */
  created: number;
  /** Analysis groups (measure × view × step, or a run's trajectory) found stored and reused. */
  reused: number;
  samplesCreated: number;
  ms: number;
  /** Wall time per phase, ms. */
  timings: Record<string, number>;
  notes: string[];
}
