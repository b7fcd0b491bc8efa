/**
 * The Transformer language model (nanoGPT-style decoder), built as a **lockstep ensemble**.
 *
 * Every parameter is stacked over K members: a tensor named `blocks.0.attn.wq` has shape
 * `[K, d, d]`. All members share one architecture (one `ModelConfig`) and run in the same
 * kernels (batched matmuls over the leading K axis), but nothing mixes across K: member k's
 * numbers are exactly those of a solo model (K = 1) initialised from the same seed. K = 1 is the
 * ordinary single model.
 *
 * Notation in shape comments: K members, B sequences, T positions, N = B·T, d = dModel,
 * H heads, hd = d / H, V vocabulary, F = dFF.
 *
 * Parameters (`paramSpecs` gives the exact list, in order; all shapes carry a leading K):
 *
 * | name                      | shape     | notes                                            |
 * | ------------------------- | --------- | ------------------------------------------------ |
 * | `tok_emb`                 | [V, d]    | token embedding; also the output layer if tied   |
 * | `pos_emb`                 | [Tmax, d] | only with `positionalEncoding: 'learned'`        |
 * | `blocks.i.ln1.g` / `.b`   | [d]       | norm before attention (pre) or after it (post); `.b` only for layernorm |
 * | `blocks.i.attn.wq` / `bq` | [d, d] / [d] | query projection; head h uses columns [h·hd, (h+1)·hd) |
 * | `blocks.i.attn.wk` / `bk` | [d, d] / [d] | key projection, same head layout              |
 * | `blocks.i.attn.wv` / `bv` | [d, d] / [d] | value projection, same head layout            |
 * | `blocks.i.attn.wo` / `bo` | [d, d] / [d] | output projection (rows = concatenated heads) |
 * | `blocks.i.ln2.g` / `.b`   | [d]       | norm around the MLP                              |
 * | `blocks.i.mlp.w1` / `b1`  | [d, F] / [F] |                                               |
 * | `blocks.i.mlp.w2` / `b2`  | [F, d] / [d] |                                               |
 * | `ln_f.g` / `.b`           | [d]       | final norm, pre-norm models only                 |
 * | `head.w` / `head.b`       | [d, V] / [V] | untied models only                            |
 *
 * Weights are stored input-major (`y = x·W + b`), i.e. the transpose of PyTorch's `nn.Linear`.
 *
 * Semantics: causal self-attention always. Pre-norm: x += f(norm(x)) and a final norm.
 * Post-norm (PyTorch `nn.TransformerEncoderLayer`, `norm_first=False`): x = norm(x + f(x)), no
 * final norm. Dropout (PyTorch placement): on embeddings, attention weights, the MLP hidden
 * layer, and each residual branch output.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../engine/gradients';
import { fusedCausalAttention, fusedKernelsActive } from '../kernels';
import { Rng } from '../rng';
import { validateModelConfig, type ModelConfig } from './config';
import type { DropoutStreams } from './dropout';
import { gelu, layerNorm, linear, rmsNorm } from './ops';

/** How a parameter is initialised. */
export type ParamInit = 'normal' | 'residual' | 'zeros' | 'ones';

/** One parameter of a single member (the stacked variable has shape `[K, ...shape]`). */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
  /** Whether AdamW applies weight decay (matrices only; see `src/core/train/adamw.ts`). */
  decay: boolean;
}

/** One layer's activations, `[K, B, T, d]`. */
export interface HiddenState {
  /** `embed`, `blocks.0` … `blocks.{L-1}`, then `final_norm` for pre-norm models. */
  name: string;
  value: tf.Tensor;
}

export interface ForwardOptions {
  /** Apply dropout (needs `dropout` streams and `config.dropout > 0`). Default false. */
  training?: boolean;
  dropout?: DropoutStreams;
  /** Also return every layer's hidden states. Default false. */
  hidden?: boolean;
}

export interface ForwardResult {
  /** `[K, B, T, V]` unnormalised next-token scores. */
  logits: tf.Tensor;
  /** Present when requested: embedding output, each block output, final norm (pre-norm). */
  hidden?: HiddenState[];
}

