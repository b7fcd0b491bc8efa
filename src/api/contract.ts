/**
 * The one API contract of Homolab: every operation the UI (or a script) can perform, with its
 * input schema (zod, validated at every boundary) and output type, plus the progress events the
 * main side pushes. Used by the Electron main process and preload, the `homolab serve` server
 * and the renderer. Browser-safe: imports zod, types and the measure catalogue (plain data),
 * never Node code.
 */
import { z } from 'zod';
import type * as T from './types';
import { MEASURE_IDS } from '../core/similarity/catalogue';
import { unsafeCharIn } from '../core/text/terminal-safe';

/** One operation: its input schema and (type-level only) its output. */
export interface OperationDef<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  readonly description: string;
  /** Phantom field carrying the output type; never set at runtime. */
  readonly __output?: O;
}

/** Curried so the output type is given explicitly and the input schema inferred. */
function op<O>() {
  return <I extends z.ZodType>(description: string, input: I): OperationDef<I, O> => ({
    input,
    description,
  });
}

/** Store ids are positive integers. */
const id = z.number().int().positive();
const empty = z.object({}).strict();
/** Names show up in lists and terminals: no control or bidi-override characters. */
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .superRefine((s, ctx) => {
    const bad = unsafeCharIn(s);
    if (bad) ctx.addIssue({ code: 'custom', message: `a control or bidi character (${bad})` });
  });
/** Experiment specs are validated in depth by the runner's schema (src/experiments). */
const spec = z.record(z.string(), z.unknown());
const exportFormat = z.enum(['csv', 'json', 'parquet']);
/** Experiments of a comparison, in display order (the first is the reference by default). */
const compareIds = z
  .array(id)
  .min(1)
  .max(12)
  .refine((a) => new Set(a).size === a.length, { message: 'an experiment is listed twice' });
/** Comparison settings (src/experiments/compare CompareOptions); all optional. */
const compareOptions = z
  .object({
    reference: z.number().int().min(0).max(11).optional(),
    similarityMeasure: z.string().max(64).optional(),
    step: z.union([z.literal('final'), z.number().int().min(0)]).optional(),
    gridPoints: z.number().int().min(2).max(2000).optional(),
    level: z.number().gt(0).lt(1).optional(),
    resamples: z.number().int().min(1).max(20_000).optional(),
    permutations: z.number().int().min(1).max(100_000).optional(),
    seed: z.number().int().min(0).optional(),
  })
  .strict()
  .default({});

