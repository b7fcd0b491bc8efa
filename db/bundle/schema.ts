/**
 * The JSON bundle format, version 1 (see docs in bundle/export.ts), as a strict zod schema:
 * every object rejects unknown keys; numbers must be finite; ids are bundle-local integers that
 * the importer maps to new ids.
 */
import { z } from 'zod';

export const BUNDLE_FORMAT = 'homolab-bundle';
export const BUNDLE_VERSION = 1;

const id = z.int().nonnegative();
const int = z.int();
const time = z.int().nonnegative();
const json = z.json();
const jsonObject = z.record(z.string(), z.json());
/** Non-finite metric values are spelled out, since JSON has no NaN or Infinity. */
const metricValue = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);
const status = z.enum([
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'diverged',
  'interrupted',
]);

export const experimentSchema = z.strictObject({
  id,
  uid: z.string().min(1).max(200),
  name: z.string(),
  spec: jsonObject,
  notes: z.string(),
  createdAt: time,
});

export const datasetSchema = z.strictObject({
  id,
  kind: z.string(),
  name: z.string(),
  params: jsonObject,
  contentHash: z.string(),
  tokenizer: jsonObject,
  createdAt: time,
});

export const runSchema = z.strictObject({
  id,
  uid: z.string().min(1).max(200),
  experimentId: id,
  datasetId: id.nullable(),
  name: z.string(),
  variant: jsonObject,
  initSeed: int,
  dataSeed: int,
  backend: z.string(),
  device: z.string(),
  versions: z.record(z.string(), z.string()),
  status,
  statusReason: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: time,
  startedAt: time.nullable(),
  endedAt: time.nullable(),
});

export const seriesSchema = z.strictObject({
  runId: id,
  name: z.string().min(1),
  steps: z.array(int),
  tokens: z.array(int),
  wallMs: z.array(z.number()),
  values: z.array(metricValue),
});

export const checkpointSchema = z.strictObject({
  runId: id,
  step: int,
  tokens: int,
  /** base64 of the tensor-codec blob (carries its own CRC-32). */
  weights: z.base64(),
  optimizer: z.base64(),
  dataCursor: json,
  rngState: json,
  meta: jsonObject,
  createdAt: time,
});

export const analysisSchema = z.strictObject({
  id,
  experimentId: id.nullable(),
  kind: z.string(),
  runIds: z.array(id),
  step: int.nullable(),
  layers: json,
  params: jsonObject,
  result: json,
  createdAt: time,
});

export const sampleSchema = z.strictObject({
  runId: id,
  step: int,
  prompt: z.string(),
  output: z.string(),
  params: jsonObject,
  createdAt: time,
});

export const bundleDataSchema = z.strictObject({
  experiments: z.array(experimentSchema),
  datasets: z.array(datasetSchema),
  runs: z.array(runSchema),
  metrics: z.array(seriesSchema),
  checkpoints: z.array(checkpointSchema),
  analyses: z.array(analysisSchema),
  samples: z.array(sampleSchema),
});

export const bundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  createdAt: time,
  producer: z.string(),
  includesCheckpoints: z.boolean(),
  data: bundleDataSchema,
  /** `sha256:` + hex digest of the `data` member's JSON text (as JSON.stringify writes it). */
  checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});

export type Bundle = z.infer<typeof bundleSchema>;
export type BundleData = Bundle['data'];
export type BundleExperiment = z.infer<typeof experimentSchema>;
export type BundleDataset = z.infer<typeof datasetSchema>;
export type BundleRun = z.infer<typeof runSchema>;
export type BundleSeries = z.infer<typeof seriesSchema>;
export type BundleCheckpoint = z.infer<typeof checkpointSchema>;
export type BundleAnalysis = z.infer<typeof analysisSchema>;
export type BundleSample = z.infer<typeof sampleSchema>;