/** Plain-data parameters (or any tensors) keyed by name, with their shapes. */
export interface TensorRecord {
  tensors: Record<string, Float32Array>;
  shapes: Record<string, number[]>;
}

/** Every parameter of a model with this config, in canonical order. */
export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const d = c.dModel;
  const ln = c.normType === 'layernorm';
  const specs: ParamSpec[] = [
    { name: 'tok_emb', shape: [c.vocabSize, d], init: 'normal', decay: false },
  ];
  if (c.positionalEncoding === 'learned')
    specs.push({ name: 'pos_emb', shape: [c.contextLength, d], init: 'normal', decay: false });
  const norm = (prefix: string) => {
    specs.push({ name: `${prefix}.g`, shape: [d], init: 'ones', decay: false });
    if (ln) specs.push({ name: `${prefix}.b`, shape: [d], init: 'zeros', decay: false });
  };
  for (let i = 0; i < c.nLayers; i++) {
    const p = `blocks.${i}`;
    norm(`${p}.ln1`);
    specs.push(
      { name: `${p}.attn.wq`, shape: [d, d], init: 'normal', decay: true },
      { name: `${p}.attn.bq`, shape: [d], init: 'zeros', decay: false },
      { name: `${p}.attn.wk`, shape: [d, d], init: 'normal', decay: true },
      { name: `${p}.attn.bk`, shape: [d], init: 'zeros', decay: false },
      { name: `${p}.attn.wv`, shape: [d, d], init: 'normal', decay: true },
      { name: `${p}.attn.bv`, shape: [d], init: 'zeros', decay: false },
      { name: `${p}.attn.wo`, shape: [d, d], init: 'residual', decay: true },
      { name: `${p}.attn.bo`, shape: [d], init: 'zeros', decay: false },
    );
    norm(`${p}.ln2`);
    specs.push(
      { name: `${p}.mlp.w1`, shape: [d, c.dFF], init: 'normal', decay: true },
      { name: `${p}.mlp.b1`, shape: [c.dFF], init: 'zeros', decay: false },
      { name: `${p}.mlp.w2`, shape: [c.dFF, d], init: 'residual', decay: true },
      { name: `${p}.mlp.b2`, shape: [d], init: 'zeros', decay: false },
    );
  }
  if (c.normPlacement === 'pre') norm('ln_f');
  if (!c.tiedEmbeddings)
    specs.push(
      { name: 'head.w', shape: [d, c.vocabSize], init: 'normal', decay: true },
      { name: 'head.b', shape: [c.vocabSize], init: 'zeros', decay: false },
    );
  return specs;
}

/** Number of parameters of one member. */
export function countParams(c: ModelConfig): number {
  return paramSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Initial values of one member's parameters, drawn from `Rng.derive(seed, 'init')` in
 * `paramSpecs` order. Matrices and embeddings ~ N(0, initStd²); the two residual projections
 * (`attn.wo`, `mlp.w2`) ~ N(0, (initStd/√(2L))²) as in GPT-2, so the residual stream's variance
 * does not grow with depth; biases 0; norm gains 1.
 */
export function initMemberValues(c: ModelConfig, seed: number): Float32Array[] {
  const rng = Rng.derive(seed, 'init');
  const residualStd = c.initStd / Math.sqrt(2 * c.nLayers);
  return paramSpecs(c).map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(size);
    if (s.init === 'ones') v.fill(1);
    else if (s.init !== 'zeros') {
      const std = s.init === 'residual' ? residualStd : c.initStd;
      for (let i = 0; i < size; i++) v[i] = rng.normal() * std;
    }
    return v;
  });
}

/** Fixed sinusoidal positional table (Vaswani et al. 2017), `[Tmax, d]`. */
function sinusoidTable(T: number, d: number): Float32Array {
  const out = new Float32Array(T * d);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < d; i += 2) {
      const angle = t / Math.pow(10000, i / d);
      out[t * d + i] = Math.sin(angle);
      if (i + 1 < d) out[t * d + i + 1] = Math.cos(angle);
    }
  return out;
}