export const contract = {
  // ---- lab ---------------------------------------------------------------------------------
  getOptions: op<T.LabOptions>()(
    'Datasets, tokenizers, presets, backends, measures and axis fields the UI can offer.',
    empty,
  ),

  getLabStatus: op<T.LabStatus>()(
    'The worker pool, the training and analysis queue (with why each item waits) and the settings.',
    empty,
  ),
  updateLabSettings: op<T.LabSettings>()(
    'Changes lab settings (pool size: null = one worker per core; automatic analysis); saves them.',
    z
      .object({
        workers: z.number().int().min(1).max(256).nullable().optional(),
        autoAnalysis: z.boolean().optional(),
      })
      .strict(),
  ),

  // ---- experiments -------------------------------------------------------------------------
  listExperiments: op<T.ExperimentSummary[]>()('All experiments, newest first.', empty),
  getExperiment: op<T.ExperimentDetail>()(
    'One experiment with its spec and runs.',
    z.object({ id }).strict(),
  ),
  estimateCost: op<T.CostEstimate>()(
    'Parameters, FLOPs, tokens and expected time of a spec before starting it.',
    z
      .object({
        spec,
        backend: z.string().max(32).optional(),
        /** Most runs stacked in one lockstep group (default: the planner's). */
        maxGroupSize: z.number().int().min(1).max(1024).optional(),
      })
      .strict(),
  ),
  createExperiment: op<T.ExperimentSummary>()(
    'Validates and stores a new experiment; starts it unless start is false.',
    z
      .object({
        name,
        spec,
        notes: z.string().max(20_000).default(''),
        start: z.boolean().default(true),
        /** Go ahead although the estimated cost asks for a confirmation (`homolab run --yes`). */
        confirmCost: z.boolean().default(false),
        /** Fine-tune: every run starts from this run's checkpoint (default its last). */
        from: z
          .object({ runId: id, step: z.number().int().min(0).optional() })
          .strict()
          .optional(),
      })
      .strict(),
  ),
  renameExperiment: op<T.Ack>()('Renames an experiment.', z.object({ id, name }).strict()),
  annotateExperiment: op<T.Ack>()(
    'Replaces the free-text notes of an experiment.',
    z.object({ id, notes: z.string().max(20_000) }).strict(),
  ),
  deleteExperiment: op<T.Ack>()(
    'Deletes an experiment and all its runs, metrics and analyses (stops it first).',
    z.object({ id }).strict(),
  ),
  deleteRun: op<T.Ack>()(
    'Deletes one run with its metrics, checkpoints, samples and the analyses that include it (not while it trains).',
    z.object({ id }).strict(),
  ),
  duplicateExperiment: op<T.ExperimentSummary>()(
    'Copies an experiment spec into a new, not yet started experiment.',
    z.object({ id, name: name.optional() }).strict(),
  ),
  startExperiment: op<T.Ack>()(
    'Queues every unfinished run of an experiment.',
    z.object({ id, confirmCost: z.boolean().default(false) }).strict(),
  ),

  uploadCorpus: op<{ path: string; bytes: number }>()(
    'Stores an uploaded .txt/.jsonl corpus in the lab folder after checking it as the CLI does (UTF-8, JSONL lines); returns the path for a text-file dataset.',
    z
      .object({
        filename: z.string().min(1).max(300),
        /** The file as text (already decoded), or */
        content: z
          .string()
          .max(256 * 1024 * 1024)
          .optional(),
        /** its bytes, base64: checked as UTF-8 here, exactly as `homolab run` checks a file. */
        base64: z
          .string()
          .max(Math.ceil((256 * 1024 * 1024) / 3) * 4)
          .optional(),
      })
      .strict()
      .refine((v) => (v.content === undefined) !== (v.base64 === undefined), {
        message: 'give content or base64',
      }),
  ),

  // ---- runs --------------------------------------------------------------------------------
  listRuns: op<T.RunSummary[]>()(
    'Runs of the given experiments (all runs when omitted).',
    z.object({ experimentIds: z.array(id).max(500).optional() }).strict(),
  ),
  getRun: op<T.RunDetail>()(
    'One run: its summary, seeds, device, checkpoint steps, metric names and stored config.',
    z.object({ id }).strict(),
  ),
  getMetrics: op<T.MetricSeries[]>()(
    'Training curves of runs, downsampled keeping the min/max envelope.',
    z
      .object({
        runIds: z.array(id).min(1).max(500),
        metric: z.enum(['loss', 'evalLoss']).default('loss'),
        x: z.enum(['step', 'tokens', 'wallTime']).default('step'),
        maxPoints: z.number().int().min(10).max(20_000).default(1000),
      })
      .strict(),
  ),
  pauseRuns: op<T.Ack>()(
    'Pauses an experiment after the current step of each of its workers; a queued one is held until resumed.',
    z.object({ experimentId: id, runIds: z.array(id).optional() }).strict(),
  ),
  resumeRuns: op<T.Ack>()(
    'Resumes paused or interrupted runs from their last checkpoint.',
    z.object({ experimentId: id, runIds: z.array(id).optional() }).strict(),
  ),
  cancelRuns: op<T.Ack>()(
    'Cancels runs; finished ones are kept.',
    z.object({ experimentId: id, runIds: z.array(id).optional() }).strict(),
  ),
  annotateRun: op<T.RunSummary>()(
    'Replaces the tags and/or the notes of a run.',
    z
      .object({
        id,
        tags: z.array(z.string().trim().min(1).max(64)).max(32).optional(),
        notes: z.string().max(20_000).optional(),
      })
      .strict(),
  ),

  // ---- similarity --------------------------------------------------------------------------
  getSimilarityIndex: op<T.SimilarityIndex>()(
    'Which measures, layers and steps have stored results for an experiment.',
    z.object({ experimentId: id }).strict(),
  ),
  analyzeExperiment: op<T.Ack>()(
    'Starts computing (and storing) similarity analyses; progress arrives as analysis events.',
    z
      .object({
        experimentId: id,
        /** Default: the experiment spec's `analysis.measures`. */
        measures: z.array(z.enum(MEASURE_IDS)).max(64).optional(),
        /** Checkpoint steps: 'final', 'all' or a list (default: the spec's). */
        steps: z
          .union([z.literal('final'), z.literal('all'), z.array(z.number().int().min(0)).max(1000)])
          .optional(),
        /** Most probe tokens used as representation rows (default 2,048). */
        maxTokens: z.number().int().min(4).max(1_000_000).optional(),
      })
      .strict(),
  ),
  getModelMatrix: op<T.SimilarityMatrix>()(
    'Model × model matrix of one measure at one layer (final step unless given).',
    z
      .object({
        experimentId: id,
        measure: z.string().max(64),
        layer: z.string().max(64),
        step: z.number().int().min(0).optional(),
      })
      .strict(),
  ),
  getLayerMatrix: op<T.SimilarityMatrix>()(
    'Layer × layer matrix of one measure for a pair of runs.',
    z
      .object({
        experimentId: id,
        measure: z.string().max(64),
        runA: id,
        runB: id,
        step: z.number().int().min(0).optional(),
      })
      .strict(),
  ),
  getTrajectory: op<T.SimilarityTrajectory>()(
    'A measure over training steps, per run pair.',
    z.object({ experimentId: id, measure: z.string().max(64), layer: z.string().max(64) }).strict(),
  ),
  getModelMap: op<T.ModelMap>()(
    '2-D classical-MDS map of the models from a measure turned into a dissimilarity.',
    z
      .object({
        experimentId: id,
        measure: z.string().max(64),
        layer: z.string().max(64),
        step: z.number().int().min(0).optional(),
      })
      .strict(),
  ),
  getGenerations: op<T.GenerationRow[]>()(
    'Side-by-side generations of every model for the same prompts.',
    z.object({ experimentId: id }).strict(),
  ),

  // ---- experiment comparison -----------------------------------------------------
  compareExperiments: op<T.Comparison>()(
    'Compares whole experiments: seed-group loss curves on shared grids, similarity profiles, output homogenization, trajectories, spec diff and summary table.',
    z.object({ experimentIds: compareIds, options: compareOptions }).strict(),
  ),
  exportComparison: op<T.FilePayload>()(
    'A comparison as CSV (summary table, one row per experiment), a standalone HTML report or JSON.',
    z
      .object({
        format: z.enum(['csv', 'html', 'json']),
        /** A saved comparison's snapshot, or a fresh one of these experiments. */
        savedId: id.optional(),
        experimentIds: compareIds.optional(),
        options: compareOptions,
        title: z.string().max(200).optional(),
      })
      .strict()
      .refine((v) => v.savedId !== undefined || v.experimentIds !== undefined, {
        message: 'give savedId or experimentIds',
      }),
  ),
  saveComparison: op<T.SavedComparison>()(
    'Computes and saves a named comparison (replace: save over comparisons of the same name).',
    z
      .object({
        name,
        experimentIds: compareIds,
        options: compareOptions,
        replace: z.boolean().default(false),
      })
      .strict(),
  ),
  listComparisons: op<T.SavedComparison[]>()('Saved comparisons, oldest first.', empty),
  openComparison: op<T.OpenedComparison>()(
    'Reopens a saved comparison: its snapshot, or recomputed from the store (refresh).',
    z.object({ id, refresh: z.boolean().default(false) }).strict(),
  ),
  deleteComparison: op<T.Ack>()('Deletes a saved comparison.', z.object({ id }).strict()),

  // ---- studies -----------------------------------------------------------------
  listStudies: op<T.StudyInfo[]>()(
    'The built-in homogenization studies: question, expected finding, design per scale.',
    empty,
  ),
  runStudy: op<T.Ack>()(
    'Starts a study (trains its experiments, analyses them, stores its report); progress arrives as study events.',
    z
      .object({
        study: z.string().min(1).max(64),
        scale: z.enum(['test', 'tiny', 'medium', 'full']).default('tiny'),
      })
      .strict(),
  ),
  estimateStudy: op<T.StudyEstimate>()(
    "A study's training time at a scale on this lab: its experiments' steps timed on this machine and backend, packed onto the pool's workers (analysis not included).",
    z
      .object({
        study: z.string().min(1).max(64),
        scale: z.enum(['test', 'tiny', 'medium', 'full']),
      })
      .strict(),
  ),
  listStudyReports: op<T.StudyReportSummary[]>()('Stored study reports, newest first.', empty),
  getStudyReport: op<T.StudyReportView>()(
    'One stored study report: its sections as HTML blocks for the app, and the standalone HTML.',
    z.object({ id }).strict(),
  ),

  // ---- export / import ---------------------------------------------------------------------
  exportData: op<T.FilePayload>()(
    'Exports experiments or runs as CSV, a JSON bundle or Parquet.',
    z
      .object({
        format: exportFormat,
        experimentIds: z.array(id).max(500).optional(),
        runIds: z.array(id).max(5000).optional(),
        /** JSON bundle only: include the checkpoints (weights and optimizer state). */
        checkpoints: z.boolean().default(false),
      })
      .strict(),
  ),
  importBundle: op<T.ImportResult>()(
    'Imports a JSON bundle exported by Homolab (content as UTF-8 text).',
    z
      .object({ filename: z.string().max(500), content: z.string().max(512 * 1024 * 1024) })
      .strict(),
  ),

  // ---- host-side files (Electron native dialogs; serve answers `unsupported`) --------------
  saveFile: op<{ saved: boolean; path: string | null }>()(
    'Asks the user where to save a file with a native dialog and writes it.',
    z
      .object({
        filename: z.string().min(1).max(500),
        mime: z.string().max(200),
        encoding: z.enum(['utf8', 'base64']),
        data: z.string(),
      })
      .strict(),
  ),
  openFile: op<{ filename: string; content: string } | null>()(
    'Asks the user for a file with a native dialog and returns its UTF-8 content.',
    z.object({ extensions: z.array(z.string().max(16)).max(16).default([]) }).strict(),
  ),
} as const;

