/**
 * Loss barrier along linear interpolation (linear mode connectivity; Frankle, Dziugaite, Roy &
 * Carbin 2020, "Linear Mode Connectivity and the Lottery Ticket Hypothesis"; used after
 * matching by Ainsworth et al. 2022, Git Re-Basin):
 *
 *   θ(α) = (1 − α)·θ_A + α·θ_B,   barrier = max_α [ L(θ(α)) − ((1 − α)·L(θ_A) + α·L(θ_B)) ]
 *
 * on a fixed batch, L the weighted mean next-token cross-entropy (the training loss). Pass
 * B = π(B) from matching for the aligned barrier; the unaligned one is the naive baseline
 * (usually much higher: averaging unmatched units destroys both models' features).
 *
 * Evaluates every α as one member of a lockstep ensemble (src/core/model/transformer.ts), in
 * chunks of `maxMembers`, on the active tfjs backend. Needs tfjs, unlike the rest of
 * src/core/similarity.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../data/types';
import type { ModelConfig } from '../../model/config';
import { Transformer } from '../../model/transformer';
import { maskedCrossEntropy } from '../../train/loss';
import { interpolateWeights, stackWeights, type ModelWeights } from './model-weights';

export interface BarrierOptions {
  /** Interpolation coefficients, sorted, including 0 and 1 (default 0, 0.1, …, 1). */
  alphas?: number[];
  /** Most models evaluated in one stacked forward pass (default 8). */
  maxMembers?: number;
}

export interface BarrierCurve {
  alphas: number[];
  losses: number[];
  /** max over α of loss − linear interpolation of the end losses (≥ 0 up to rounding). */
  barrier: number;
  /** α where the barrier is attained. */
  argmax: number;
}

export const DEFAULT_ALPHAS = Array.from({ length: 11 }, (_, i) => i / 10);

/** Mean weighted cross-entropy of each model on `batch` (one stacked forward per chunk). */
export async function modelLosses(
  config: ModelConfig,
  models: readonly ModelWeights[],
  batch: Batch,
  maxMembers = 8,
): Promise<number[]> {
  const out: number[] = [];
  const { batchSize: B, contextLength: T } = batch;
  for (let start = 0; start < models.length; start += maxMembers) {
    const chunk = models.slice(start, start + maxMembers);
    const model = new Transformer(
      config,
      chunk.map(() => 0),
    );
    try {
      model.loadParams(stackWeights(chunk));
      const losses = tf.tidy(() => {
        const inputs = tf.tensor(batch.inputs, [B, T], 'int32');
        const logits = model.forward(inputs).logits; // [K, B, T, V]
        const flat = tf.reshape(logits, [chunk.length, B * T, config.vocabSize]);
        return maskedCrossEntropy(
          flat,
          tf.tensor(batch.targets, [B * T], 'int32'),
          tf.tensor(batch.weights, [B * T], 'float32'),
        );
      });
      out.push(...((await losses.data()) as Float32Array));
      losses.dispose();
    } finally {
      model.dispose();
    }
  }
  return out;
}

/** The barrier of a loss curve over `alphas` (see the file comment). */
export function barrierOf(alphas: readonly number[], losses: readonly number[]): BarrierCurve {
  const n = alphas.length;
  if (n < 2 || losses.length !== n) throw new Error('barrier: need a loss for every α, at least 2');
  if (alphas[0] !== 0 || alphas[n - 1] !== 1)
    throw new Error('barrier: α must start at 0 and end at 1');
  let barrier = -Infinity;
  let argmax = 0;
  for (let i = 0; i < n; i++) {
    const a = alphas[i];
    const excess = losses[i] - ((1 - a) * losses[0] + a * losses[n - 1]);
    if (excess > barrier) {
      barrier = excess;
      argmax = a;
    }
  }
  return { alphas: [...alphas], losses: [...losses], barrier, argmax };
}

/** Loss along θ(α) between A and B on `batch`, and its barrier. */
export async function lossBarrier(
  config: ModelConfig,
  a: ModelWeights,
  b: ModelWeights,
  batch: Batch,
  opts: BarrierOptions = {},
): Promise<BarrierCurve> {
  const alphas = opts.alphas ?? DEFAULT_ALPHAS;
  for (let i = 1; i < alphas.length; i++)
    if (!(alphas[i] > alphas[i - 1])) throw new Error('barrier: α must increase');
  const models = alphas.map((al) => (al === 0 ? a : al === 1 ? b : interpolateWeights(a, b, al)));
  const losses = await modelLosses(config, models, batch, opts.maxMembers);
  return barrierOf(alphas, losses);
}