/**
 * Rotary embedding tables (Su et al. 2021, GPT-NeoX "rotate half" layout): cos/sin `[Tmax, hd]`
 * and the `[hd, hd]` matrix R with x·R = concat(−x₂, x₁), so rope(x) = x·cos + (x·R)·sin in two
 * elementwise ops and one small matmul.
 */
function ropeTables(
  T: number,
  hd: number,
): { cos: Float32Array; sin: Float32Array; rot: Float32Array } {
  const half = hd / 2;
  const cos = new Float32Array(T * hd);
  const sin = new Float32Array(T * hd);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < half; i++) {
      const a = t * Math.pow(10000, (-2 * i) / hd);
      cos[t * hd + i] = cos[t * hd + i + half] = Math.cos(a);
      sin[t * hd + i] = sin[t * hd + i + half] = Math.sin(a);
    }
  const rot = new Float32Array(hd * hd);
  for (let i = 0; i < half; i++) {
    rot[(i + half) * hd + i] = -1; // out[i] = −x[i + half]
    rot[i * hd + i + half] = 1; // out[i + half] = x[i]
  }
  return { cos, sin, rot };
}

/**
 * Longest sequence for which the fused attention kernel (plain TypeScript loops, ~0.5 GMAC/s) is
 * used on the CPU backends. Measured on wasm, forward + backward of one layer, CPU time: T = 32
 * (hd 16 or 32) fused 8.1 vs op chain 8.9 ms; T = 64 28 vs 16 ms; T = 128 121 vs 38 ms — past
 * T = 32 XNNPACK's batched products win despite their per-item overhead.
 */
const FUSED_ATTENTION_MAX_T = 32;

/** Large negative instead of −∞: softmax gives exact zeros and no NaN can appear in gradients. */
const MASKED = -1e9;

export class Transformer {
  readonly config: ModelConfig;
  /** Init seed of each member; K = seeds.length. */
  readonly seeds: number[];
  /** Ordered name → stacked variable `[K, ...]`; see the table at the top of this file. */
  readonly params: Record<string, tf.Variable>;
  private readonly specs: ParamSpec[];
  private readonly consts: Record<string, tf.Tensor> = {};

  /**
   * Builds K = seeds.length members; member k is initialised from `seeds[k]` exactly as a solo
   * model with that seed. Variables live on the active tfjs backend (call `initBackend` first).
   */
  constructor(config: ModelConfig, seeds: number[]) {
    validateModelConfig(config);
    if (seeds.length < 1) throw new Error('A model needs at least one member seed');
    this.config = { ...config };
    this.seeds = [...seeds];
    this.specs = paramSpecs(config);
    const perMemberValues = seeds.map((s) => initMemberValues(config, s));
    this.params = {};
    this.specs.forEach((s, i) => {
      const values = stack(perMemberValues.map((m) => m[i]));
      this.params[s.name] = tf.variable(tf.tensor(values, [seeds.length, ...s.shape], 'float32'));
    });
    this.buildConstants();
  }

  /** Ensemble size K. */
  get members(): number {
    return this.seeds.length;
  }

  /** Parameter specs in canonical order (per member, without the K axis). */
  get paramSpecs(): ParamSpec[] {
    return this.specs;
  }

