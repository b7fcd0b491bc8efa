/**
 * Side-by-side generations: every model continues the same prompts, greedily (argmax) and by
 * seeded sampling (softmax at a temperature). All prompts and all members of a stacked model
 * advance together, one forward pass per generated token: each row keeps its own length and
 * reads the logits at its last position (the model is causal, so what lies to the right of a
 * row's end — padding — cannot change them). No KV cache: contexts are short.
 *
 * Sampling draws from `Rng.derive(seed, 'generate/<stream>/<prompt>')` per member and prompt,
 * with `stream` chosen by the caller (the run id), so a run's sample does not depend on which
 * other runs were analysed with it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng';
import type { Transformer } from '../../core/model/transformer';

export type DecodeMode = 'greedy' | 'sample';

export interface GenerateOptions {
  /** One mode for every prompt, or one per prompt (greedy and sampled rows in one pass). */
  mode: DecodeMode | readonly DecodeMode[];
  /** Softmax temperature for sampling (default 1). */
  temperature?: number;
  seed?: number;
  /** One id per member for the sampling streams (default: the member index). */
  streams?: readonly (number | string)[];
  /** Most new tokens per prompt (default: until the context is full). */
  maxNewTokens?: number;
  /** Stop a row when it produces this token (e.g. the pad id), not included in the output. */
  stopId?: number;
  padId: number;
}

/** Continuations per member (outer) and prompt (inner), new tokens only. */
export async function generate(
  model: Transformer,
  prompts: readonly Int32Array[],
  opts: GenerateOptions,
): Promise<number[][][]> {
  const K = model.members;
  const T = model.config.contextLength;
  const V = model.config.vocabSize;
  const B = prompts.length;
  const temperature = opts.temperature ?? 1;
  const modeOf = (b: number): DecodeMode =>
    typeof opts.mode === 'string' ? opts.mode : opts.mode[b];
  if (typeof opts.mode !== 'string' && opts.mode.length !== B)
    throw new Error(`generate: ${opts.mode.length} modes for ${B} prompts`);
  if (!(temperature > 0)) throw new Error(`generate: temperature must be > 0, got ${temperature}`);
  for (const p of prompts)
    if (p.length < 1 || p.length > T)
      throw new Error(`generate: prompt length ${p.length} not in [1, ${T}]`);
  const buf = new Int32Array(K * B * T).fill(opts.padId);
  const len = new Int32Array(K * B);
  const done = new Uint8Array(K * B);
  const outputs: number[][][] = Array.from({ length: K }, () => prompts.map(() => []));
  const rngs = Array.from({ length: K }, (_, k) =>
    prompts.map((_, b) => Rng.derive(opts.seed ?? 0, `generate/${opts.streams?.[k] ?? k}/${b}`)),
  );
  for (let k = 0; k < K; k++)
    prompts.forEach((p, b) => {
      buf.set(p, (k * B + b) * T);
      len[k * B + b] = p.length;
    });
  const maxNew = opts.maxNewTokens ?? T;
  const probs = new Float64Array(V);
  for (let stepIdx = 0; stepIdx < maxNew && done.some((x) => !x); stepIdx++) {
    const t = tf.tidy(() => model.forward(tf.tensor(buf, [K, B, T], 'int32')).logits);
    const logits = (await t.data()) as Float32Array; // [K, B, T, V]
    t.dispose();
    for (let r = 0; r < K * B; r++) {
      if (done[r]) continue;
      const k = Math.floor(r / B);
      const b = r % B;
      const o = (r * T + len[r] - 1) * V;
      let tok = 0;
      if (modeOf(b) === 'greedy') {
        for (let v = 1; v < V; v++) if (logits[o + v] > logits[o + tok]) tok = v;
      } else {
        let max = -Infinity;
        for (let v = 0; v < V; v++) max = Math.max(max, logits[o + v]);
        let s = 0;
        for (let v = 0; v < V; v++) s += probs[v] = Math.exp((logits[o + v] - max) / temperature);
        let u = rngs[k][b].next() * s;
        tok = V - 1;
        for (let v = 0; v < V; v++) {
          u -= probs[v];
          if (u < 0) {
            tok = v;
            break;
          }
        }
      }
      if (opts.stopId !== undefined && tok === opts.stopId) {
        done[r] = 1;
        continue;
      }
      outputs[k][b].push(tok);
      if (len[r] < T) buf[r * T + len[r]++] = tok;
      else done[r] = 1; // the context is full: this was the last prediction it can make
    }
  }
  return outputs;
}

/**
 * Prompts from probe rows: up to and including the last unscored input before the first scored
 * target (the question of a synthetic task, e.g. `12+30=`), or the first half of the row when
 * (almost) every position is scored (plain text). Padding is dropped.
 */
export function promptsFromRows(
  inputs: Int32Array,
  weights: Float32Array,
  T: number,
  rows: number,
  padId: number,
): Int32Array[] {
  const out: Int32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const o = r * T;
    let first = -1;
    for (let t = 0; t < T; t++)
      if (weights[o + t] > 0) {
        first = t;
        break;
      }
    const n = first >= Math.max(1, Math.floor(T / 4)) ? first + 1 : Math.max(1, Math.floor(T / 2));
    const ids = Array.from(inputs.subarray(o, o + n)).filter((x) => x !== padId);
    if (ids.length) out.push(Int32Array.from(ids));
  }
  return out;
}
