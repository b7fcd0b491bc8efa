/**
 * Row and input types of the lab store. Everything here is plain data (numbers, strings,
 * JSON values) so it can cross IPC/HTTP unchanged; the only binary type is `TensorMap`, used
 * by checkpoints. Timestamps are milliseconds since the Unix epoch.
 */

/** Any JSON value. Stored as TEXT (validated with SQLite's json_valid). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ExperimentInput {
  name: string;
  /** The experiment spec (base model config, axes, training settings); owned by src/experiments. */
  spec: JsonObject;
  notes?: string;
}

export interface ExperimentRow {
  id: number;
  /** Stable global identity (UUID) kept across export/import; detects duplicate imports. */
  uid: string;
  name: string;
  spec: JsonObject;
  notes: string;
  createdAt: number;
}

export interface DatasetInput {
  /** Dataset kind, e.g. 'copy', 'addition', 'text-file'. */
  kind: string;
  name?: string;
  params: JsonObject;
  /** Hash of the dataset's content (identifies the exact token stream). */
  contentHash: string;
  /** The serialised tokenizer (`Tokenizer.toJSON()`). */
  tokenizer: JsonObject;
}

export interface DatasetRow {
  id: number;
  kind: string;
  name: string;
  params: JsonObject;
  contentHash: string;
  tokenizer: JsonObject;
  createdAt: number;
}

/** Every status a run can be in. */
export const RUN_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'diverged',
  'interrupted',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunInput {
  experimentId: number;
  datasetId?: number | null;
  /** Human label of the variant, e.g. 'seed=3 heads=4'. */
  name: string;
  /** The variant's full configuration (model config + training settings). */
  variant: JsonObject;
  initSeed: number;
  dataSeed: number;
  /** Requested or resolved backend: 'cpu' | 'wasm' | 'webgpu' | 'tensorflow' | 'auto'. */
  backend?: string;
  /** Device description, e.g. 'NVIDIA H200 (Vulkan)'. */
  device?: string;
  /** Software versions, e.g. { app: '0.1.0', tfjs: '4.22.0', node: '20.19.0' }. */
  versions?: Record<string, string>;
  /** Fine-tuning lineage: the run starts from this run's checkpoint at this step. */
  parent?: RunParent | null;
}

/** Where a fine-tune run starts: another run's checkpoint. */
export interface RunParent {
  runId: number;
  step: number;
}

export interface RunRow {
  id: number;
  uid: string;
  experimentId: number;
  datasetId: number | null;
  name: string;
  variant: JsonObject;
  initSeed: number;
  dataSeed: number;
  backend: string;
  device: string;
  versions: Record<string, string>;
  status: RunStatus;
  /** Why the run is in its status (e.g. 'owner process 1234 is gone'); null when none. */
  statusReason: string | null;
  /** Error message/stack for failed runs. */
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Last heartbeat of the owning process while running. */
  heartbeatAt: number | null;
  ownerPid: number | null;
  ownerHost: string | null;
  /** The run whose checkpoint this run started from (fine-tuning); null for a fresh init. */
  parentRunId: number | null;
  /** That checkpoint's step; null without a parent. */
  parentStep: number | null;
  /** The user's labels for the run (e.g. 'baseline', 'lr-sweep'), in the order given. */
  tags: string[];
  /** The user's free-text notes on the run. */
  notes: string;
}

/** One scalar measurement. `value` may be NaN or ±Infinity (diverged runs). */
export interface MetricPoint {
  runId: number;
  name: string;
  step: number;
  /** Tokens seen by the model up to and including this step. */
  tokens: number;
  /** Wall-clock ms since the run started (excluding paused time is the caller's choice). */
  wallMs: number;
  value: number;
}

/** A run's full series of one metric, columnar, ordered by step. */
export interface MetricSeries {
  runId: number;
  name: string;
  steps: number[];
  /** Absent when read with `stepsAndValuesOnly`. */
  tokens?: number[];
  wallMs?: number[];
  /** NaN where a non-finite NaN was logged; ±Infinity preserved. */
  values: number[];
}

/** One bucket of a downsampled series: min and max over the bucket, and its last point by step. */
export interface SeriesBucket {
  /** Bucket index in [0, buckets). Empty buckets are omitted. */
  bucket: number;
  /** Smallest and largest step that fell in the bucket. */
  firstStep: number;
  lastStep: number;
  count: number;
  /** Min/max over the bucket's finite and infinite values; NaN if all were NaN. */
  min: number;
  max: number;
  /** Value at `lastStep`. */
  last: number;
  /** Tokens and wall time at `lastStep` (for charts against tokens or time). */
  lastTokens: number;
  lastWallMs: number;
}

export interface DownsampledSeries {
  runId: number;
  name: string;
  buckets: SeriesBucket[];
  /** Total points in the queried range. */
  points: number;
}

/** Named float32 tensors with shapes: model weights or optimizer state. */
export type TensorMap = Record<string, { shape: number[]; data: Float32Array }>;

export interface CheckpointInput {
  step: number;
  tokens?: number;
  weights: TensorMap;
  optimizer: TensorMap;
  /** Where the data stream resumes (owned by src/core/data). */
  dataCursor: Json;
  /** RNG states (e.g. `Rng.getState()` per stream). */
  rngState: Json;
  /** Anything else the trainer needs to resume (lr schedule state, …). */
  meta?: JsonObject;
}

export interface CheckpointInfo {
  id: number;
  runId: number;
  step: number;
  tokens: number;
  weightsBytes: number;
  optimizerBytes: number;
  createdAt: number;
}

export interface Checkpoint extends CheckpointInfo {
  weights: TensorMap;
  optimizer: TensorMap;
  dataCursor: Json;
  rngState: Json;
  meta: JsonObject;
}

export interface AnalysisInput {
  experimentId?: number | null;
  /** e.g. 'cka-linear', 'procrustes', 'top1-agreement'. */
  kind: string;
  /** Runs compared, in order (the result's matrix axes follow this order). */
  runIds: number[];
  step?: number | null;
  layers?: Json;
  params?: JsonObject;
  result: Json;
}

export interface AnalysisRow {
  id: number;
  experimentId: number | null;
  kind: string;
  runIds: number[];
  step: number | null;
  layers: Json;
  params: JsonObject;
  result: Json;
  createdAt: number;
}

export interface ComparisonInput {
  name: string;
  /** Experiments compared, in display order. */
  experimentIds: number[];
  options: JsonObject;
  snapshot: Json;
  /** Version of the snapshot's shape. */
  format: number;
}

export interface ComparisonRow {
  id: number;
  name: string;
  /** In display order; null where the experiment has since been deleted. */
  experimentIds: (number | null)[];
  /** The experiments' uids, kept when they are deleted. */
  experimentUids: string[];
  options: JsonObject;
  snapshot: Json;
  format: number;
  createdAt: number;
}

export interface SampleInput {
  runId: number;
  step: number;
  prompt: string;
  output: string;
  /** Decoding parameters (temperature, top-k, seed, max tokens). */
  params?: JsonObject;
}

export interface SampleRow {
  id: number;
  runId: number;
  step: number;
  prompt: string;
  output: string;
  params: JsonObject;
  createdAt: number;
}

export interface ImportRow {
  id: number;
  bundleChecksum: string;
  source: string;
  importedAt: number;
  /** Counts of imported rows and the mapping of old → new experiment ids. */
  summary: JsonObject;
}