export type Contract = typeof contract;

// The measure catalogue travels with the contract: the renderer's labels, families and
// directions come from the same table as the spec schema and the reports.
export {
  MEASURE_CATALOGUE,
  MEASURE_IDS,
  COMPARISON_MEASURE_IDS,
  OUTPUT_MEASURE_IDS,
  isMeasureId,
  type MeasureId,
  type MeasureEntry,
  type ComparisonMeasureId,
} from '../core/similarity/catalogue';
export type OperationName = keyof Contract;
/** The list of operation names, in contract order (the preload exposes exactly these). */
export const OPERATION_NAMES = Object.keys(contract) as OperationName[];

/** What a caller passes (defaults may be omitted). */
export type OpInput<N extends OperationName> = z.input<Contract[N]['input']>;
/** What a handler receives after validation (defaults filled in). */
export type OpParsed<N extends OperationName> = z.output<Contract[N]['input']>;
/** What the operation resolves to. */
export type OpOutput<N extends OperationName> =
  Contract[N] extends OperationDef<z.ZodType, infer O> ? O : never;

/** Every error code; src/api/errors.ts maps each to its HTTP status (serve). */
export const API_ERROR_CODES = [
  /** The payload does not match the operation's schema, or the request body is malformed. */
  'invalid_input',
  /** No session: the serve URL's token was not presented. */
  'unauthorized',
  /** A foreign Host or Origin. */
  'forbidden',
  'unknown_operation',
  'not_found',
  /** The lab's state does not allow it now (training, already imported, …). */
  'conflict',
  /** The request body is over the size limit. */
  'too_large',
  /** The request body is not `application/json`. */
  'unsupported_media_type',
  /** Understood but not possible on this host or in this form. */
  'unsupported',
  /** The job does not fit this machine (memory); `issues` names the fields to change. */
  'over_capacity',
  /** The job's estimated cost is high; repeat with `confirmCost: true` to go ahead. */
  'needs_confirmation',
  /** Too many failed authentication attempts from this address. */
  'rate_limited',
  /** A bug or an I/O failure; the message carries an error id found in the lab's log. */
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiError {
  code: ApiErrorCode;
  message: string;
  /** For invalid_input, over_capacity and needs_confirmation: one entry per field. */
  issues?: ApiIssue[];
  /** For internal errors: the id under which the details were logged. */
  errorId?: string;
}

/**
 * One bad field: its path (e.g. `spec.model.dModel`), the problem in English, and a stable code
 * with params (src/experiments/spec/spec-errors.ts) so the app can say it in the user's language.
 */
export interface ApiIssue {
  path: string;
  message: string;
  code?: string;
  params?: Record<string, string | number>;
}

/** The envelope every transport carries. */
export type ApiResponse<O = unknown> = { ok: true; result: O } | { ok: false; error: ApiError };

// ---- progress events -----------------------------------------------------------------------

export interface RunProgressEvent {
  type: 'run.progress';
  experimentId: number;
  runId: number;
  step: number;
  totalSteps: number;
  loss: number;
  evalLoss: number | null;
  tokensSeen: number;
  tokensPerSec: number;
  etaSec: number | null;
  wallTimeMs: number;
}

export interface RunStatusEvent {
  type: 'run.status';
  experimentId: number;
  runId: number;
  status: T.RunStatus;
  /** Why a run failed or was interrupted, in words a user can act on. */
  error: string | null;
}

export interface ExperimentStatusEvent {
  type: 'experiment.status';
  experimentId: number;
  status: T.ExperimentStatus;
  progress: number;
}

export interface AnalysisProgressEvent {
  type: 'analysis.progress';
  experimentId: number;
  done: number;
  total: number;
  message: string;
  /** Set when the analysis stopped with an error. */
  error: string | null;
  /** On the last event of a successful analysis: what it stored and reused. */
  result?: T.AnalysisOutcome;
}

/** A study's progress: its phases, then done (with its report) or an error. */
export interface StudyProgressEvent {
  type: 'study.progress';
  study: string;
  phase: string;
  message: string;
  done: boolean;
  error: string | null;
  /** The stored report, once done. */
  reportId: number | null;
}

/** The lab's queue, pool or settings changed (`getLabStatus` returns the same). */
export interface LabStatusEvent {
  type: 'lab.status';
  status: T.LabStatus;
}

/** Something in the list changed (created, renamed, deleted, imported). */
export interface ExperimentsChangedEvent {
  type: 'experiments.changed';
}

export type LabEvent =
  | RunProgressEvent
  | RunStatusEvent
  | ExperimentStatusEvent
  | AnalysisProgressEvent
  | StudyProgressEvent
  | LabStatusEvent
  | ExperimentsChangedEvent;

export type LabEventType = LabEvent['type'];
