/**
 * The data shapes the API returns: the UI's view of the lab, independent of how the store
 * keeps them. Pure types, no runtime code, so the renderer can import them freely.
 */
import type { Comparison, SavedComparison } from '../experiments/compare/types';

/** Experiment comparison: the comparison core's own JSON shapes, as they are. */
export type {
  Comparison,
  ComparisonSettings,
  CurveBand,
  Estimate,
  ExperimentComparison,
  Interval,
  LayerEstimate,
  OutcomeHomogenization,
  OutputHomogenization,
  SavedComparison,
  SeedGroup,
  SpecDiffEntry,
  SummaryMeasure,
  SummaryMeasureCell,
  SummaryRow,
} from '../experiments/compare/types';

/** A saved comparison reopened. */
export interface OpenedComparison {
  saved: SavedComparison;
  comparison: Comparison;
  /** True when recomputed from the store now, false for the saved snapshot. */
  refreshed: boolean;
  notes: string[];
}

export type RunStatus =
  | 'queued'
  | 'running'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'diverged'
  | 'interrupted';

export type ExperimentStatus = 'draft' | RunStatus;

/**
 * A reason in words (`message`, English) with a stable code and params, so the app can say it
 * in the user's language; unknown codes show the message.
 */
export interface Reason {
  code: string;
  message: string;
  params?: Record<string, string | number>;
}

/** One row of the Experiments list. */
export interface ExperimentSummary {
  id: number;
  name: string;
  notes: string;
  status: ExperimentStatus;
  createdAt: string;
  runCount: number;
  completedRuns: number;
  /** Fraction of the experiment's total steps done, in [0, 1]. */
  progress: number;
  /** Aggregate training throughput while running, else null. */
  tokensPerSec: number | null;
  /** Estimated seconds to completion while running, else null. */
  etaSec: number | null;
  datasetName: string;
  presetName: string | null;
  /** The last fatal error of a training session (e.g. out of memory, with advice), if any. */
  error: string | null;
  /** Mean of the runs' final training losses (null before any run logged one). */
  finalLoss: number | null;
  /** Smallest training loss any run reached. */
  bestLoss: number | null;
  /** While queued or held: why it waits ("waiting for a free worker (2 of 2 busy)", …). */
  queueReason: string | null;
}

/** One run (one model variant) of an experiment. */
export interface RunSummary {
  id: number;
  experimentId: number;
  name: string;
  status: RunStatus;
  /** The axis values this run takes, e.g. { initSeed: 2, 'model.dModel': 64 }. */
  axes: Record<string, string | number | boolean>;
  /** The run's full resolved config (model + training), flattened to dotted keys. */
  config: Record<string, string | number | boolean | null>;
  step: number;
  totalSteps: number;
  tokensSeen: number;
  wallTimeMs: number;
  finalLoss: number | null;
  evalLoss: number | null;
  tokensPerSec: number | null;
  etaSec: number | null;
  error: string | null;
  /** Hash of the batch sequence the run saw; equal across runs sharing data order. */
  batchHash: string | null;
  backend: string | null;
  /** Fine-tuning lineage: the run (and checkpoint step) this run started from; null if none. */
  parent: { runId: number; step: number | null } | null;
  /** Smallest training loss the run reached (final loss is its last). */
  bestLoss: number | null;
  /** Mean throughput over the run's training (tokens seen / wall time), kept after it ends. */
  meanTokensPerSec: number | null;
  /** Why a queued run is not training yet (null when it is not waiting). */
  waitReason: Reason | null;
  /** The user's tags and notes. */
  tags: string[];
  notes: string;
}

/** One run in full (`homolab show run-N`). */
export interface RunDetail extends RunSummary {
  initSeed: number;
  dataSeed: number;
  /** The device the run trained on (e.g. 'XNNPACK SIMD'), if it started. */
  device: string | null;
  /** Why the run is in its status (e.g. 'owner process 1234 is gone'), if known. */
  statusReason: string | null;
  /** Steps of its stored checkpoints, ascending. */
  checkpointSteps: number[];
  /** Names of its stored metrics. */
  metricNames: string[];
  /** The run's variant as stored (axes, model and training config). */
  variant: Record<string, unknown>;
}

export interface ExperimentDetail extends ExperimentSummary {
  /** The experiment spec as stored (JSON). */
  spec: Record<string, unknown>;
  runs: RunSummary[];
}

export type MetricName = 'loss' | 'evalLoss';
export type XAxis = 'step' | 'tokens' | 'wallTime';

/**
 * A training curve, downsampled to at most `maxPoints` buckets. Each bucket keeps the mean
 * plus the min and max of the raw values it covers, so spikes survive downsampling.
 */
