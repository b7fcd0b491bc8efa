/**
 * The JSON bundle format, version 1 (see docs in bundle/export.ts), as one strict zod schema:
 * every object rejects unknown keys, and every value is bounded the way the store itself would
 * produce it (src/core/limits.ts) — steps in [0, the spec's step limit], times between the
 * epoch and 2100 (so every date formats), counts and wall times ≥ 0, seeds 32-bit unsigned as
 * specs allow, names short and free of control and bidi-override characters, a run's variant
 * shaped as the experiment code stores it. Ids are bundle-local integers that the importer maps
 * to new ids.
 */
import { z } from 'zod';
import { LIMITS } from '../../src/core/limits';
import { unsafeCharIn } from '../../src/core/text/terminal-safe';

export const BUNDLE_FORMAT = 'homolab-bundle';
export const BUNDLE_VERSION = 1;

const id = z.int().nonnegative();
const time = z
  .int()
  .nonnegative()
  .max(LIMITS.timeMs, 'a time after 2100-01-01 (ms since the epoch); dates must be real');
const step = z.int().nonnegative().max(LIMITS.steps);
const count = z.int().nonnegative().max(LIMITS.tokens);
const seed = z.int().nonnegative().max(LIMITS.seed);
const json = z.json();
const jsonObject = z.record(z.string(), z.json());
/** A name shown in lists and tables: bounded, and nothing that could drive a terminal. */
const name = (max: number = LIMITS.name, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .superRefine((s, ctx) => {
      const bad = unsafeCharIn(s);
      if (bad) ctx.addIssue({ code: 'custom', message: `a control or bidi character (${bad})` });
    });
const text = (max: number = LIMITS.text) => z.string().max(max);
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

const dim = (max: number) => z.int().positive().max(max);
/**
 * A run's resolved config as the experiment code stores it (StoredVariant; further keys are
 * kept as JSON): the sizes are bounded like the spec's, so an imported run cannot be resumed
 * into an absurd model.
 */
const variantSchema = z.looseObject({
  index: z.int().nonnegative().max(1_000_000),
  axes: z.record(name(), z.union([z.number(), text(LIMITS.name), z.boolean()])),
  model: z.looseObject({
    vocabSize: dim(LIMITS.vocabSize).optional(),
    contextLength: dim(LIMITS.contextLength),
    dModel: dim(LIMITS.dModel),
    nHeads: dim(LIMITS.nHeads),
    nLayers: dim(LIMITS.nLayers),
    dFF: dim(LIMITS.dFF),
  }),
  training: z.looseObject({
    steps: dim(LIMITS.steps),
    batchSize: dim(LIMITS.batchSize),
  }),
});

export const experimentSchema = z.strictObject({
  id,
  uid: name(200, 1),
  name: name(LIMITS.name, 1),
  spec: jsonObject,
  notes: text(),
  createdAt: time,
});

export const datasetSchema = z.strictObject({
  id,
  kind: name(64, 1),
  name: name(),
  params: jsonObject,
  contentHash: z.string().regex(/^[0-9A-Za-z:_-]{1,128}$/, 'a content hash (hex)'),
  tokenizer: jsonObject,
  createdAt: time,
});

export const runSchema = z.strictObject({
  id,
  uid: name(200, 1),
  experimentId: id,
  datasetId: id.nullable(),
  name: name(LIMITS.name, 1),
  variant: variantSchema,
  initSeed: seed,
  dataSeed: seed,
  backend: name(64),
  device: name(),
  versions: z.record(name(64), name()),
  status,
  statusReason: text(LIMITS.text).nullable(),
  error: text(LIMITS.text).nullable(),
  createdAt: time,
  startedAt: time.nullable(),
  endedAt: time.nullable(),
});

export const seriesSchema = z.strictObject({
  runId: id,
  name: name(LIMITS.name, 1),
  steps: z.array(step),
  tokens: z.array(count),
  wallMs: z.array(z.number().nonnegative().max(LIMITS.wallMs)),
  values: z.array(metricValue),
});

export const checkpointSchema = z.strictObject({
  runId: id,
  step,
  tokens: count,
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
  kind: name(100, 1),
  runIds: z.array(id),
  step: step.nullable(),
  layers: json,
  params: jsonObject,
  result: json,
  createdAt: time,
});

export const sampleSchema = z.strictObject({
  runId: id,
  step,
  prompt: text(1_000_000),
  output: text(1_000_000),
  params: jsonObject,
  createdAt: time,
});

export const bundleDataSchema = z.strictObject({
  experiments: z.array(experimentSchema).min(1, 'the bundle holds no experiments'),
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
  producer: name(),
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
