/**
 * The one API contract of Homolab: every operation the UI (or a script) can perform, with its
 * input schema (zod, validated at every boundary) and output type, plus the progress events the
 * main side pushes. Used by the Electron main process and preload, the `homolab serve` server
 * and the renderer. Browser-safe: imports zod and types only, never Node code.
 */
import { z } from 'zod';
import type * as T from './types';

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
const name = z.string().trim().min(1).max(200);
/** Experiment specs are validated in depth by the runner's schema (src/experiments). */
const spec = z.record(z.string(), z.unknown());
const exportFormat = z.enum(['csv', 'json', 'parquet']);

export const contract = {
  // ---- lab ---------------------------------------------------------------------------------
  getOptions: op<T.LabOptions>()(
    'Datasets, tokenizers, presets, backends, measures and axis fields the UI can offer.',
    empty,
  ),

  // ---- experiments -------------------------------------------------------------------------
  listExperiments: op<T.ExperimentSummary[]>()('All experiments, newest first.', empty),
  getExperiment: op<T.ExperimentDetail>()(
    'One experiment with its spec and runs.',
    z.object({ id }).strict(),
  ),
  estimateCost: op<T.CostEstimate>()(
    'Parameters, FLOPs, tokens and expected time of a spec before starting it.',
    z.object({ spec, backend: z.string().max(32).optional() }).strict(),
  ),
  createExperiment: op<T.ExperimentSummary>()(
    'Validates and stores a new experiment; starts it unless start is false.',
    z
      .object({
        name,
        spec,
        notes: z.string().max(20_000).default(''),
        start: z.boolean().default(true),
        backend: z.string().max(32).optional(),
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
  duplicateExperiment: op<T.ExperimentSummary>()(
    'Copies an experiment spec into a new, not yet started experiment.',
    z.object({ id, name: name.optional() }).strict(),
  ),
  startExperiment: op<T.Ack>()(
    'Queues every unfinished run of an experiment.',
    z.object({ id }).strict(),
  ),

  uploadCorpus: op<{ path: string; bytes: number }>()(
    'Stores an uploaded .txt/.jsonl corpus in the lab folder; returns the path for a text-file dataset.',
    z
      .object({
        filename: z.string().min(1).max(300),
        content: z.string().max(256 * 1024 * 1024),
      })
      .strict(),
  ),

  // ---- runs --------------------------------------------------------------------------------
  listRuns: op<T.RunSummary[]>()(
    'Runs of the given experiments (all runs when omitted).',
    z.object({ experimentIds: z.array(id).max(500).optional() }).strict(),
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
    'Pauses an experiment (or single runs) after the current step.',
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

  // ---- similarity --------------------------------------------------------------------------
  getSimilarityIndex: op<T.SimilarityIndex>()(
    'Which measures, layers and steps have stored results for an experiment.',
    z.object({ experimentId: id }).strict(),
  ),
  analyzeExperiment: op<T.Ack>()(
    'Computes (and stores) similarity analyses; progress arrives as analysis events.',
    z
      .object({ experimentId: id, measures: z.array(z.string().max(64)).max(64).optional() })
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

  // ---- export / import ---------------------------------------------------------------------
  exportData: op<T.FilePayload>()(
    'Exports experiments or runs as CSV, a JSON bundle or Parquet.',
    z
      .object({
        format: exportFormat,
        experimentIds: z.array(id).max(500).optional(),
        runIds: z.array(id).max(5000).optional(),
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

export type ApiErrorCode =
  'invalid_input' | 'unknown_operation' | 'not_found' | 'conflict' | 'unsupported' | 'internal';

export interface ApiError {
  code: ApiErrorCode;
  message: string;
  /** For invalid_input: one entry per bad field. */
  issues?: { path: string; message: string }[];
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
  | ExperimentsChangedEvent;

export type LabEventType = LabEvent['type'];
