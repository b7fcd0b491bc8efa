/**
 * Linear assignment (minimum-cost perfect matching of rows to columns), the core of permutation
 * matching between models: match neurons (or heads, as blocks) of model B to those of model A by
 * maximising summed similarity.
 *
 * Algorithm: the Hungarian method in its shortest-augmenting-path form with dual potentials
 * (Kuhn 1955; Munkres 1957; the O(n³) formulation of Jonker & Volgenant 1987 / Edmonds & Karp
 * 1972): each of the n rows is added by one Dijkstra-like sweep over the m columns, O(n²·m)
 * total. Rectangular costs (n ≤ m) assign every row to a distinct column; for n > m pass the
 * transpose. Exact for any finite costs (no scaling or epsilon).
 */
import type { Matrix } from './matrix';

export interface Assignment {
  /** rowToCol[i] = column matched to row i. */
  rowToCol: Int32Array;
  /** Sum of the matched entries of the (original, not negated) matrix. */
  total: number;
}

/**
 * Solves min (or max with `maximize`) Σ_i cost[i, rowToCol[i]] over injective assignments.
 * `cost` is n×m with n ≤ m.
 */
export function linearAssignment(cost: Matrix, maximize = false): Assignment {
  const n = cost.rows;
  const m = cost.cols;
  if (n > m) throw new Error(`linearAssignment: ${n} rows > ${m} columns; pass the transpose`);
  for (let i = 0; i < cost.data.length; i++)
    if (!Number.isFinite(cost.data[i])) throw new Error('linearAssignment: non-finite cost');
  const sign = maximize ? -1 : 1;
  const a = (i: number, j: number): number => sign * cost.data[i * m + j];
  // 1-based arrays as in the classical formulation; column 0 is a virtual source.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row matched to column j (0 = none)
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowToCol = new Int32Array(n);
  for (let j = 1; j <= m; j++) if (p[j] !== 0) rowToCol[p[j] - 1] = j - 1;
  let total = 0;
  for (let i = 0; i < n; i++) total += cost.data[i * m + rowToCol[i]];
  return { rowToCol, total };
}
