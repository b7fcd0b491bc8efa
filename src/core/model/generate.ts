/**
 * Text generation from a prompt, per ensemble member: ids in, ids out. Greedy (temperature 0)
 * or sampled from softmax(logits / temperature), optionally restricted to the top k, with a
 * seeded `Rng` per member (`Rng.derive(seed, 'sample')`, the same for every member, so member k
 * of an ensemble samples exactly what the solo model would). No KV cache: each new token re-runs
 * the window of the last `contextLength` tokens, which is fine for lab-sized models.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../rng';
import type { Transformer } from './transformer';

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 (default) = greedy argmax. */
  temperature?: number;
  /** Sample only among the k most likely tokens (0 or absent = all). */
  topK?: number;
  /** Seed of the sampling streams (ignored when greedy). Default 0. */
  seed?: number;
}

/** Continues `prompt` (non-empty token ids) for every member; returns only the new ids. */
export async function generate(
  model: Transformer,
  prompt: number[],
  opts: GenerateOptions,
): Promise<number[][]> {
  const K = model.members;
  const { contextLength: T, vocabSize: V } = model.config;
  if (prompt.length === 0) throw new Error('generate: the prompt must contain at least one token');
  for (const id of prompt)
    if (!(Number.isInteger(id) && id >= 0 && id < V))
      throw new Error(`generate: token id ${id} outside the vocabulary [0, ${V})`);
  const temperature = opts.temperature ?? 0;
  const rngs = Array.from({ length: K }, () => Rng.derive(opts.seed ?? 0, 'sample'));
  const seqs = Array.from({ length: K }, () => [...prompt]);
  for (let step = 0; step < opts.maxNewTokens; step++) {
    const len = Math.min(T, seqs[0].length);
    const window = new Int32Array(K * len);
    seqs.forEach((s, k) => window.set(s.slice(s.length - len), k * len));
    const last = tf.tidy(() => {
      const { logits } = model.forward(tf.tensor(window, [K, 1, len], 'int32')); // [K,1,len,V]
      return tf.reshape(tf.slice(logits, [0, 0, len - 1, 0], [K, 1, 1, V]), [K, V]);
    });
    const scores = (await last.data()) as Float32Array;
    last.dispose();
    for (let k = 0; k < K; k++) {
      const row = scores.subarray(k * V, (k + 1) * V);
      seqs[k].push(
        temperature > 0 ? sample(row, temperature, opts.topK ?? 0, rngs[k]) : argmax(row),
      );
    }
  }
  return seqs.map((s) => s.slice(prompt.length));
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

function sample(row: Float32Array, temperature: number, topK: number, rng: Rng): number {
  const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b);
  const keep = topK > 0 ? order.slice(0, topK) : order;
  const max = row[keep[0]];
  const w = keep.map((i) => Math.exp((row[i] - max) / temperature));
  let u = rng.next() * w.reduce((a, b) => a + b, 0);
  for (let j = 0; j < keep.length; j++) {
    u -= w[j];
    if (u < 0) return keep[j];
  }
  return keep[keep.length - 1];
}