export interface MetricSeries {
  runId: number;
  metric: MetricName;
  /** x per bucket (bucket's mean of step / tokens / wall seconds). */
  x: number[];
  y: number[];
  min: number[];
  max: number[];
  /** Number of raw points before downsampling. */
  rawCount: number;
}

export interface DatasetInfo {
  id: string;
  name: string;
  kind: 'synthetic' | 'corpus';
  description: string;
}

export interface TokenizerInfo {
  id: string;
  name: string;
}

export interface PresetInfo {
  id: string;
  name: string;
  description: string;
  /** Complete experiment specs the New-experiment form starts from: a quick look and the real study. */
  specs: { tiny: Record<string, unknown>; full: Record<string, unknown> };
}

export interface BackendInfo {
  id: string;
  available: boolean;
  reason: string;
}

export interface MeasureInfo {
  id: string;
  name: string;
  family: 'representation' | 'weights' | 'output';
  /** Short explanation shown in the UI (formula, invariances). */
  summary: string;
  /** Higher means more similar (true) or more distant, or no ordering (false). */
  higherIsSimilar: boolean;
  /** 'similarity': higher = more alike; 'distance': lower = more alike; 'none': no ordering. */
  direction: 'similarity' | 'distance' | 'none';
  /** Anchor into docs/measures.md. */
  docAnchor: string;
  range: [number, number] | null;
}

/** The lab's compute backend: what was asked for and what training resolves it to here. */
export interface BackendStatus {
  /** 'auto' or a backend name. */
  choice: string;
  /** The backend training uses (null until a start-up probe or a first training says). */
  resolved: string | null;
  /** Its device, e.g. 'wasm SIMD, 1 thread' or the GPU adapter. */
  device: string | null;
  /** 'requested', or for auto which faster backends were skipped and why; or the error. */
  reason: string | null;
}

/** Which shell runs the lab ('cli': a command's in-process lab, which no UI sees). */
export type LabHost = 'electron' | 'serve' | 'cli';

/** What the New-experiment form offers. */
export interface LabOptions {
  datasets: DatasetInfo[];
  tokenizers: TokenizerInfo[];
  presets: PresetInfo[];
  backends: BackendInfo[];
  measures: MeasureInfo[];
  /** Fields an axis may vary, e.g. 'model.dModel', 'initSeed'. */
  axisFields: string[];
  version: string;
  /** The backend training uses on this lab (serve and the app show it). */
  backend: BackendStatus;
  /** 'electron' or 'serve': lets the UI pick native dialogs vs browser downloads. */
  host: 'electron' | 'serve';
  /** The store's size and its disk's free space, with a warning when short. */
  storage?: StorageInfo;
}

export interface CostEstimate {
  runCount: number;
  /** Lockstep groups the runs train in (runs of a group train as one stacked model). */
  groupCount: number;
  parameters: number;
  /** Training FLOPs for all runs together. */
  flops: number;
  tokens: number;
  /** Expected wall time in seconds on the chosen backend, if known. */
  seconds: number | null;
  backend: string;
  /** Workers the time assumes (the lab's pool; 1 on a GPU). */
  workers: number;
  /** True when the time comes from steps timed on this machine and backend. */
  calibrated: boolean;
  notes: string[];
  /** Memory training needs (the largest lockstep group), and what this machine allows. */
  memoryBytes?: number;
  memoryLimitBytes?: number;
  /** False: createExperiment would refuse it (over_capacity); `issues` say what to change. */
  fits?: boolean;
  /** True: ask the user before creating it (memory short now, or more than an hour). */
  needsConfirmation?: boolean;
  /** The fields to change (or `memory`, `lockstep`), in words with a code for translation. */
  issues?: {
    path: string;
    message: string;
    code?: string;
    params?: Record<string, string | number>;
  }[];
  /** Checkpoints the job will keep, all runs together. */
  checkpointBytes?: number;
  /** Set when the store's disk is short of space for them. */
  storageWarning?: string | null;
}

/** The store's size and the free space on its disk. */
export interface StorageInfo {
  storeBytes: number;
  freeBytes: number | null;
  /** A sentence for the user when space is short, else null. */
  warning: string | null;
}

/** Lab settings the app can change (saved next to the store). */
export interface LabSettings {
  /** Training/analysis worker processes at once; null = one per core. */
  workers: number | null;
  /** Analyse an experiment (its spec's analysis block) as soon as its training ends. */
  autoAnalysis: boolean;
}

/** One item of the lab's queue: an experiment training or being analysed, or waiting to. */
export interface QueueItem {
  experimentId: number;
  experimentName: string;
  kind: 'training' | 'analysis';
  /** `held`: paused before it started (it stays queued until resumed). */
  state: 'running' | 'paused' | 'queued' | 'held';
  /** Why its next job waits, in words; null when nothing waits. */
  reason: string | null;
  /** Jobs training now / not started yet (training only; 0 for an analysis). */
  runningJobs: number;
  pendingJobs: number;
  /** Analysis progress in [0, 1] (training: see the experiment's progress). */
  progress: number;
}

