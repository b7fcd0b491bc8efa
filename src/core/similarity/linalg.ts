/**
 * Small dense decompositions (SVD, symmetric eigen) on top of `ml-matrix`, converted to and from
 * our row-major `Matrix`. These run on D×D or k×k matrices (D = feature width), never on N×N,
 * so the O(D³) JS implementations are fast enough; the O(N·D²) work goes through `kernels.ts`.
 */
import { Matrix as MlMatrix, SingularValueDecomposition } from 'ml-matrix';
import { crossProduct, rowDots } from './kernels';
import type { Matrix } from './matrix';
import { transpose } from './matrix';
import { tridiagonalQl } from './symmetric-eigen';

function toMl(m: Matrix): MlMatrix {
  const out = new MlMatrix(m.rows, m.cols);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out.set(i, j, m.data[i * m.cols + j]);
  return out;
}

function fromMl(m: MlMatrix): Matrix {
  const rows = m.rows;
  const cols = m.columns;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = m.get(i, j);
  return { rows, cols, data };
}

/**
 * Singular values, descending, min(rows, cols) of them: the largest eigenvalues of the
 * symmetric Jordan–Wielandt matrix [[0, M], [Mᵀ, 0]] (whose eigenvalues are ±σ_i and zeros).
 * Unlike the eigenvalues of MᵀM this does not square the condition number: every σ_i is
 * accurate to ~ε·σ_max, as from an SVD, at a fraction of ml-matrix's SVD cost.
 */
export function singularValuesOf(m: Matrix): Float64Array {
  const r = Math.min(m.rows, m.cols);
  if (r === 0) return new Float64Array(0);
  const n = m.rows + m.cols;
  const s = new Float64Array(n * n);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      s[i * n + m.rows + j] = v;
      s[(m.rows + j) * n + i] = v;
    }
  const { values } = tridiagonalQl(s, n, false);
  values.sort().reverse();
  return Float64Array.from(values.subarray(0, r), (v) => Math.max(0, v));
}

/** Full SVD M = U·diag(s)·Vᵀ with s descending; U is rows×r, V is cols×r, r = min(rows, cols). */
export function svd(m: Matrix): { u: Matrix; s: Float64Array; v: Matrix } {
  const dec = new SingularValueDecomposition(toMl(m), { autoTranspose: true });
  const u = fromMl(dec.leftSingularVectors);
  const v = fromMl(dec.rightSingularVectors);
  const sRaw = dec.diagonal;
  const r = Math.min(m.rows, m.cols);
  // ml-matrix already sorts descending; re-sort defensively and permute the vectors with it.
  const order = Array.from({ length: r }, (_, i) => i).sort((a, b) => sRaw[b] - sRaw[a]);
  return {
    s: Float64Array.from(order, (i) => Math.max(0, sRaw[i])),
    u: pickColumns(u, order),
    v: pickColumns(v, order),
  };
}

/**
 * Eigen-decomposition of a symmetric matrix, eigenvalues descending, vectors as columns
 * (symmetric-eigen.ts: the tred2/tql2 algorithm of ml-matrix on flat arrays, ~10× faster).
 */
export function symmetricEigen(m: Matrix): { values: Float64Array; vectors: Matrix } {
  if (m.rows !== m.cols) throw new Error('symmetricEigen: matrix is not square');
  const n = m.rows;
  const dec = tridiagonalQl(m.data, n, true);
  const vals = dec.values;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => vals[b] - vals[a]);
  return {
    values: Float64Array.from(order, (i) => vals[i]),
    vectors: pickColumns({ rows: n, cols: n, data: dec.vectors }, order),
  };
}

/** The columns `idx` of m, in that order. */
export function pickColumns(m: Matrix, idx: readonly number[]): Matrix {
  const out = new Float64Array(m.rows * idx.length);
  for (let i = 0; i < m.rows; i++)
    for (let c = 0; c < idx.length; c++) out[i * idx.length + c] = m.data[i * m.cols + idx[c]];
  return { rows: m.rows, cols: idx.length, data: out };
}

