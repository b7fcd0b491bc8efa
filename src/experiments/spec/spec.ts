/**
 * The experiment spec: a JSON document that says "these variants, on this data, with this
 * budget, analysed like this". It is validated with zod (strict objects, so unknown fields are
 * errors) and published as a JSON Schema (`docs/experiment-spec.schema.json`, written by
 * `homolab schema --out …`) so editors can complete and check specs.
 *
 * Layout: `dataset` (data + tokenizer), `model` (base model config; `vocabSize` comes from the
 * tokenizer unless given), `training` (budget and optimiser), `initSeed`/`dataSeed` (base seeds),
 * `axes` (what to vary: a grid, an explicit list, or both — the list crossed with the grid) and
 * `analysis` (which measures, at which checkpoints, on how big a probe set).
 */
import { MEASURE_IDS, type MeasureId } from '../../core/similarity/catalogue';
import { z } from 'zod';
import { LIMITS } from '../../core/limits';
import { unsafeCharIn } from '../../core/text/terminal-safe';
import { DEFAULT_MODEL } from '../../core/model/config';
import { datasetSpecSchema } from './dataset-adapter';

export const SPEC_VERSION = 1;

/** Sizes are bounded (src/core/limits.ts); whether a job fits this machine is cost-gate.ts's call. */
const posInt = (max: number) => z.int().positive().max(max);
const nonNegInt = (max: number = LIMITS.steps) => z.int().nonnegative().max(max);
const seed = () => z.int().min(0).max(LIMITS.seed);
/** A name shown in lists and terminals: no control or bidi-override characters. */
export const nameSchema = z
  .string()
  .min(1)
  .max(LIMITS.name)
  .superRefine((s, ctx) => {
    // Only spaces is no name (the message is spec-errors.ts's 'blank').
    if (s.length > 0 && !s.trim()) ctx.addIssue({ code: 'custom', params: { code: 'blank' } });
    const bad = unsafeCharIn(s);
    if (bad) ctx.addIssue({ code: 'custom', message: `a control or bidi character (${bad})` });
  });

/** Base model config; every field but `vocabSize` defaults to the lab's small pre-norm GELU model. */
export const modelSpecSchema = z
  .strictObject({
    vocabSize: posInt(LIMITS.vocabSize)
      .optional()
      .describe('Token ids; defaults to the tokenizer vocabulary size (must be at least that).'),
    contextLength: posInt(LIMITS.contextLength).default(DEFAULT_MODEL.contextLength),
    dModel: posInt(LIMITS.dModel).default(DEFAULT_MODEL.dModel),
    nHeads: posInt(LIMITS.nHeads).default(DEFAULT_MODEL.nHeads),
    nLayers: posInt(LIMITS.nLayers).default(DEFAULT_MODEL.nLayers),
    dFF: posInt(LIMITS.dFF).default(DEFAULT_MODEL.dFF),
    positionalEncoding: z
      .enum(['learned', 'sinusoidal', 'rope', 'none'])
      .default(DEFAULT_MODEL.positionalEncoding),
    normPlacement: z.enum(['pre', 'post']).default(DEFAULT_MODEL.normPlacement),
    normType: z.enum(['layernorm', 'rmsnorm']).default(DEFAULT_MODEL.normType),
    activation: z.enum(['relu', 'gelu']).default(DEFAULT_MODEL.activation),
    tiedEmbeddings: z.boolean().default(DEFAULT_MODEL.tiedEmbeddings),
    dropout: z.number().min(0).lt(1).default(DEFAULT_MODEL.dropout),
    initStd: z.number().positive().max(10).default(DEFAULT_MODEL.initStd),
  })
  .describe('Base Transformer config (src/core/model/config.ts).');

/** Warmup then half-cosine to minLrRatio·lr, or constant after warmup. */
export const SCHEDULES = ['cosine', 'constant'] as const;

