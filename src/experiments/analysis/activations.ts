/**
 * Running models on the probe set: hidden states per layer (embedding output, each block's
 * output, the final norm for pre-norm models) at the probe's representation positions, and
 * logits at its scored positions, for every model of a lockstep group in one stacked forward
 * pass per chunk of rows, each row only as far as its last wanted position.
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

/** Sequence lengths are rounded up to a multiple of this (few distinct shapes per backend). */
const LENGTH_STEP = 8;

interface Chunk {
  rows: number[];
  /** Positions run per row (≤ T): the longest row's need, rounded up to LENGTH_STEP. */
  length: number;
}

/**
 * The probe's rows grouped for forward passes. The models are causal, so the hidden states and
 * logits at positions < t depend only on the tokens before t: a row is run only up to its last
 * wanted (representation or scored) position, and rows with none are skipped. Rows are sorted
 * by that length so each chunk pads little: on the lab's default probe (short units padded to
 * the context) this runs about half the positions of running every row in full.
 */
function chunksOf(probe: Probe, tokensPerChunk: number, maxRows: number): Chunk[] {
  const T = probe.batch.contextLength;
  const need = new Int32Array(probe.batch.batchSize);
  for (const positions of [probe.repPositions, probe.scoredPositions])
    for (const p of positions) {
      const r = Math.floor(p / T);
      need[r] = Math.max(need[r], (p % T) + 1);
    }
  const rows = Array.from(need.keys())
    .filter((r) => need[r] > 0)
    .sort((a, b) => need[a] - need[b] || a - b);
  const chunks: Chunk[] = [];
  let cur: Chunk | undefined;
  for (const r of rows) {
    const length = Math.min(T, Math.ceil(need[r] / LENGTH_STEP) * LENGTH_STEP);
    if (cur && cur.rows.length < maxRows && (cur.rows.length + 1) * length <= tokensPerChunk) {
      cur.rows.push(r);
      cur.length = length; // rows are sorted, so this is the chunk's longest
    } else chunks.push((cur = { rows: [r], length }));
  }
  return chunks;
}

/**
 * Where each wanted flat position (row·T + t) lands in the outputs of `chunk`, as pairs
 * [index into `positions`, offset row_in_chunk·length + t].
 */
function placesIn(chunk: Chunk, positions: Int32Array, T: number): [number, number][] {
  const slot = new Map(chunk.rows.map((r, b) => [r, b] as const));
  const out: [number, number][] = [];
  positions.forEach((p, i) => {
    const b = slot.get(Math.floor(p / T));
    if (b !== undefined) out.push([i, b * chunk.length + (p % T)]);
  });
  return out;
}

/**
 * Activations of each model (same config) on the probe. `rowsPerChunk` bounds the rows of one
 * forward pass (default: as many as fit about 4,096 positions over all members).
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
  const nRep = probe.repPositions.length;
  const nOut = probe.scoredPositions.length;
  const out: { layers: Map<string, Float64Array>; logits: Float64Array }[] = models.map(() => ({
    layers: new Map(),
    logits: new Float64Array(nOut * V),
  }));
  const model = stackedModel(config, models);
  try {
    // About 4,096 positions per pass over all members together: the backend's scratch memory
    // scales with it, and freshly touched memory is slow (measured on wasm, K = 8: 3.5 s of CPU
    // for the first probe pass at 4,096 positions per member, 1.6 s at 512; later passes ~0.9 s
    // either way).
    for (const chunk of chunksOf(
      probe,
      Math.max(1, Math.floor(4096 / K)),
      rowsPerChunk ?? Infinity,
    )) {
      const B = chunk.rows.length;
      const L = chunk.length;
      const ids = new Int32Array(B * L);
      chunk.rows.forEach((r, b) => ids.set(batch.inputs.subarray(r * T, r * T + L), b * L));
      const names: string[] = [];
      const tensors = tf.tidy(() => {
        const f = model.forward(tf.tensor(ids, [B, L], 'int32'), { hidden: true });
        for (const h of f.hidden!) names.push(h.name);
        return [f.logits, ...f.hidden!.map((h) => h.value)];
      });
      try {
        const scored = placesIn(chunk, probe.scoredPositions, T);
        const logits = (await tensors[0].data()) as Float32Array; // [K, B, L, V]
        for (let k = 0; k < K; k++)
          for (const [i, at] of scored) {
            const src = (k * B * L + at) * V;
            const row = out[k].logits.subarray(i * V, (i + 1) * V);
            for (let v = 0; v < V; v++) row[v] = logits[src + v];
          }
        const rep = placesIn(chunk, probe.repPositions, T);
        for (let li = 0; li < names.length; li++) {
          const data = (await tensors[li + 1].data()) as Float32Array; // [K, B, L, d]
          for (let k = 0; k < K; k++) {
            let m = out[k].layers.get(names[li]);
            if (!m) out[k].layers.set(names[li], (m = new Float64Array(nRep * d)));
            for (const [i, at] of rep) {
              const src = (k * B * L + at) * d;
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
