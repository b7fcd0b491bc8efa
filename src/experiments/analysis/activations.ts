/**
 * Running models on the probe set: hidden states per layer (embedding output, each block's
 * output, the final norm for pre-norm models) at the probe's representation positions, and
 * logits at its scored positions, for every model of a lockstep group in one stacked forward
 * pass per chunk of rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../core/model/config';
import { Transformer } from '../../core/model/transformer';
import type { Matrix } from '../../core/similarity/matrix';
import { stackWeights, type ModelWeights } from '../../core/similarity/model';
import type { Probe } from './probe';

export interface ModelActivations {
  /** Layer name → N_rep × d (rows = probe representation positions). */
  layers: Map<string, Matrix>;
  /** N_scored × V logits at the scored positions. */
  logits: Matrix;
}

/** Builds a stacked model holding `models` (same config); the caller disposes it. */
export function stackedModel(config: ModelConfig, models: readonly ModelWeights[]): Transformer {
  const m = new Transformer(
    config,
    models.map(() => 0),
  );
  try {
    m.loadParams(stackWeights(models));
  } catch (e) {
    m.dispose();
    throw e;
  }
  return m;
}

/** Index of each wanted flat position among the rows [r0, r1) (positions sorted). */
function positionsIn(pos: Int32Array, lo: number, hi: number): [number, number] {
  let a = 0;
  while (a < pos.length && pos[a] < lo) a++;
  let b = a;
  while (b < pos.length && pos[b] < hi) b++;
  return [a, b];
}

/**
 * Activations of each model (same config) on the probe. `rowsPerChunk` bounds the memory of
 * one forward pass (default: about 4,096 tokens per member).
 */
export async function probeActivations(
  config: ModelConfig,
  models: readonly ModelWeights[],
  probe: Probe,
  rowsPerChunk?: number,
): Promise<ModelActivations[]> {
  const { batch } = probe;
  const T = batch.contextLength;
  const K = models.length;
  const d = config.dModel;
  const V = config.vocabSize;
  const chunk = rowsPerChunk ?? Math.max(1, Math.floor(4096 / T));
  const nRep = probe.repPositions.length;
  const nOut = probe.scoredPositions.length;
  const out: { layers: Map<string, Float64Array>; logits: Float64Array }[] = models.map(() => ({
    layers: new Map(),
    logits: new Float64Array(nOut * V),
  }));
  const model = stackedModel(config, models);
  try {
    for (let r0 = 0; r0 < batch.batchSize; r0 += chunk) {
      const r1 = Math.min(batch.batchSize, r0 + chunk);
      const B = r1 - r0;
      const [ra, rb] = positionsIn(probe.repPositions, r0 * T, r1 * T);
      const [sa, sb] = positionsIn(probe.scoredPositions, r0 * T, r1 * T);
      if (ra === rb && sa === sb) continue;
      const names: string[] = [];
      const tensors = tf.tidy(() => {
        const inputs = tf.tensor(batch.inputs.subarray(r0 * T, r1 * T), [B, T], 'int32');
        const f = model.forward(inputs, { hidden: true });
        for (const h of f.hidden!) names.push(h.name);
        return [f.logits, ...f.hidden!.map((h) => h.value)];
      });
      try {
        const logits = (await tensors[0].data()) as Float32Array; // [K, B, T, V]
        for (let k = 0; k < K; k++)
          for (let i = sa; i < sb; i++) {
            const src = k * B * T * V + (probe.scoredPositions[i] - r0 * T) * V;
            const row = out[k].logits.subarray(i * V, (i + 1) * V);
            for (let v = 0; v < V; v++) row[v] = logits[src + v];
          }
        for (let li = 0; li < names.length; li++) {
          const data = (await tensors[li + 1].data()) as Float32Array; // [K, B, T, d]
          for (let k = 0; k < K; k++) {
            let m = out[k].layers.get(names[li]);
            if (!m) out[k].layers.set(names[li], (m = new Float64Array(nRep * d)));
            for (let i = ra; i < rb; i++) {
              const src = k * B * T * d + (probe.repPositions[i] - r0 * T) * d;
              for (let j = 0; j < d; j++) m[i * d + j] = data[src + j];
            }
          }
        }
      } finally {
        for (const t of tensors) t.dispose();
      }
    }
  } finally {
    model.dispose();
  }
  return out.map((o) => ({
    layers: new Map(
      [...o.layers].map(([name, data]) => [name, { rows: nRep, cols: d, data }] as const),
    ),
    logits: { rows: nOut, cols: V, data: o.logits },
  }));
}
