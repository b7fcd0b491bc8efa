/**
 * One model's weights as plain data, keyed by the engine's parameter names (`paramSpecs`),
 * without the ensemble axis K: `blocks.0.attn.wq` → `{ shape: [d, d], data }`.
 *
 * Conversions from the two places weights live: a stacked `Transformer.exportParams()` record
 * (`[K, …]` shapes, pick member k) and a run's store checkpoint (`param/<name>` tensors with a
 * leading K = 1 axis, see `src/experiments/execution/worker/member-state.ts`), and back to a stacked
 * record for `Transformer.loadParams`.
 */
import type { ModelConfig } from '../../model/config';
import { paramSpecs, type TensorRecord } from '../../model/transformer';

/** A float32 tensor with its shape (row-major). */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** One model's parameters by engine name, shapes without the K axis. */
export type ModelWeights = Record<string, WeightTensor>;

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Throws unless `w` holds exactly the parameters of `config` with their shapes. */
export function checkModelWeights(config: ModelConfig, w: ModelWeights, what = 'weights'): void {
  const specs = paramSpecs(config);
  for (const s of specs) {
    const t = w[s.name];
    if (!t) throw new Error(`${what}: missing parameter '${s.name}'`);
    if (t.shape.join(',') !== s.shape.join(','))
      throw new Error(`${what}: '${s.name}' has shape [${t.shape}], expected [${s.shape}]`);
    if (t.data.length !== size(s.shape))
      throw new Error(
        `${what}: '${s.name}' holds ${t.data.length} values, expected ${size(s.shape)}`,
      );
  }
  const names = new Set(specs.map((s) => s.name));
  for (const k of Object.keys(w))
    if (!names.has(k)) throw new Error(`${what}: unexpected parameter '${k}'`);
}

/** Member `k` of a stacked record (`Transformer.exportParams()`), copied. */
export function memberWeights(rec: TensorRecord, k: number): ModelWeights {
  const out: ModelWeights = {};
  for (const [name, data] of Object.entries(rec.tensors)) {
    const shape = rec.shapes[name];
    const K = shape[0];
    if (!(Number.isInteger(k) && k >= 0 && k < K))
      throw new Error(`memberWeights: member ${k} out of range 0..${K - 1}`);
    const n = data.length / K;
    out[name] = { shape: shape.slice(1), data: data.slice(k * n, (k + 1) * n) };
  }
  return out;
}

/** Stacks models (same config) into a record `Transformer.loadParams` accepts. */
export function stackWeights(models: readonly ModelWeights[]): TensorRecord {
  if (models.length === 0) throw new Error('stackWeights: no models');
  const tensors: Record<string, Float32Array> = {};
  const shapes: Record<string, number[]> = {};
  for (const name of Object.keys(models[0])) {
    const shape = models[0][name].shape;
    const n = size(shape);
    const out = new Float32Array(n * models.length);
    models.forEach((m, k) => {
      const t = m[name];
      if (!t || t.data.length !== n)
        throw new Error(`stackWeights: '${name}' differs in model ${k}`);
      out.set(t.data, k * n);
    });
    tensors[name] = out;
    shapes[name] = [models.length, ...shape];
  }
  return { tensors, shapes };
}

/**
 * A run checkpoint's `weights` map (`param/<name>` → `[1, …]`) as model weights. Accepts the
 * store's `TensorMap` structurally (src/core never imports db/).
 */
export function checkpointWeights(
  weights: Readonly<Record<string, { shape: number[]; data: Float32Array }>>,
): ModelWeights {
  const out: ModelWeights = {};
  for (const [key, t] of Object.entries(weights)) {
    if (!key.startsWith('param/')) continue;
    if (t.shape[0] !== 1)
      throw new Error(`checkpoint tensor '${key}' has ${t.shape[0]} members; expected one`);
    out[key.slice('param/'.length)] = { shape: t.shape.slice(1), data: t.data };
  }
  return out;
}

/** Every tensor's values by name (the flat view `compareFlat` in ../weights.ts takes). */
export function flatView(w: ModelWeights): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(w).map(([k, t]) => [k, t.data]));
}

/** (1 − α)·a + α·b, parameter by parameter (linear mode connectivity). */
export function interpolateWeights(a: ModelWeights, b: ModelWeights, alpha: number): ModelWeights {
  const out: ModelWeights = {};
  for (const [name, ta] of Object.entries(a)) {
    const tb = b[name];
    if (!tb || tb.data.length !== ta.data.length)
      throw new Error(`interpolateWeights: '${name}' differs between the models`);
    const d = new Float32Array(ta.data.length);
    for (let i = 0; i < d.length; i++) d[i] = (1 - alpha) * ta.data[i] + alpha * tb.data[i];
    out[name] = { shape: [...ta.shape], data: d };
  }
  return out;
}