/** Training budget and optimiser (AdamW, warmup + schedule, global-norm clipping). */
export const trainingSpecSchema = z
  .strictObject({
    steps: posInt(LIMITS.steps)
      .optional()
      .describe('Optimizer steps. Give exactly one of steps / tokens.'),
    tokens: posInt(LIMITS.tokens)
      .optional()
      .describe('Token budget; steps = ceil(tokens / (batchSize * contextLength)).'),
    batchSize: posInt(LIMITS.batchSize).default(16),
    lr: z.number().positive().max(10).default(1e-3),
    warmupSteps: nonNegInt().default(0),
    schedule: z.enum(SCHEDULES).default('cosine'),
    minLrRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('Final learning rate as a fraction of lr (cosine).'),
    weightDecay: z.number().min(0).default(0.01),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    eps: z.number().positive().default(1e-8),
    gradClip: z.number().min(0).default(1).describe('Global-norm clip; 0 disables.'),
    evalEvery: nonNegInt().default(0).describe('Validation every N steps; 0 = only at the end.'),
    evalBatches: posInt(LIMITS.evalBatches).default(4),
    checkpointEvery: nonNegInt()
      .default(0)
      .describe('Checkpoint every N steps; 0 = only at the end.'),
    logEvery: posInt(LIMITS.steps).default(1).describe('Write the training loss every N steps.'),
    keepCheckpoints: posInt(LIMITS.keepCheckpoints)
      .default(3)
      .describe('Keep the newest N checkpoints of a run (older ones are pruned as new ones come).'),
    keepCheckpointEvery: nonNegInt()
      .optional()
      .describe(
        'Also keep every checkpoint whose step is a multiple of this; default: about 10 spread ' +
          "over the run; 0: none. Step 0 and the analysis plan's steps are always kept.",
      ),
    checkpointAtStart: z
      .boolean()
      .default(false)
      .describe(
        'Also evaluate and checkpoint at step 0, before the first update: the untrained (or, for a fine-tune, the parent) baseline that similarity is read against.',
      ),
  })
  .describe('Training budget and optimiser.');

/** The measures the analysis step can compute: the measure catalogue's ids. */
export const MEASURES = MEASURE_IDS;
export type Measure = MeasureId;

export const analysisSpecSchema = z
  .strictObject({
    measures: z.array(z.enum(MEASURES)).max(256).default(['linear-cka', 'top1-agreement', 'jsd']),
    checkpoints: z
      .union([
        z.literal('final'),
        z.literal('all'),
        z.array(nonNegInt()).min(1).max(LIMITS.analysisSteps),
      ])
      .default('final')
      .describe("'final', 'all' stored checkpoints, or a list of steps."),
    probeSize: posInt(1_000_000).default(256).describe('Probe set size in sequences.'),
    probeSeed: seed().default(0),
  })
  .describe('Analysis plan: which measures, at which checkpoints, on how big a probe set.');

const axisValue = z.union([z.number(), z.string().max(LIMITS.name), z.boolean()]);

export const axesSpecSchema = z
  .strictObject({
    grid: z
      .record(z.string().max(LIMITS.name), z.array(axisValue).min(1).max(LIMITS.variants))
      .optional()
      .describe('Field path → values; every combination is a variant.'),
    list: z
      .array(z.record(z.string().max(LIMITS.name), axisValue))
      .min(1)
      .max(LIMITS.variants)
      .optional()
      .describe('Explicit variants (field path → value); crossed with the grid if both given.'),
  })
  .describe(
    "What to vary. Paths: 'initSeed', 'dataSeed', 'model.<field>', 'training.<field>'. " +
      'Variants see identical batches unless dataSeed varies.',
  );

export const experimentSpecSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(SPEC_VERSION).default(SPEC_VERSION),
    name: nameSchema,
    notes: z.string().max(LIMITS.text).default(''),
    dataset: datasetSpecSchema,
    model: modelSpecSchema.prefault({}),
    training: trainingSpecSchema,
    initSeed: seed().default(0).describe('Weight-init seed of the base variant.'),
    dataSeed: seed().default(0).describe('Data-order seed of the base variant.'),
    axes: axesSpecSchema.default({}),
    analysis: analysisSpecSchema.prefault({}),
  })
  .describe('A Homolab experiment spec.');

/** A spec as written (fields with defaults optional). */
export type ExperimentSpecInput = z.input<typeof experimentSpecSchema>;
/** A validated spec with every default filled in. */
export type ExperimentSpec = z.output<typeof experimentSpecSchema>;
export type ModelSpec = z.output<typeof modelSpecSchema>;
export type TrainingSpec = z.output<typeof trainingSpecSchema>;
export type AnalysisSpec = z.output<typeof analysisSpecSchema>;
export type AxisValue = z.output<typeof axisValue>;

/** The published JSON Schema (input side: defaults are optional). */
export function experimentSpecJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(experimentSpecSchema, { io: 'input', unrepresentable: 'any' });
  return {
    $schema: schema.$schema,
    $id: 'https://homolab.dev/schemas/experiment-spec.schema.json',
    title: 'Homolab experiment spec',
    ...schema,
  };
}
