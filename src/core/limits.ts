/**
 * Upper bounds on every size a spec or a bundle can ask for: the one table the experiment
 * spec schema, the dataset spec and the bundle importer share. They are generous (far past
 * what a laptop or one GPU trains) and exist so absurd values are refused as input instead of
 * failing later as "Invalid typed array length" or an out-of-memory kill; whether a job fits
 * this machine is the memory estimate's call (src/experiments/spec/memory-estimate.ts).
 */
export const LIMITS = {
  /** Tokens a model attends over (full T×T attention). */
  contextLength: 16_384,
  /** Residual width (GPT-3's is 12,288). */
  dModel: 16_384,
  nHeads: 256,
  nLayers: 256,
  /** MLP hidden width. */
  dFF: 65_536,
  /** Token ids (every Unicode code point fits, with room for specials). */
  vocabSize: 1_200_000,
  batchSize: 65_536,
  /** Optimizer steps of one run (also the largest step a bundle may carry). */
  steps: 10_000_000,
  /** A token budget (steps × batch × context, and tokens counted in a bundle's rows). */
  tokens: 1e15,
  evalBatches: 10_000,
  /** Checkpoints kept per run by the retention policy's "last N". */
  keepCheckpoints: 10_000,
  /** Variants one experiment may expand to (a guard against typo'd grids). */
  variants: 4096,
  /** Steps listed in an analysis plan. */
  analysisSteps: 10_000,
  /** Largest seed (specs take 32-bit unsigned seeds). */
  seed: 0xffffffff,
  /** Names (experiments, runs, datasets, metrics), in UTF-16 units. */
  name: 200,
  /** Free text (notes, run errors). */
  text: 100_000,
  /** Latest timestamp accepted in stored rows (2100-01-01, ms since the epoch). */
  timeMs: Date.UTC(2100, 0, 1),
  /** Wall time of one run (ms; 10 years). */
  wallMs: 10 * 365.25 * 24 * 3_600_000,
} as const;
