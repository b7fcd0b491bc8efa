/**
 * Classical (Torgerson) multidimensional scaling to 2-D: double-centre the squared
 * dissimilarities, take the top two eigenvectors (power iteration with deflation — n is the
 * number of models, tens at most). Missing entries (NaN) are filled with the mean dissimilarity.
 */

export function classicalMds(d: number[][]): {
  points: [number, number][];
  explained: number | null;
} {
  const n = d.length;
  if (n === 0) return { points: [], explained: null };
  if (n === 1) return { points: [[0, 0]], explained: null };
  const finite = d.flat().filter((v, i) => Number.isFinite(v) && Math.floor(i / n) !== i % n);
  const mean = finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : 1;
  const sq = d.map((row, i) =>
    row.map((v, j) => {
      if (i === j) return 0;
      const x = Number.isFinite(v) ? v : Number.isFinite(d[j][i]) ? d[j][i] : mean;
      return x * x;
    }),
  );
  // Symmetrise: stored matrices may only have one triangle.
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) sq[i][j] = sq[j][i] = (sq[i][j] + sq[j][i]) / 2;
  const rowMean = sq.map((r) => r.reduce((a, b) => a + b, 0) / n);
  const all = rowMean.reduce((a, b) => a + b, 0) / n;
  const b = sq.map((r, i) => r.map((v, j) => -0.5 * (v - rowMean[i] - rowMean[j] + all)));
  const trace = b.reduce((s, r, i) => s + Math.max(r[i], 0), 0);
  const vecs: number[][] = [];
  const vals: number[] = [];
  for (let k = 0; k < 2; k++) {
    let v = Array.from({ length: n }, (_, i) => 1 + ((i * 7919 + k * 104729) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < 300; it++) {
      const w = b.map((r) => r.reduce((s, x, j) => s + x * v[j], 0));
      for (let p = 0; p < vecs.length; p++) {
        const dot = w.reduce((s, x, j) => s + x * vecs[p][j], 0);
        for (let j = 0; j < n; j++) w[j] -= dot * vecs[p][j];
      }
      const norm = Math.hypot(...w);
      if (norm < 1e-12) {
        lambda = 0;
        break;
      }
      lambda = norm;
      v = w.map((x) => x / norm);
    }
    // Sign of the Rayleigh quotient tells a negative eigenvalue (non-Euclidean input).
    const bv = b.map((r) => r.reduce((s, x, j) => s + x * v[j], 0));
    const rq = bv.reduce((s, x, j) => s + x * v[j], 0);
    vecs.push(v);
    vals.push(Math.max(rq, 0) || (lambda && rq > 0 ? lambda : 0));
  }
  const points = Array.from({ length: n }, (_, i): [number, number] => [
    vecs[0][i] * Math.sqrt(vals[0]),
    vecs[1][i] * Math.sqrt(vals[1]),
  ]);
  return { points, explained: trace > 0 ? (vals[0] + vals[1]) / trace : null };
}
