/**
 * Cost estimate before starting: parameters, training FLOPs and expected wall time.
 *
 * Wall time comes from a calibration when one is given: a few timed steps of each job's config
 * shape on this machine and backend (execution/calibration.ts measures them in a worker and
 * caches them), with the jobs packed longest first onto the pool's workers. Without one, it
 * falls back to the rough throughput model below.
 *
 * FLOPs follow the usual dense-Transformer accounting (Kaplan et al. 2020): a forward pass
 * costs 2 FLOPs per weight-matrix parameter per token plus the attention products
 * (QKᵀ and AV: 2·2·T·d per layer per token, full T×T as tfjs computes it); a training step is
 * 3× forward (forward + backward). Time uses a two-term model per step,
 * `t = overhead + flops / rate`, with `overhead` (per-op dispatch, dominant for small models on
 * GPUs) paid once per lockstep group step and `rate` the sustained FLOP/s. The table comes from
 * measured throughputs (DESIGN.md, 2026-11-29) and is deliberately rough: the estimate says so.
 */
import type { BackendName } from '../../core/engine/types';
import type { ModelSpec } from './spec';
import type { LockstepGroup, Variant } from './variants';

export type { BackendName } from '../../core/engine/types';

/** Per-step overhead (s) and sustained training FLOP/s per backend. */
export interface Throughput {
  overheadSec: number;
  flopsPerSec: number;
  /** Where the numbers come from. */
  source: string;
}

/**
 * Measured: small config (d 64, L 2, T 32, B 16) tokens/s — cpu 520, wasm 3,300, webgpu (H200)
 * 7,000; webgpu reaches ~1.5 TFLOP/s on large models. `tensorflow` (CUDA) is not measured here.
 */
export const THROUGHPUT: Record<BackendName, Throughput> = {
  cpu: { overheadSec: 0.005, flopsPerSec: 0.35e9, source: 'measured, tfjs cpu, 2 cores' },
  wasm: { overheadSec: 0.005, flopsPerSec: 2.5e9, source: 'measured, tfjs wasm, 2 cores' },
  webgpu: { overheadSec: 0.07, flopsPerSec: 1.5e12, source: 'measured, tfjs webgpu, H200' },
  tensorflow: { overheadSec: 0.01, flopsPerSec: 5e12, source: 'guess (not measured here)' },
};

/** Parameter count of one model, by tensor group. `vocabSize` must be resolved. */
export function countParameters(m: ModelSpec & { vocabSize: number }): {
  total: number;
  embedding: number;
  matmul: number;
} {
  const d = m.dModel;
  const norm = m.normType === 'layernorm' ? 2 * d : d;
  const embedding =
    m.vocabSize * d + (m.positionalEncoding === 'learned' ? m.contextLength * d : 0);
  const attn = 4 * d * d + 4 * d;
  const mlp = 2 * d * m.dFF + m.dFF + d;
  const perLayer = attn + mlp + 2 * norm;
  const finalNorm = m.normPlacement === 'pre' ? norm : 0;
  const head = m.tiedEmbeddings ? 0 : m.vocabSize * d + m.vocabSize;
  const matmulParams = m.nLayers * (4 * d * d + 2 * d * m.dFF) + m.vocabSize * d;
  return {
    total: embedding + m.nLayers * perLayer + finalNorm + head,
    embedding,
    matmul: matmulParams,
  };
}

/** Training FLOPs per token (forward + backward) of one model. */
export function trainFlopsPerToken(m: ModelSpec & { vocabSize: number }): number {
  const { matmul } = countParameters(m);
  const forward = 2 * matmul + 4 * m.nLayers * m.contextLength * m.dModel;
  return 3 * forward;
}

export interface RunCost {
  variantIndex: number;
  parameters: number;
  flopsPerToken: number;
  flopsPerStep: number;
  steps: number;
  tokens: number;
  flops: number;
}

export interface CostEstimate {
  runCount: number;
  groupCount: number;
  /** Sum of all runs' parameters. */
  parameters: number;
  flops: number;
  tokens: number;
  backend: BackendName;
  /** Expected wall time, seconds (the jobs on the pool's workers, or one after another). */
  seconds: number;
  /** Workers the time assumes (1 without a pool). */
  workers: number;
  /** True when the time comes from steps timed on this machine and backend. */
  calibrated: boolean;
  runs: RunCost[];
  notes: string[];
}

/** Timings of one config shape measured on this machine and backend. */
export interface Calibration {
  /** One training step of the whole (stacked) job, ms. */
  stepMs: number;
  /** One evaluation batch of the whole job, ms. */
  evalBatchMs: number;
}

