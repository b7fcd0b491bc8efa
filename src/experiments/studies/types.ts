/**
 * What a study is: a ready-made experiment design (per scale), the analysis it needs, and a
 * report that answers its question with numbers, uncertainty and an honest verdict on whether
 * the published finding was reproduced.
 */
import type { Store } from '../../../db/store';
import type { ReportDocument, VerdictStatus } from '../../reports';
import type { AnalysisProgress } from '../analysis/run-analysis';
import type { RunnerEvent } from '../execution/events';
import type { WorkerHostFactory } from '../execution/worker/host';
import type { BackendChoice } from '../execution/worker/protocol';

/**
 * `test`: seconds (unit tests); `tiny`: a few minutes on 2 CPU cores; `small`: a real run on a
 * laptop CPU (tens of minutes); `full`: sized for a GPU.
 */
export type StudyScale = 'test' | 'tiny' | 'small' | 'full';
export const STUDY_SCALES: readonly StudyScale[] = ['test', 'tiny', 'small', 'full'];

/** Progress of a study, for CLI/UI display. */
export type StudyEvent =
  | { type: 'study-phase'; study: string; phase: string; message: string }
  | { type: 'runner'; study: string; event: RunnerEvent }
  | { type: 'analysis'; study: string; progress: AnalysisProgress };

export interface StudyContext {
  store: Store;
  /** The store's file (the training worker opens its own connection). */
  dbPath: string;
  scale: StudyScale;
  backend: BackendChoice;
  workerFactory: WorkerHostFactory;
  onEvent?: (e: StudyEvent) => void;
  /** Seed of the statistics (bootstrap, Monte Carlo permutations). */
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
  run(ctx: StudyContext): Promise<StudyResult>;
}