  private buildConstants(): void {
    const c = this.config;
    const T = c.contextLength;
    const K = this.members;
    const mask = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = MASKED;
    this.consts.mask = tf.tensor(mask, [T, T]);
    // Row offsets into the [K·V, d] view of tok_emb: member k's token t is row k·V + t.
    this.consts.memberOffsets = tf.tensor(
      Int32Array.from({ length: K }, (_, k) => k * c.vocabSize),
      [K, 1],
      'int32',
    );
    if (c.positionalEncoding === 'sinusoidal')
      this.consts.sinusoid = tf.tensor(sinusoidTable(T, c.dModel), [T, c.dModel]);
    if (c.positionalEncoding === 'rope') {
      const hd = c.dModel / c.nHeads;
      const r = ropeTables(T, hd);
      this.consts.ropeCos = tf.tensor(r.cos, [T, hd]);
      this.consts.ropeSin = tf.tensor(r.sin, [T, hd]);
      this.consts.ropeRot = tf.tensor(r.rot, [hd, hd]);
      // The same tables for heads side by side ([T, d] and block-diagonal [d, d]), for the fused
      // attention path, which keeps q and k in the projections' [M, T, d] layout.
      const H = c.nHeads;
      const d = c.dModel;
      const cosFull = new Float32Array(T * d);
      const sinFull = new Float32Array(T * d);
      for (let t = 0; t < T; t++)
        for (let h = 0; h < H; h++) {
          cosFull.set(r.cos.subarray(t * hd, (t + 1) * hd), t * d + h * hd);
          sinFull.set(r.sin.subarray(t * hd, (t + 1) * hd), t * d + h * hd);
        }
      const rotFull = new Float32Array(d * d);
      for (let h = 0; h < H; h++)
        for (let i = 0; i < hd; i++)
          for (let j = 0; j < hd; j++) rotFull[(h * hd + i) * d + h * hd + j] = r.rot[i * hd + j];
      this.consts.ropeCosFull = tf.tensor(cosFull, [T, d]);
      this.consts.ropeSinFull = tf.tensor(sinFull, [T, d]);
      this.consts.ropeRotFull = tf.tensor(rotFull, [d, d]);
    }
  }

  /**
   * The forward pass. `inputs`: int32 token ids, shared by all members `[B, T]` or per member
   * `[K, B, T]`, with T ≤ contextLength. Call inside `tf.tidy` (or dispose the results).
   */
  forward(inputs: tf.Tensor, opts: ForwardOptions = {}): ForwardResult {
    const c = this.config;
    const P = this.params;
    const K = this.members;
    if (inputs.dtype !== 'int32')
      throw new Error(`forward: inputs must be int32, got ${inputs.dtype}`);
    const shared = inputs.rank === 2;
    if (!shared && !(inputs.rank === 3 && inputs.shape[0] === K))
      throw new Error(`forward: inputs must be [B,T] or [K=${K},B,T], got [${inputs.shape}]`);
    const [B, T] = shared ? inputs.shape : inputs.shape.slice(1);
    if (T > c.contextLength)
      throw new Error(`forward: sequence length ${T} exceeds contextLength ${c.contextLength}`);
    const N = B * T;
    const d = c.dModel;
    const V = c.vocabSize;
    const p = c.dropout;
    const dropping = opts.training === true && p > 0;
    if (dropping && !opts.dropout)
      throw new Error('forward: training with dropout needs DropoutStreams');
    if (dropping && opts.dropout!.members !== K)
      throw new Error(`forward: ${opts.dropout!.members} dropout streams for ${K} members`);
    // Multiplies by a fresh inverted-dropout mask of per-member shape `shape`, or is a no-op.
    const drop = (x: tf.Tensor, shape: number[]): tf.Tensor =>
      dropping ? tf.mul(x, tf.reshape(opts.dropout!.mask(shape, p), x.shape)) : x;
    const hidden: HiddenState[] = [];
    const record = (name: string, x: tf.Tensor) => {
      if (opts.hidden) hidden.push({ name, value: tf.reshape(x, [K, B, T, d]) });
    };

    // Embedding lookup: member k reads rows k·V + id of the [K·V, d] table.
    const ids = tf.add(tf.reshape(inputs, shared ? [1, N] : [K, N]), this.consts.memberOffsets); // [K, N]
    let x = tf.reshape(tf.gather(tf.reshape(P.tok_emb, [K * V, d]), tf.reshape(ids, [K * N])), [
      K,
      N,
      d,
    ]);
    if (c.positionalEncoding === 'learned') {
      const pos = tf.slice(P.pos_emb, [0, 0, 0], [K, T, d]); // [K, T, d]
      x = tf.reshape(tf.add(tf.reshape(x, [K, B, T, d]), tf.reshape(pos, [K, 1, T, d])), [K, N, d]);
    } else if (c.positionalEncoding === 'sinusoidal') {
      const pos = tf.slice(this.consts.sinusoid, [0, 0], [T, d]); // [T, d]
      x = tf.reshape(tf.add(tf.reshape(x, [K, B, T, d]), pos), [K, N, d]);
    }
    record('embed', x);
    x = drop(x, [N, d]);

    for (let l = 0; l < c.nLayers; l++) {
      const pre = `blocks.${l}`;
      if (c.normPlacement === 'pre') {
        x = tf.add(x, this.attention(this.norm(x, `${pre}.ln1`), l, B, T, drop, dropping));
        x = tf.add(x, this.mlp(this.norm(x, `${pre}.ln2`), l, N, drop));
      } else {
        x = this.norm(tf.add(x, this.attention(x, l, B, T, drop, dropping)), `${pre}.ln1`);
        x = this.norm(tf.add(x, this.mlp(x, l, N, drop)), `${pre}.ln2`);
      }
      record(pre, x);
    }
    if (c.normPlacement === 'pre') {
      x = this.norm(x, 'ln_f');
      record('final_norm', x);
    }

    const logits = c.tiedEmbeddings
      ? tf.matMul(x, P.tok_emb, false, true) // [K, N, d]·[K, V, d]ᵀ → [K, N, V]
      : linear(x, P['head.w'], P['head.b']);
    const out: ForwardResult = { logits: tf.reshape(logits, [K, B, T, V]) };
    if (opts.hidden) out.hidden = hidden;
    return out;
  }

