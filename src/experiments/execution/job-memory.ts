/**
 * How much memory a worker needs for a job, and how much the machine has free: the pool starts
 * another worker only when its job fits (it shrinks rather than swapping). A training job's
 * need is the cost gate's estimate (spec/memory-estimate.ts), so the gate and the pool agree.
 */
import { availableParallelism, freemem } from 'node:os';
import { countParameters } from '../spec/estimate';
import { estimateTrainingMemory, RUNTIME_OVERHEAD_BYTES } from '../spec/memory-estimate';
import type { ModelSpec } from '../spec/spec';

const MB = 1024 * 1024;

/** Kept free for the serving process, the OS and everyone else on the machine. */
export const HEADROOM_BYTES = 512 * MB;

/** Vocabulary assumed when the spec leaves it to the tokenizer (large for a char tokenizer). */
const ASSUMED_VOCAB = 1024;

/** Bytes one worker needs to train `members` stacked models of `model` at `batchSize`. */
export function estimateJobBytes(model: ModelSpec, batchSize: number, members: number): number {
  const m = { ...model, vocabSize: model.vocabSize ?? ASSUMED_VOCAB };
  return estimateTrainingMemory(m, { batchSize }, members).totalBytes;
}

/** Bytes the OS can give without swapping (cgroup limits included where Node knows them). */
export function availableBytes(): number {
  const p = process as { availableMemory?: () => number };
  return p.availableMemory ? p.availableMemory() : freemem();
}

/** One worker per core: the serving process is idle while workers train. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

export const formatMB = (bytes: number): string => `${Math.round(bytes / MB)} MB`;

/**
 * Bytes one worker needs to analyse `runs` models of `model`: each model's weights (twice:
 * stored and on the backend) and its probe activations at every layer in float64.
 */
export function estimateAnalysisBytes(model: ModelSpec, runs: number, maxTokens: number): number {
  const m = { ...model, vocabSize: model.vocabSize ?? ASSUMED_VOCAB };
  const params = countParameters(m).total;
  const acts = maxTokens * (m.dModel * (m.nLayers + 2) + m.vocabSize) * 8;
  return RUNTIME_OVERHEAD_BYTES + runs * (2 * 4 * params + acts);
}
