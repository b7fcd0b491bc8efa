/**
 * Weight matching of two Transformers of the same config: find the function-preserving
 * permutation π (see permutation.ts) that makes π(B) closest to A, maximising Σ ⟨θ_A, π(θ_B)⟩
 * over all parameters — equivalently minimising ‖θ_A − π(θ_B)‖₂, since permutations keep norms.
 *
 * Method: Ainsworth, Hayase & Srinivasa 2022, "Git Re-Basin: Merging Models modulo Permutation
 * Symmetries" (ICLR 2023), weight matching (their Algorithm 1): coordinate descent over the
 * permutation groups — the residual stream, each layer's MLP units, each layer's heads — in a
 * seeded random order; each step holds the other groups fixed and solves its group exactly as a
 * linear assignment problem (Hungarian method, ../assignment.ts) on the summed inner products of
 * every weight slice that group indexes. Stops when a full pass changes nothing.
 *
 * Heads are matched as blocks: for every (head of A, head of B) pair, the best order of that
 * pair's dimensions is itself an assignment (Q/K dimensions from W_Q, W_K, b_Q, b_K; V/O
 * dimensions from W_V, b_V and W_O's rows), and the head-level assignment uses those best
 * scores. This extends Git Re-Basin's treatment of attention (which matches heads with fixed
 * dimension order) by the within-head symmetries; without them two seeds' heads rarely match.
 *
 * Each step cannot decrease the objective, so the descent terminates; like the original it
 * finds a local optimum (the problem is NP-hard in general). A permuted copy is matched
 * exactly (aligned distance 0, the inverse permutation recovered) in practice.
 * Cost per pass: O(P·(d + F)/…) for the similarity products (P parameters) plus O(d³ + L·(F³ +
 * H²·hd³ + H³)) for the assignments.
 */
import type { ModelConfig } from '../../model/config';
import { Rng } from '../../rng';
import { linearAssignment } from '../assignment';
import { rowDots } from '../kernels';
import type { ModelWeights, WeightTensor } from './model-weights';
import { checkModelWeights } from './model-weights';
import {
  axisRoles,
  gatherAxes,
  identityPermutation,
  permutationSymmetries,
  roleMap,
  type AxisRole,
  type TransformerPermutation,
} from './permutation';

export interface MatchOptions {
  /** Seed of the random group order (default 0). */
  seed?: number;
  /** Most passes over all groups (default 50). */
  maxPasses?: number;
  /**
   * Independent descents from different random group orders (default 4); the best objective
   * wins. Coordinate descent can stop in a local optimum (measured: about 1 in 9 random
   * permutations of a trained tiny model were not recovered by a single descent); a descent that
   * reaches the Cauchy–Schwarz bound ‖A‖·‖B‖ is a perfect match and ends the search early.
   */
  restarts?: number;
  /** Match dimensions within heads (default true; Q/K dims never under RoPE). */
  headDims?: boolean;
}

export interface MatchResult {
  /** Apply to B: permuteModel(config, B, permutation) ≈ A. */
  permutation: TransformerPermutation;
  /** Passes run (the last one changed nothing unless maxPasses was hit). */
  passes: number;
  converged: boolean;
  /** Σ ⟨θ_A, π(θ_B)⟩ before (identity) and after matching. */
  objectiveBefore: number;
  objectiveAfter: number;
  /** Symmetries used, with notes on those the config lacks. */
  notes: string[];
}

type Group =
  { kind: 'residual' } | { kind: 'mlp'; layer: number } | { kind: 'heads'; layer: number };

/** Slices of a tensor along one axis as contiguous float64 rows: n rows of length len. */
interface AxisRows {
  rows: Float64Array;
  n: number;
  len: number;
}

function axisRows(data: Float32Array, shape: readonly number[], axis: number): AxisRows {
  if (shape.length === 1) return { rows: Float64Array.from(data), n: shape[0], len: 1 };
  const [n0, n1] = shape;
  if (axis === 0) return { rows: Float64Array.from(data), n: n0, len: n1 };
  const t = new Float64Array(n0 * n1);
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) t[j * n0 + i] = data[i * n1 + j];
  return { rows: t, n: n1, len: n0 };
}

const sameRole = (r: AxisRole, kind: string, layer?: number) =>
  !!r && r.kind === kind && (layer === undefined || ('layer' in r && r.layer === layer));

/**
 * Σ over every (parameter, axis) whose role is `kind` (at `layer`) of A's slices · B's slices,
 * with B permuted by `p` on every *other* axis: an n×n matrix S[i, j] = ⟨A unit i, B unit j⟩.
 */
function groupSimilarity(
  roles: Record<string, AxisRole[]>,
  a: ModelWeights,
  b: ModelWeights,
  p: TransformerPermutation,
  kind: 'residual' | 'mlp' | 'qk' | 'vo',
  layer: number | undefined,
  n: number,
): Float64Array {
  const s = new Float64Array(n * n);
  for (const [name, r] of Object.entries(roles)) {
    const axis = r.findIndex((role) => sameRole(role, kind, layer));
    if (axis < 0) continue;
    const ta: WeightTensor = a[name];
    const tb: WeightTensor = b[name];
    const maps = r.map((role, i) => (i === axis ? null : roleMap(role, p)));
    const bp = maps.some((m) => m) ? gatherAxes(tb.data, tb.shape, maps) : tb.data;
    const ra = axisRows(ta.data, ta.shape, axis);
    const rb = axisRows(bp, tb.shape, axis);
    const c = rowDots(ra.rows, ra.n, rb.rows, rb.n, ra.len);
    for (let i = 0; i < s.length; i++) s[i] += c[i];
  }
  return s;
}