  private norm(x: tf.Tensor, prefix: string): tf.Tensor {
    const g = this.params[`${prefix}.g`];
    return this.config.normType === 'layernorm'
      ? layerNorm(x, g, this.params[`${prefix}.b`])
      : rmsNorm(x, g);
  }

  /** Causal multi-head self-attention on `h` `[K, N, d]` → `[K, N, d]`. */
  private attention(
    h: tf.Tensor,
    l: number,
    B: number,
    T: number,
    drop: (x: tf.Tensor, shape: number[]) => tf.Tensor,
    dropping: boolean,
  ): tf.Tensor {
    // On the CPU backends, for short contexts, one fused kernel per direction (no attention-
    // weight dropout there); see FUSED_ATTENTION_MAX_T.
    if (!dropping && T <= FUSED_ATTENTION_MAX_T && fusedKernelsActive())
      return this.fusedAttention(h, l, B, T);
    const c = this.config;
    const P = this.params;
    const K = this.members;
    const d = c.dModel;
    const H = c.nHeads;
    const hd = d / H;
    const pre = `blocks.${l}.attn`;
    // Q, K, V: [K, N, d]·[K, d, d] → [K, N, d] → heads [K·B, H, T, hd] → [K·B·H, T, hd]. Three
    // projections rather than one fused [d, 3d] one: splitting a fused output needs a rank-5
    // transpose, which is ~100× slower than the rank-4 one on wasm.
    const project = (w: string) => {
      const y = linear(h, P[`${pre}.w${w}`], P[`${pre}.b${w}`]);
      return tf.reshape(tf.transpose(tf.reshape(y, [K * B, T, H, hd]), [0, 2, 1, 3]), [
        K * B * H,
        T,
        hd,
      ]);
    };
    let q = project('q');
    let k = project('k');
    const v = project('v');
    if (c.positionalEncoding === 'rope') {
      q = this.rope(q, T);
      k = this.rope(k, T);
    }
    q = tf.mul(q, 1 / Math.sqrt(hd));
    const mask =
      T === c.contextLength ? this.consts.mask : tf.slice(this.consts.mask, [0, 0], [T, T]);
    const scores = tf.add(tf.matMul(q, k, false, true), mask); // [K·B·H, T, T]
    const att = drop(tf.softmax(scores), [B, H, T, T]);
    const y = tf.matMul(att, v); // [K·B·H, T, hd]
    // Heads back side by side: [K·B, H, T, hd] → [K·B, T, H, hd] → [K, N, d].
    const merged = tf.reshape(tf.transpose(tf.reshape(y, [K * B, H, T, hd]), [0, 2, 1, 3]), [
      K,
      B * T,
      d,
    ]);
    const out = linear(merged, P[`${pre}.wo`], P[`${pre}.bo`]);
    return drop(out, [B * T, d]);
  }

