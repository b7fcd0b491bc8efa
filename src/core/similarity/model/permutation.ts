/**
 * Function-preserving permutations of the engine's Transformer (see `model/transformer.ts` for
 * the parameter layout; weights are input-major, `y = x·W + b`).
 *
 * Three kinds of unit can be reordered without changing what the model computes:
 *
 * - **Residual stream dimensions** (one permutation R of d for the whole model): every write
 *   into the stream (embedding columns, `attn.wo`/`mlp.w2` columns and their biases) and every
 *   read from it (`wq`/`wk`/`wv`/`mlp.w1`/`head.w` rows) is reindexed together. LayerNorm and
 *   RMSNorm take the mean and variance over all d dimensions — permutation-invariant — and
 *   apply per-dimension gains/biases, which are permuted too, so the function is unchanged
 *   (pre- and post-norm alike; tied embeddings too, since the same columns are read and
 *   written). This is why only permutations are used, not general rotations: the norms'
 *   per-dimension gains and LayerNorm's mean subtraction break rotation invariance.
 *   Not valid with `positionalEncoding: 'sinusoidal'`: that table is a fixed constant added to
 *   the stream, not a parameter that could be permuted with it.
 * - **MLP hidden units** per layer (F): `mlp.w1` columns, `mlp.b1`, `mlp.w2` rows; the
 *   activation is elementwise.
 * - **Attention heads as blocks** per layer (H), and within each head, its dimensions, kept
 *   consistent for Q and K (the scores are Σ_j q_j·k_j) and for V and O (a head's output is
 *   att·V_h·W_O^h). Q/K dimensions are not permutable with RoPE: rotary position embedding
 *   rotates fixed pairs (j, j + hd/2) by frequency j, which a permutation would reassign.
 *
 * A permutation `p` maps new index i to source index p[i]: permuted[i] = original[p[i]].
 * Logits are equal up to float32 rounding (sums are taken in another order), not bit for bit.
 */
import type { ModelConfig } from '../../model/config';
import { paramSpecs } from '../../model/transformer';
import { Rng } from '../../rng';
import type { ModelWeights } from './model-weights';

/** Per-layer permutations (new index → source index). */
export interface LayerPermutation {
  /** MLP hidden units, length dFF. */
  mlp: Int32Array;
  /** Heads as blocks, length nHeads: new head slot h holds source head heads[h]. */
  heads: Int32Array;
  /** Per new head slot, the order of that head's Q/K dimensions (length head size). */
  qkDims: Int32Array[];
  /** Per new head slot, the order of that head's V/O dimensions. */
  voDims: Int32Array[];
}

export interface TransformerPermutation {
  /** Residual stream dimensions, length dModel. */
  residual: Int32Array;
  layers: LayerPermutation[];
}

/** Which symmetries a config has (and why one is missing). */
export interface PermutationSymmetries {
  residual: boolean;
  mlp: true;
  heads: true;
  qkDims: boolean;
  voDims: true;
  /** Why a symmetry is unavailable, for reports. */
  notes: string[];
}

export function permutationSymmetries(c: ModelConfig): PermutationSymmetries {
  const notes: string[] = [];
  const residual = c.positionalEncoding !== 'sinusoidal';
  if (!residual)
    notes.push(
      'residual stream not permuted: the sinusoidal positional table is a fixed constant added to it',
    );
  const qkDims = c.positionalEncoding !== 'rope';
  if (!qkDims)
    notes.push('Q/K dimensions within heads not permuted: RoPE rotates fixed dimension pairs');
  return { residual, mlp: true, heads: true, qkDims, voDims: true, notes };
}

const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

export function identityPermutation(c: ModelConfig): TransformerPermutation {
  const hd = c.dModel / c.nHeads;
  return {
    residual: iota(c.dModel),
    layers: Array.from({ length: c.nLayers }, () => ({
      mlp: iota(c.dFF),
      heads: iota(c.nHeads),
      qkDims: Array.from({ length: c.nHeads }, () => iota(hd)),
      voDims: Array.from({ length: c.nHeads }, () => iota(hd)),
    })),
  };
}

