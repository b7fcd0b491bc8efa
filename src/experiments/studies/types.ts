/**
 * What a study is: a ready-made experiment design (per scale), the analysis it needs, and a
 * report that answers its question with numbers, uncertainty and an honest verdict on whether
 * the published finding was reproduced.
 */
import type { Store } from '../../../db/store';
import type { ReportDocument, VerdictStatus } from '../../reports';
import type { AnalysisProgress } from '../analysis/run-analysis';
import type { RunnerEvent } from '../execution/events';
import type { LabService } from '../execution/lab-service';
import type { Gate } from './gates';
import type { ExperimentSpecInput } from '../spec/spec';

/**
 * `test`: seconds (unit tests); `tiny`: minutes on 2 CPU cores, models that do not learn (every
 * verdict `inconclusive`, the failing gate named); `medium`: runs that pass their learn gates,
 * within 45 minutes per study on 2 CPU cores; `full`: sized for a GPU.
 */
export type StudyScale = 'test' | 'tiny' | 'medium' | 'full';
export const STUDY_SCALES: readonly StudyScale[] = ['test', 'tiny', 'medium', 'full'];

/** Expected wall time of a study at a scale, minutes (measured or scaled from a measurement). */
export interface ExpectedTime {
  /** This lab's reference machine: 2 CPU cores, wasm. */
  cpu2: number;
  /** A typical 8-core laptop (one worker per core). */
  laptop8: number;
  /** One GPU (webgpu / tensorflow backend). */
  gpu: number;
  /** Where the figures come from. */
  basis: string;
}

/** Progress of a study, for CLI/UI display. */
export type StudyEvent =
  | { type: 'study-phase'; study: string; phase: string; message: string }
  | { type: 'runner'; study: string; event: RunnerEvent }
  | { type: 'analysis'; study: string; progress: AnalysisProgress };

export interface StudyContext {
  store: Store;
  /**
   * The lab: studies train and analyse through it (train.ts, analyze.ts), so their work is in
   * the lab's queue and Live view, on its workers and backend, and obeys pause and cancel.
   */
  lab: LabService;
  scale: StudyScale;
  onEvent?: (e: StudyEvent) => void;
  /** Seed of the statistics' Monte Carlo stream (src/experiments/stats/stream.ts). */
  statsSeed?: number;
  /** Who started the study: the app or the CLI (default), named in the experiments' notes. */
  origin?: 'app' | 'cli';
}

/** One expectation checked by a study. */
export interface Verdict {
  /** What the literature leads us to expect, in one line. */
  expectation: string;
  status: VerdictStatus;
  /** Why: the numbers behind the status. */
  evidence: string;
}

/** What a study run produces: the report document plus the experiments it trained. */
export interface StudyResult {
  study: string;
  scale: StudyScale;
  experimentIds: number[];
  runIds: number[];
  verdicts: Verdict[];
  /** Learn gates and the other gates the verdicts rest on, per run and per arm. */
  gates: Gate[];
  /** Headline numbers (also inside `document.data`). */
  headline: Record<string, number | string | null>;
  document: ReportDocument;
  /** Wall time of the whole study, ms. */
  ms: number;
}

export interface StudyDefinition {
  id: string;
  name: string;
  /** The question the study answers. */
  question: string;
  /** The published finding it tries to reproduce, with the reference. */
  expected: string;
  references: string[];
  /** A one-paragraph description of the design at `scale` (runs, steps, data). */
  describe(scale: StudyScale): string;
  /** Expected wall time at `scale` (shown by `homolab estimate`-style pickers). */
  expectedTime(scale: StudyScale): ExpectedTime;
  /**
   * The experiments the study trains at `scale`, in order (a fine-tune's parent is only known
   * once its base trained, so these are for estimating: the same models, steps and runs).
   */
  trainingSpecs(scale: StudyScale): ExperimentSpecInput[];
  run(ctx: StudyContext): Promise<StudyResult>;
}
