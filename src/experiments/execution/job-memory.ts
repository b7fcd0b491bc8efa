/**
 * How much memory a worker needs for a job, and how much the machine has free: the pool starts
 * another worker only when its job fits (it shrinks rather than swapping). Deliberately
 * conservative and in one small function, so a finer estimate can replace it unchanged.
 */
import { availableParallelism, freemem } from 'node:os';
import { countParameters } from '../spec/estimate';
import type { ModelSpec } from '../spec/spec';

const MB = 1024 * 1024;

/** A worker process before any model: Node, tfjs and the wasm heap. */
export const WORKER_BASE_BYTES = 200 * MB;

/** Kept free for the serving process, the OS and everyone else on the machine. */
export const HEADROOM_BYTES = 512 * MB;

/** Vocabulary assumed when the spec leaves it to the tokenizer (large for a char tokenizer). */
const ASSUMED_VOCAB = 1024;

/**
 * Bytes one worker needs to train `members` stacked models of `model` at `batchSize`:
 * weights, gradients and both Adam moments (4 copies), plus the activations kept for the
 * backward pass (per layer ≈ 16·d values per token and the T×T attention map per head), twice
 * for the backward pass's temporaries, plus the worker itself.
 */
export function estimateJobBytes(model: ModelSpec, batchSize: number, members: number): number {
  const m = { ...model, vocabSize: model.vocabSize ?? ASSUMED_VOCAB };
  const params = countParameters(m).total;
  const T = m.contextLength;
  const perToken = m.nLayers * (16 * m.dModel + 2 * m.nHeads * T) + 2 * m.vocabSize;
  const activations = batchSize * T * perToken * 2;
  return WORKER_BASE_BYTES + members * 4 * (4 * params + activations);
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
  return WORKER_BASE_BYTES + runs * (2 * 4 * params + acts);
}