/** A uniformly random function-preserving permutation (only the symmetries `c` has). */
export function randomPermutation(c: ModelConfig, rng: Rng): TransformerPermutation {
  const sym = permutationSymmetries(c);
  const p = identityPermutation(c);
  if (sym.residual) rng.shuffle(p.residual);
  for (const l of p.layers) {
    rng.shuffle(l.mlp);
    rng.shuffle(l.heads);
    if (sym.qkDims) for (const d of l.qkDims) rng.shuffle(d);
    for (const d of l.voDims) rng.shuffle(d);
  }
  return p;
}

function invert(p: Int32Array): Int32Array {
  const inv = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) inv[p[i]] = i;
  return inv;
}

/** The permutation that undoes `p`: permuteModel(permuteModel(w, p), invertPermutation(p)) = w. */
export function invertPermutation(p: TransformerPermutation): TransformerPermutation {
  return {
    residual: invert(p.residual),
    layers: p.layers.map((l) => {
      const heads = invert(l.heads);
      // New slot h of the inverse takes slot heads[h] of p, i.e. source head h, whose dims p
      // reordered by qkDims[heads[h]]: undo that order.
      return {
        mlp: invert(l.mlp),
        heads,
        qkDims: Array.from(heads, (g) => invert(l.qkDims[g])),
        voDims: Array.from(heads, (g) => invert(l.voDims[g])),
      };
    }),
  };
}

/** True when both permutations are the same. */
export function samePermutation(a: TransformerPermutation, b: TransformerPermutation): boolean {
  const eq = (x: Int32Array, y: Int32Array) =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    eq(a.residual, b.residual) &&
    a.layers.length === b.layers.length &&
    a.layers.every((l, i) => {
      const m = b.layers[i];
      return (
        eq(l.mlp, m.mlp) &&
        eq(l.heads, m.heads) &&
        l.qkDims.every((d, h) => eq(d, m.qkDims[h])) &&
        l.voDims.every((d, h) => eq(d, m.voDims[h]))
      );
    })
  );
}

/** What indexes one axis of a parameter. */
export type AxisRole =
  | { kind: 'residual' }
  | { kind: 'mlp'; layer: number }
  | { kind: 'qk'; layer: number }
  | { kind: 'vo'; layer: number }
  | null;

/** The role of every axis of every parameter of `c`, by name (same order as paramSpecs). */
export function axisRoles(c: ModelConfig): Record<string, AxisRole[]> {
  const R: AxisRole = { kind: 'residual' };
  const out: Record<string, AxisRole[]> = {};
  for (const s of paramSpecs(c)) {
    const m = /^blocks\.(\d+)\.(.+)$/.exec(s.name);
    if (!m) {
      if (s.name === 'tok_emb' || s.name === 'pos_emb') out[s.name] = [null, R];
      else if (s.name === 'head.w') out[s.name] = [R, null];
      else if (s.name === 'head.b') out[s.name] = [null];
      else out[s.name] = [R]; // ln_f.g / ln_f.b
      continue;
    }
    const layer = Number(m[1]);
    const mlp: AxisRole = { kind: 'mlp', layer };
    const qk: AxisRole = { kind: 'qk', layer };
    const vo: AxisRole = { kind: 'vo', layer };
    const roles: Record<string, AxisRole[]> = {
      'attn.wq': [R, qk],
      'attn.wk': [R, qk],
      'attn.bq': [qk],
      'attn.bk': [qk],
      'attn.wv': [R, vo],
      'attn.bv': [vo],
      'attn.wo': [vo, R],
      'attn.bo': [R],
      'mlp.w1': [R, mlp],
      'mlp.b1': [mlp],
      'mlp.w2': [mlp, R],
      'mlp.b2': [R],
    };
    out[s.name] = roles[m[2]] ?? [R]; // ln1/ln2 gains and biases
  }
  return out;
}

/** Index map of a head-structured axis: new column h·hd + j ← source heads[h]·hd + dims[h][j]. */
function headMap(heads: Int32Array, dims: Int32Array[]): Int32Array {
  const hd = dims[0]?.length ?? 0;
  const out = new Int32Array(heads.length * hd);
  for (let h = 0; h < heads.length; h++)
    for (let j = 0; j < hd; j++) out[h * hd + j] = heads[h] * hd + dims[h][j];
  return out;
}