  /**
   * `attention` through the fused heap kernel (`src/core/kernels/fused-attention.ts`): q, k, v
   * stay in the projections' `[K·B, T, d]` layout, heads side by side. Same numbers as the op
   * chain up to float32 rounding; no dropout inside (the caller checks).
   */
  private fusedAttention(h: tf.Tensor, l: number, B: number, T: number): tf.Tensor {
    const c = this.config;
    const P = this.params;
    const K = this.members;
    const d = c.dModel;
    const pre = `blocks.${l}.attn`;
    const project = (w: string) =>
      tf.reshape(linear(h, P[`${pre}.w${w}`], P[`${pre}.b${w}`]), [K * B, T, d]);
    let q = project('q');
    let k = project('k');
    const v = project('v');
    if (c.positionalEncoding === 'rope') {
      q = this.ropeHeadsSideBySide(q, T);
      k = this.ropeHeadsSideBySide(k, T);
    }
    const y = fusedCausalAttention(q, k, v, c.nHeads); // [K·B, T, d]
    return linear(tf.reshape(y, [K, B * T, d]), P[`${pre}.wo`], P[`${pre}.bo`]);
  }

  /** Rotary embedding on `[M, T, d]` (heads side by side); elementwise equal to `rope`. */
  private ropeHeadsSideBySide(x: tf.Tensor, T: number): tf.Tensor {
    const [M, , d] = x.shape;
    const cos = tf.slice(this.consts.ropeCosFull, [0, 0], [T, d]);
    const sin = tf.slice(this.consts.ropeSinFull, [0, 0], [T, d]);
    const rotated = tf.reshape(tf.matMul(tf.reshape(x, [M * T, d]), this.consts.ropeRotFull), [
      M,
      T,
      d,
    ]);
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
  }

  /** Rotary position embedding on `[M, T, hd]` queries or keys. */
  private rope(x: tf.Tensor, T: number): tf.Tensor {
    const [M, , hd] = x.shape;
    const cos = tf.slice(this.consts.ropeCos, [0, 0], [T, hd]);
    const sin = tf.slice(this.consts.ropeSin, [0, 0], [T, hd]);
    const rotated = tf.reshape(tf.matMul(tf.reshape(x, [M * T, hd]), this.consts.ropeRot), [
      M,
      T,
      hd,
    ]);
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
  }

  /** Position-wise MLP on `[K, N, d]` → `[K, N, d]`. */
  private mlp(
    h: tf.Tensor,
    l: number,
    N: number,
    drop: (x: tf.Tensor, shape: number[]) => tf.Tensor,
  ): tf.Tensor {
    const P = this.params;
    const pre = `blocks.${l}.mlp`;
    const z = linear(h, P[`${pre}.w1`], P[`${pre}.b1`]); // [K, N, F]
    const a = drop(this.config.activation === 'gelu' ? gelu(z) : tf.relu(z), [N, this.config.dFF]);
    const out = linear(a, P[`${pre}.w2`], P[`${pre}.b2`]);
    return drop(out, [N, this.config.dModel]);
  }

  /** Copies every parameter to plain arrays (`[K, ...]` shapes). */
  async exportParams(): Promise<TensorRecord> {
    const tensors: Record<string, Float32Array> = {};
    const shapes: Record<string, number[]> = {};
    for (const s of this.specs) {
      const v = this.params[s.name];
      tensors[s.name] = (await v.data()) as Float32Array;
      shapes[s.name] = [...v.shape];
    }
    return { tensors, shapes };
  }

  /** Overwrites every parameter; names and shapes must match exactly. */
  loadParams(rec: TensorRecord): void {
    for (const s of this.specs) {
      const data = rec.tensors[s.name];
      const shape = rec.shapes[s.name];
      const v = this.params[s.name];
      if (!data) throw new Error(`loadParams: missing parameter '${s.name}'`);
      if (!shape || shape.join(',') !== v.shape.join(','))
        throw new Error(`loadParams: '${s.name}' has shape [${shape}], expected [${v.shape}]`);
      tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
    }
  }

  /** Frees every variable and constant of this model. */
  dispose(): void {
    for (const v of Object.values(this.params)) v.dispose();
    for (const t of Object.values(this.consts)) t.dispose();
  }
}

function stack(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