/**
 * Principal directions of a column-centered N×D matrix X through the eigen-decomposition of
 * XᵀX (D×D), which costs O(N·D²) in the fast kernel instead of an O(N·D²) JS SVD with a large
 * constant. Returns an orthonormal basis U (N×r) of the kept directions (U = X·V·Λ^{-1/2}, the
 * left singular vectors), the singular values, and the number of directions with non-negligible
 * variance.
 *
 * Directions whose variance is below `1e-12·λ_max` are treated as rank deficiency and dropped.
 * Because forming XᵀX squares the condition number, U is re-orthonormalised once (the
 * "CholeskyQR2" idea: U ← U·(UᵀU)^{-1/2}), which restores orthonormality to ~1e-15 for any
 * retained direction.
 *
 * `varianceKept` in (0, 1] keeps the fewest leading directions whose share of the total
 * variance reaches it (SVCCA's first step); 1 keeps every non-negligible direction.
 */
export function principalBasis(
  xc: Matrix,
  varianceKept = 1,
  eigen: { values: Float64Array; vectors: Matrix } = symmetricEigen(crossProduct(xc, xc)),
): { u: Matrix; singularValues: Float64Array; kept: number; rank: number } {
  const { values, vectors } = eigen;
  const lmax = Math.max(values[0] ?? 0, 0);
  let rank = 0;
  while (rank < values.length && values[rank] > 1e-12 * lmax && values[rank] > 0) rank++;
  if (rank === 0) throw new Error('principalBasis: the representation is constant (zero variance)');
  let total = 0;
  for (let i = 0; i < rank; i++) total += values[i];
  let kept = rank;
  if (varianceKept < 1) {
    let acc = 0;
    for (let i = 0; i < rank; i++) {
      acc += values[i];
      if (acc >= varianceKept * total - 1e-15 * total) {
        kept = i + 1;
        break;
      }
    }
  }
  const vk = pickColumns(
    vectors,
    Array.from({ length: kept }, (_, i) => i),
  );
  const sv = Float64Array.from(values.subarray(0, rank), Math.sqrt);
  // U = X V_k diag(1/σ)
  let u = multiplyRowMajor(xc, vk);
  for (let i = 0; i < u.rows; i++) for (let c = 0; c < kept; c++) u.data[i * kept + c] /= sv[c];
  u = reorthonormalise(u);
  return { u, singularValues: sv, kept, rank };
}

/**
 * U·(UᵀU)^{-1/2}: one symmetric re-orthonormalisation pass (keeps the column order/meaning).
 * Skipped when U is already orthonormal to 1e-12 (well-conditioned data, the common case).
 */
function reorthonormalise(u: Matrix): Matrix {
  const g = crossProduct(u, u);
  const k = u.cols;
  let err = 0;
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++)
      err = Math.max(err, Math.abs(g.data[a * k + b] - (a === b ? 1 : 0)));
  if (err < 1e-12) return u;
  const { values, vectors } = symmetricEigen(g);
  // W = V diag(λ^{-1/2}) Vᵀ
  const w = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let c = 0; c < k; c++)
        s += (vectors.data[a * k + c] * vectors.data[b * k + c]) / Math.sqrt(values[c]);
      w[a * k + b] = s;
    }
  return multiplyRowMajor(u, { rows: k, cols: k, data: w });
}

/**
 * A·B for tall A (N×D) and small B (D×k): through the product kernel (rows of A against the
 * columns of B, i.e. the rows of Bᵀ) when large, else row-streaming in JS.
 */
export function multiplyRowMajor(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`multiply: ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`);
  const k = b.cols;
  if (a.rows * a.cols * k >= 1 << 16)
    return { rows: a.rows, cols: k, data: rowDots(a.data, a.rows, transpose(b).data, k, a.cols) };
  const out = new Float64Array(a.rows * k);
  for (let i = 0; i < a.rows; i++) {
    const o = i * k;
    const ai = i * a.cols;
    for (let d = 0; d < a.cols; d++) {
      const x = a.data[ai + d];
      const bd = d * k;
      for (let c = 0; c < k; c++) out[o + c] += x * b.data[bd + c];
    }
  }
  return { rows: a.rows, cols: k, data: out };
}