/** How the lab will run the jobs, and what it measured. */
export interface EstimateOptions {
  /** Measured timings by `calibrationKey` (shapes missing here use the throughput model). */
  calibrations?: ReadonlyMap<string, Calibration>;
  /** Workers training at once (default 1). */
  workers?: number;
  /** Stack each lockstep group into one job (default true); false: every run is its own job. */
  lockstep?: boolean;
  /** Seconds to start a worker process, paid once per worker. */
  workerStartSec?: number;
}

/** The config shape a job's step time depends on: model, batch and stacked members. */
export function calibrationKey(v: Variant, vocabSize: number, members: number): string {
  const model = { ...v.model, vocabSize: v.model.vocabSize ?? vocabSize };
  const keys = Object.keys(model).sort() as (keyof typeof model)[];
  const shape = keys.map((k) => [k, model[k]]);
  return JSON.stringify({ model: shape, batchSize: v.training.batchSize, members });
}

/** The jobs the lab trains for these groups: stacked groups, or every run alone. */
export function estimateJobs(groups: LockstepGroup[], lockstep: boolean): Variant[][] {
  return lockstep
    ? groups.map((g) => g.variants)
    : groups.flatMap((g) => g.variants.map((v) => [v]));
}

/** Estimates the cost of training `groups` on `backend`, given the tokenizer's vocabulary size. */
export function estimateCost(
  groups: LockstepGroup[],
  vocabSize: number,
  backend: BackendName,
  throughput: Throughput = THROUGHPUT[backend],
  opts: EstimateOptions = {},
): CostEstimate {
  const runs: RunCost[] = [];
  for (const g of groups) for (const v of g.variants) runs.push(runCost(v, vocabSize));
  runs.sort((a, b) => a.variantIndex - b.variantIndex);
  const workers = Math.max(1, Math.floor(opts.workers ?? 1));
  const jobs = estimateJobs(groups, opts.lockstep ?? true);
  let calibrated = opts.calibrations !== undefined && jobs.length > 0;
  const jobSeconds = jobs.map((members) => {
    const v = members[0];
    const c = opts.calibrations?.get(calibrationKey(v, vocabSize, members.length));
    if (!c) {
      calibrated = false;
      const flops = members.reduce((s, m) => s + runCost(m, vocabSize).flopsPerStep, 0);
      return v.training.steps * (throughput.overheadSec + flops / throughput.flopsPerSec);
    }
    const t = v.training;
    // Evaluations at every evalEvery-th step and at the last one (train-job.ts).
    const periodic = t.evalEvery > 0 ? Math.floor(t.steps / t.evalEvery) : 0;
    const evals = periodic + (t.evalEvery > 0 && t.steps % t.evalEvery === 0 ? 0 : 1);
    const evalMs = evals * t.evalBatches * c.evalBatchMs;
    return (t.steps * c.stepMs + evalMs) / 1000;
  });
  const pool = Math.min(workers, jobs.length || 1);
  const seconds = longestFirstMakespan(jobSeconds, pool) + (opts.workerStartSec ?? 0);
  const notes = calibrated
    ? [
        `time from ${jobs.length} job(s) of steps timed on this machine (${backend}) on ${pool} worker(s); ` +
          'checkpoints and analysis not included',
      ]
    : [
        `time from a rough throughput model for ${backend} (${throughput.source}); ` +
          'evaluation, checkpoints and analysis not included',
      ];
  return {
    runCount: runs.length,
    groupCount: groups.length,
    parameters: runs.reduce((s, r) => s + r.parameters, 0),
    flops: runs.reduce((s, r) => s + r.flops, 0),
    tokens: runs.reduce((s, r) => s + r.tokens, 0),
    backend,
    seconds,
    workers: pool,
    calibrated,
    runs,
    notes,
  };
}

/** When the last of `jobs` (seconds each) ends on `workers`, taken longest first. */
export function longestFirstMakespan(jobs: number[], workers: number): number {
  const free = new Array<number>(Math.max(1, workers)).fill(0);
  for (const t of [...jobs].sort((a, b) => b - a)) {
    const i = free.indexOf(Math.min(...free));
    free[i] += t;
  }
  return Math.max(...free);
}

function runCost(v: Variant, vocabSize: number): RunCost {
  const m = { ...v.model, vocabSize: v.model.vocabSize ?? vocabSize };
  const tokensPerStep = v.training.batchSize * m.contextLength;
  const flopsPerToken = trainFlopsPerToken(m);
  return {
    variantIndex: v.index,
    parameters: countParameters(m).total,
    flopsPerToken,
    flopsPerStep: flopsPerToken * tokensPerStep,
    steps: v.training.steps,
    tokens: tokensPerStep * v.training.steps,
    flops: flopsPerToken * tokensPerStep * v.training.steps,
  };
}