function assign(sim: Float64Array, n: number): { map: Int32Array; total: number } {
  const r = linearAssignment({ rows: n, cols: n, data: sim }, true);
  return { map: r.rowToCol, total: r.total };
}

/** Σ ⟨A, π(B)⟩ over all parameters. */
export function permutedInner(
  config: ModelConfig,
  a: ModelWeights,
  b: ModelWeights,
  p: TransformerPermutation,
): number {
  const roles = axisRoles(config);
  let s = 0;
  for (const [name, r] of Object.entries(roles)) {
    const ta = a[name].data;
    const tb = gatherAxes(
      b[name].data,
      b[name].shape,
      r.map((role) => roleMap(role, p)),
    );
    for (let i = 0; i < ta.length; i++) s += ta[i] * tb[i];
  }
  return s;
}

const changed = (x: Int32Array, y: Int32Array) => x.some((v, i) => v !== y[i]);

/** Finds π with π(B) ≈ A by Git Re-Basin weight matching (see the file comment). */
export function matchTransformers(
  config: ModelConfig,
  a: ModelWeights,
  b: ModelWeights,
  opts: MatchOptions = {},
): MatchResult {
  checkModelWeights(config, a, 'model A');
  checkModelWeights(config, b, 'model B');
  const sym = permutationSymmetries(config);
  const headDims = opts.headDims ?? true;
  const qkDims = headDims && sym.qkDims;
  const roles = axisRoles(config);
  const d = config.dModel;
  const H = config.nHeads;
  const hd = d / H;
  const F = config.dFF;
  const groups: Group[] = [];
  if (sym.residual) groups.push({ kind: 'residual' });
  for (let l = 0; l < config.nLayers; l++)
    groups.push({ kind: 'mlp', layer: l }, { kind: 'heads', layer: l });
  const maxPasses = opts.maxPasses ?? 50;
  const restarts = Math.max(1, opts.restarts ?? 4);
  const identity = identityPermutation(config);
  const objectiveBefore = permutedInner(config, a, b, identity);
  const bound =
    Math.sqrt(permutedInner(config, a, a, identity) * permutedInner(config, b, b, identity)) *
    (1 - 1e-9);
  let p = identity;

  const stepHeads = (l: number): boolean => {
    const qk = groupSimilarity(roles, a, b, p, 'qk', l, d);
    const vo = groupSimilarity(roles, a, b, p, 'vo', l, d);
    const block = (sim: Float64Array, ha: number, hb: number) => {
      const m = new Float64Array(hd * hd);
      for (let j = 0; j < hd; j++)
        for (let k = 0; k < hd; k++) m[j * hd + k] = sim[(ha * hd + j) * d + hb * hd + k];
      return m;
    };
    const diag = (m: Float64Array) => {
      let t = 0;
      for (let j = 0; j < hd; j++) t += m[j * hd + j];
      return { map: Int32Array.from({ length: hd }, (_, j) => j), total: t };
    };
    const scores = new Float64Array(H * H);
    const qkBest: Int32Array[] = [];
    const voBest: Int32Array[] = [];
    for (let ha = 0; ha < H; ha++)
      for (let hb = 0; hb < H; hb++) {
        const q = qkDims ? assign(block(qk, ha, hb), hd) : diag(block(qk, ha, hb));
        const v = headDims ? assign(block(vo, ha, hb), hd) : diag(block(vo, ha, hb));
        scores[ha * H + hb] = q.total + v.total;
        qkBest[ha * H + hb] = q.map;
        voBest[ha * H + hb] = v.map;
      }
    const heads = assign(scores, H).map;
    const layer = p.layers[l];
    let any = changed(heads, layer.heads);
    for (let h = 0; h < H; h++) {
      const q = qkBest[h * H + heads[h]];
      const v = voBest[h * H + heads[h]];
      any ||= changed(q, layer.qkDims[h]) || changed(v, layer.voDims[h]);
      layer.qkDims[h] = q;
      layer.voDims[h] = v;
    }
    layer.heads = heads;
    return any;
  };

  const descend = (seed: number) => {
    const rng = new Rng(seed);
    p = identityPermutation(config);
    let passes = 0;
    let converged = false;
    while (passes < maxPasses) {
      passes++;
      let any = false;
      const order = [...groups];
      rng.shuffle(order);
      for (const g of order) {
        if (g.kind === 'residual') {
          const m = assign(groupSimilarity(roles, a, b, p, 'residual', undefined, d), d).map;
          any ||= changed(m, p.residual);
          p.residual = m;
        } else if (g.kind === 'mlp') {
          const m = assign(groupSimilarity(roles, a, b, p, 'mlp', g.layer, F), F).map;
          any ||= changed(m, p.layers[g.layer].mlp);
          p.layers[g.layer].mlp = m;
        } else {
          any = stepHeads(g.layer) || any;
        }
      }
      if (!any) {
        converged = true;
        break;
      }
    }
    return { permutation: p, passes, converged, objective: permutedInner(config, a, b, p) };
  };

  let best = descend(opts.seed ?? 0);
  for (let r = 1; r < restarts && best.objective < bound; r++) {
    const next = descend((opts.seed ?? 0) + r * 0x9e3779b1);
    if (next.objective > best.objective) best = next;
  }
  const notes = [...sym.notes];
  if (!headDims) notes.push('dimensions within heads kept in order (headDims: false)');
  return {
    permutation: best.permutation,
    passes: best.passes,
    converged: best.converged,
    objectiveBefore,
    objectiveAfter: best.objective,
    notes,
  };
}