/** What the lab is doing: its worker pool, its queue (in order) and its settings. */
export interface LabStatus {
  /** The lab's backend choice and, once a worker started, what it resolves to. */
  backend: BackendStatus;
  workers: { size: number; alive: number; busy: number; defaultSize: number };
  settings: LabSettings;
  queue: QueueItem[];
}

/** What one analysis did (the last `analysis.progress` event carries it). */
export interface AnalysisOutcome {
  /** The backend and device the forward passes ran on. */
  backend: string;
  device: string;
  steps: number[];
  runIds: number[];
  /** Analysis rows written, and stored groups reused instead of recomputed. */
  created: number;
  reused: number;
  samplesCreated: number;
  ms: number;
  probe: { hash: string; repTokens: number };
  notes: string[];
}

/** Which similarity results exist for an experiment. */
export interface SimilarityIndex {
  experimentId: number;
  measures: string[];
  layers: string[];
  /** The layers that have values, per measure (output measures have only 'output'). */
  layersByMeasure: Record<string, string[]>;
  steps: number[];
  runIds: number[];
  runNames: Record<string, string>;
  hasGenerations: boolean;
}

/** A square (model × model) or rectangular (layer × layer) matrix of one measure. */
export interface SimilarityMatrix {
  measure: string;
  rowLabels: string[];
  colLabels: string[];
  values: (number | null)[][];
  step: number | null;
  layer: string | null;
}

export interface SimilarityTrajectory {
  measure: string;
  layer: string;
  /**
   * One series per run pair 'A|B'; runA === runB is a run against its own final checkpoint
   * (within-run trajectories).
   */
  series: {
    key: string;
    label: string;
    runA: number;
    runB: number;
    steps: number[];
    values: number[];
  }[];
}

/** 2-D embedding of the models (classical MDS on a dissimilarity). */
export interface ModelMap {
  measure: string;
  layer: string;
  points: { runId: number; label: string; x: number; y: number }[];
  /** Fraction of variance kept by the two dimensions. */
  stress: number | null;
}

export interface GenerationRow {
  prompt: string;
  /** runId → generated continuation. */
  outputs: Record<string, string>;
}

export type ExportFormat = 'csv' | 'json' | 'parquet';

/** A file handed to the UI: text or base64-encoded bytes. */
export interface FilePayload {
  filename: string;
  mime: string;
  encoding: 'utf8' | 'base64';
  data: string;
}

export interface ImportResult {
  experimentIds: number[];
  runCount: number;
  message: string;
}

/** Result of an operation that only acknowledges. */
export interface Ack {
  ok: true;
}

/** A built-in study as the New-experiment form offers it. */
export interface StudyInfo {
  id: string;
  name: string;
  question: string;
  expected: string;
  references: string[];
  /** The design at each scale, in words (runs, steps, data). */
  designs: Record<'test' | 'tiny' | 'medium' | 'full', string>;
  /**
   * Expected wall time per scale, minutes: on 2 CPU cores (this lab's reference), a typical
   * 8-core laptop, one GPU; `basis` says where the figures come from.
   */
  expectedMinutes: Record<
    'test' | 'tiny' | 'medium' | 'full',
    { cpu2: number; laptop8: number; gpu: number; basis: string }
  >;
}

/** A study's training time on this lab (`estimateStudy`). */
export interface StudyEstimate {
  study: string;
  scale: 'test' | 'tiny' | 'medium' | 'full';
  /** Runs trained over all of the study's experiments. */
  runs: number;
  /** Expected training wall time, seconds (the experiments one after another). */
  seconds: number;
  /** True when every experiment's time comes from steps timed on this machine. */
  calibrated: boolean;
  backend: string;
  workers: number;
}

export type VerdictStatus = 'reproduced' | 'not-reproduced' | 'inconclusive';

export interface StudyReportSummary {
  id: number;
  study: string;
  name: string;
  scale: string;
  experimentIds: number[];
  createdAt: string;
  verdicts: { expectation: string; status: VerdictStatus; evidence: string }[];
  /** What the verdicts rest on: learn gates per run, arm gates, design gates. */
  gates: { name: string; passed: boolean; detail: string; runId?: number; arm?: string }[];
}

/** A stored study report, ready to show: each section's blocks as (escaped) HTML. */
export interface StudyReportView extends StudyReportSummary {
  title: string;
  subtitle: string | null;
  meta: Record<string, string | number>;
  sections: { heading: string; blocks: { kind: string; html: string }[] }[];
  /** The standalone report page, for saving. */
  file: FilePayload;
}
