/**
 * Cost estimate before starting: parameters, training FLOPs and expected wall time.
 *
 * FLOPs follow the usual dense-Transformer accounting (Kaplan et al. 2020): a forward pass
 * costs 2 FLOPs per weight-matrix parameter per token plus the attention products
 * (QKᵀ and AV: 2·2·T·d per layer per token, full T×T as tfjs computes it); a training step is
 * 3× forward (forward + backward). Time uses a two-term model per step,
 * `t = overhead + flops / rate`, with `overhead` (per-op dispatch, dominant for small models on
 * GPUs) paid once per lockstep group step and `rate` the sustained FLOP/s. The table comes from
 * measured throughputs (DESIGN.md, 2026-11-29) and is deliberately rough: the estimate says so.
 */
import type { ModelSpec } from './spec';
import type { LockstepGroup, Variant } from './variants';

export type BackendName = 'cpu' | 'wasm' | 'webgpu' | 'tensorflow';

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
  /** Expected wall time, seconds (sequential groups, lockstep members in one step). */
  seconds: number;
  runs: RunCost[];
  notes: string[];
}

/** Estimates the cost of training `groups` on `backend`, given the tokenizer's vocabulary size. */
export function estimateCost(
  groups: LockstepGroup[],
  vocabSize: number,
  backend: BackendName,
  throughput: Throughput = THROUGHPUT[backend],
): CostEstimate {
  const runs: RunCost[] = [];
  let seconds = 0;
  for (const g of groups) {
    let groupFlopsPerStep = 0;
    for (const v of g.variants) {
      const c = runCost(v, vocabSize);
      runs.push(c);
      groupFlopsPerStep += c.flopsPerStep;
    }
    const steps = g.variants[0].training.steps;
    seconds += steps * (throughput.overheadSec + groupFlopsPerStep / throughput.flopsPerSec);
  }
  runs.sort((a, b) => a.variantIndex - b.variantIndex);
  return {
    runCount: runs.length,
    groupCount: groups.length,
    parameters: runs.reduce((s, r) => s + r.parameters, 0),
    flops: runs.reduce((s, r) => s + r.flops, 0),
    tokens: runs.reduce((s, r) => s + r.tokens, 0),
    backend,
    seconds,
    runs,
    notes: [
      `time from a rough throughput model for ${backend} (${throughput.source}); ` +
        'evaluation, checkpoints and analysis not included',
    ],
  };
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
