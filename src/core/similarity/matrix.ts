/**
 * The dense matrix type every similarity measure takes: row-major float64, rows = examples.
 *
 * A plain structural type (not a class) so that activations read from `.npy` files, tfjs
 * `dataSync()` output or JSON can be wrapped without copying when they are already float64.
 * Measures never mutate their inputs: every preprocessing step (centering, normalising) copies.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major values, length rows × cols. */
  readonly data: Float64Array;
}

/** Wraps (or copies, when not already float64) `data` as a rows × cols matrix. */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0)
    throw new Error(`matrix: bad shape ${rows}×${cols}`);
  if (data === undefined) return { rows, cols, data: new Float64Array(rows * cols) };
  if (data.length !== rows * cols)
    throw new Error(`matrix: ${data.length} values do not fill a ${rows}×${cols} matrix`);
  return { rows, cols, data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

/** Builds a matrix from an array of equally long rows (the JSON input format of the CLI). */
export function fromRows(rowsIn: ArrayLike<ArrayLike<number>>): Matrix {
  const rows = rowsIn.length;
  const cols = rows > 0 ? rowsIn[0].length : 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = rowsIn[i];
    if (r.length !== cols)
      throw new Error(`fromRows: row ${i} has ${r.length} values, row 0 has ${cols}`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = r[j];
  }
  return { rows, cols, data };
}

/** The rows as plain arrays (for JSON output and tests). */
export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++)
    out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function transpose(m: Matrix): Matrix {
  const { rows, cols, data } = m;
  const t = new Float64Array(rows * cols);
  // Tiled so that both the reads and the writes stay in cache for large matrices.
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++)
        for (let j = j0; j < j1; j++) t[j * rows + i] = data[i * cols + j];
    }
  }
  return { rows: cols, cols: rows, data: t };
}

/** Per-column means. */
export function columnMeans(m: Matrix): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    const o = i * m.cols;
    for (let j = 0; j < m.cols; j++) mean[j] += m.data[o + j];
  }
  for (let j = 0; j < m.cols; j++) mean[j] /= m.rows;
  return mean;
}

/**
 * A copy with every column's mean subtracted (the "H X" of the CKA literature); `mean` may be
 * given when already known (it must be `columnMeans(m)` for a centered result).
 */
export function centerColumns(m: Matrix, mean: Float64Array = columnMeans(m)): Matrix {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const o = i * m.cols;
    for (let j = 0; j < m.cols; j++) out[o + j] = m.data[o + j] - mean[j];
  }
  return { rows: m.rows, cols: m.cols, data: out };
}

/** Squared Frobenius norm of a flat array. */
export function sumSquares(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** A copy scaled by `c`. */
export function scale(m: Matrix, c: number): Matrix {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < out.length; i++) out[i] = m.data[i] * c;
  return { rows: m.rows, cols: m.cols, data: out };
}

/** Plain product A·B (small matrices: weights, tests). */
export function multiply(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`multiply: ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`);
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    const o = i * b.cols;
    for (let k = 0; k < a.cols; k++) {
      const x = a.data[i * a.cols + k];
      if (x === 0) continue;
      const r = k * b.cols;
      for (let j = 0; j < b.cols; j++) out[o + j] += x * b.data[r + j];
    }
  }
  return { rows: a.rows, cols: b.cols, data: out };
}
