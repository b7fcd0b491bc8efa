/**
 * `DatasetSpec`: the JSON description of a dataset (kind + parameters + tokenizer choice) that
 * experiments store and `buildDataset` turns into data. Validated with zod; every field has a
 * documented default, and `parseDatasetSpec` fills them in, so the parsed spec is the complete,
 * canonical description (what the content hash covers).
 */
import { z } from 'zod';
import { MOD_OPS, isPrime } from './synthetic/modular';

const seed = z.int().min(0).max(0xffffffff).default(0).describe('seed for this dataset, 0 – 2³²−1');
const fraction = (def: number) => z.number().gt(0).lt(1).default(def);
const count = (min: number, max: number, def: number) => z.int().min(min).max(max).default(def);

export const tokenizerSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('char'),
    /** What `encode` does with characters outside the vocabulary: map to `<unk>`, or throw. */
    unknown: z.enum(['unk', 'error']).default('unk'),
  }),
  z.strictObject({
    kind: z.literal('bpe'),
    /** Target vocabulary size: 256 bytes + merges + 2 specials (`<pad>`, `<eos>`). */
    vocabSize: z.int().min(258).max(65536).default(1024),
    /** Stop merging once the best pair is rarer than this. */
    minFrequency: z.int().min(1).max(1_000_000_000).default(2),
  }),
]);
export type TokenizerSpec = z.output<typeof tokenizerSpecSchema>;

const tokenizer = tokenizerSpecSchema.default({ kind: 'char', unknown: 'unk' });

const modularSchema = z
  .strictObject({
    kind: z.literal('modular'),
    /** Modulus, 2–500 (97 is the grokking classic); must be prime when ops include `/`. */
    p: z.int().min(2).max(500).default(97),
    /** Operations; `/` is multiplication by the modular inverse. */
    ops: z
      .array(z.enum(MOD_OPS as unknown as ['+', '-', '*', '/']))
      .min(1)
      .default(['+'])
      .refine((ops) => new Set(ops).size === ops.length, 'each op may appear only once'),
    /** Fraction of the p² (per op) equations used for training; the rest is held out. */
    trainFraction: fraction(0.5),
    seed,
    tokenizer,
  })
  .refine((s) => !s.ops.includes('/') || isPrime(s.p), {
    path: ['p'],
    message: 'division ("/") needs a prime p (e.g. 97, 113)',
  });

/** Grammars are bounded (symbols, alternatives, text) like every other size in a spec. */
const grammarSchema = z.strictObject({
  start: z.string().min(1).max(200).optional(),
  rules: z
    .record(
      z.string().min(1).max(200),
      z
        .array(z.tuple([z.number().positive().max(1e9), z.string().min(1).max(10_000)]))
        .min(1)
        .max(10_000),
    )
    .refine((r) => Object.keys(r).length <= 10_000, 'at most 10,000 grammar symbols'),
});

const pcfgSchema = z.strictObject({
  kind: z.literal('pcfg'),
  /** Sentences sampled in total (train + validation). */
  numSentences: count(10, 2_000_000, 20_000),
  validationFraction: fraction(0.1),
  /** Expansion depth after which only the shortest-terminating alternatives are used. */
  maxDepth: count(1, 50, 8),
  seed,
  /** Custom grammar; default: the built-in English-like grammar (`DEFAULT_GRAMMAR`). */
  grammar: grammarSchema.optional(),
  tokenizer,
});

const dyckSchema = z
  .strictObject({
    kind: z.literal('dyck'),
    /** Bracket types: 1–4 of `()`, `[]`, `{}`, `<>`. */
    k: count(1, 4, 2),
    maxDepth: count(1, 64, 8),
    /** Prefix length (task `complete`) or word length (task `lm`), in brackets. */
    minLength: count(1, 512, 2),
    maxLength: count(1, 512, 24),
    task: z.enum(['complete', 'lm']).default('complete'),
    numTrain: count(1, 1_000_000, 20_000),
    numValidation: count(1, 100_000, 1_000),
    seed,
    tokenizer,
  })
  .refine((s) => s.minLength <= s.maxLength, {
    path: ['minLength'],
    message: 'must be ≤ maxLength',
  });

const copyReverseSchema = z
  .strictObject({
    kind: z.literal('copy-reverse'),
    mode: z.enum(['copy', 'reverse', 'mixed']).default('copy'),
    /** Distinct symbols, 2–26 (`a`…`z`). */
    alphabetSize: count(2, 26, 10),
    minLength: count(1, 256, 3),
    maxLength: count(1, 256, 10),
    numTrain: count(1, 1_000_000, 20_000),
    numValidation: count(1, 100_000, 1_000),
    seed,
    tokenizer,
  })
  .refine((s) => s.minLength <= s.maxLength, {
    path: ['minLength'],
    message: 'must be ≤ maxLength',
  });

const textFileSchema = z.strictObject({
  kind: z.literal('text-file'),
  /** Path of the `.txt` / `.jsonl` file (relative paths resolve against `BuildOptions.baseDir`). */
  path: z.string().min(1).max(4096),
  /** Default: from the extension (`.jsonl`/`.ndjson` → jsonl, else txt). */
  format: z.enum(['txt', 'jsonl']).optional(),
  /** JSONL field holding the text. */
  textField: z.string().min(1).max(200).default('text'),
  validationFraction: fraction(0.1),
  /** Seed choosing the validation documents of a multi-document JSONL file. */
  splitSeed: seed,
  tokenizer,
});

export const datasetSpecSchema = z.discriminatedUnion('kind', [
  modularSchema,
  pcfgSchema,
  dyckSchema,
  copyReverseSchema,
  textFileSchema,
]);

/** A validated dataset spec with every default filled in. */
export type DatasetSpec = z.output<typeof datasetSpecSchema>;
/** What a user may write: only `kind` is required. */
export type DatasetSpecInput = z.input<typeof datasetSpecSchema>;
export type DatasetKind = DatasetSpec['kind'];
export const DATASET_KINDS: readonly DatasetKind[] = [
  'modular',
  'pcfg',
  'dyck',
  'copy-reverse',
  'text-file',
];

export class DatasetSpecError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid dataset spec: ${issues.join('; ')}`);
    this.name = 'DatasetSpecError';
  }
}

/**
 * Validates `input` and fills defaults. Errors name the field (`dataset.p`, `dataset.tokenizer.kind`)
 * and, for choices, the allowed values.
 */
export function parseDatasetSpec(input: unknown): DatasetSpec {
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (typeof input !== 'object' || input === null || !DATASET_KINDS.includes(kind as DatasetKind))
    throw new DatasetSpecError([
      `dataset.kind: expected one of ${DATASET_KINDS.map((k) => `"${k}"`).join(', ')}, got ${JSON.stringify(kind)}`,
    ]);
  const result = datasetSpecSchema.safeParse(input);
  if (result.success) return result.data;
  throw new DatasetSpecError(
    result.error.issues.map((i) => `${['dataset', ...i.path.map(String)].join('.')}: ${i.message}`),
  );
}