/** The index map (new → source) of one axis role under `p`; null = unchanged. */
export function roleMap(role: AxisRole, p: TransformerPermutation): Int32Array | null {
  if (!role) return null;
  if (role.kind === 'residual') return p.residual;
  const l = p.layers[role.layer];
  if (role.kind === 'mlp') return l.mlp;
  if (role.kind === 'qk') return headMap(l.heads, l.qkDims);
  return headMap(l.heads, l.voDims);
}

/** Gathers a 1-D or 2-D row-major tensor along its axes: out[i, j] = x[m0[i], m1[j]]. */
export function gatherAxes(
  data: Float32Array,
  shape: readonly number[],
  maps: readonly (Int32Array | null)[],
): Float32Array {
  if (shape.length === 1) {
    const m = maps[0];
    return m ? Float32Array.from(m, (s) => data[s]) : data.slice();
  }
  if (shape.length !== 2) throw new Error(`gatherAxes: rank ${shape.length} is not supported`);
  const [n0, n1] = shape;
  const m0 = maps[0];
  const m1 = maps[1];
  const out = new Float32Array(n0 * n1);
  for (let i = 0; i < n0; i++) {
    const src = (m0 ? m0[i] : i) * n1;
    const dst = i * n1;
    if (m1) for (let j = 0; j < n1; j++) out[dst + j] = data[src + m1[j]];
    else out.set(data.subarray(src, src + n1), dst);
  }
  return out;
}

function checkPermutation(c: ModelConfig, p: TransformerPermutation): void {
  const isPerm = (a: Int32Array, n: number, what: string) => {
    const seen = new Uint8Array(n);
    if (a.length !== n)
      throw new Error(`permutation: ${what} has length ${a.length}, expected ${n}`);
    for (const v of a) {
      if (!(v >= 0 && v < n) || seen[v])
        throw new Error(`permutation: ${what} is not a permutation`);
      seen[v] = 1;
    }
  };
  const hd = c.dModel / c.nHeads;
  const sym = permutationSymmetries(c);
  isPerm(p.residual, c.dModel, 'residual');
  const isIdentity = (a: Int32Array) => a.every((v, i) => v === i);
  if (!sym.residual && !isIdentity(p.residual))
    throw new Error(`permutation: ${sym.notes.find((n) => n.startsWith('residual'))}`);
  if (p.layers.length !== c.nLayers)
    throw new Error(`permutation: ${p.layers.length} layers, expected ${c.nLayers}`);
  p.layers.forEach((l, i) => {
    isPerm(l.mlp, c.dFF, `layer ${i} MLP`);
    isPerm(l.heads, c.nHeads, `layer ${i} heads`);
    if (l.qkDims.length !== c.nHeads || l.voDims.length !== c.nHeads)
      throw new Error(`permutation: layer ${i} needs ${c.nHeads} per-head dimension orders`);
    l.qkDims.forEach((d, h) => isPerm(d, hd, `layer ${i} head ${h} Q/K dims`));
    l.voDims.forEach((d, h) => isPerm(d, hd, `layer ${i} head ${h} V/O dims`));
    if (!sym.qkDims && !l.qkDims.every(isIdentity))
      throw new Error(`permutation: ${sym.notes.find((n) => n.startsWith('Q/K'))}`);
  });
}

/**
 * A copy of `w` with `p` applied (function-preserving; see the file comment). Throws when `p`
 * uses a symmetry the config lacks (a residual permutation with sinusoidal positions, Q/K
 * dimension permutations with RoPE).
 */
export function permuteModel(
  c: ModelConfig,
  w: ModelWeights,
  p: TransformerPermutation,
): ModelWeights {
  checkPermutation(c, p);
  const roles = axisRoles(c);
  const out: ModelWeights = {};
  for (const [name, t] of Object.entries(w)) {
    const r = roles[name];
    if (!r) throw new Error(`permuteModel: unknown parameter '${name}'`);
    const maps = r.map((role) => roleMap(role, p));
    out[name] = { shape: [...t.shape], data: gatherAxes(t.data, t.shape, maps) };
  }
  return out;
}
