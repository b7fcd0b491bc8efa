import { describe, expect } from 'vitest';
import { QrDecomposition, Matrix as MlMatrix, SingularValueDecomposition } from 'ml-matrix';
import { CCA_MIN_RATIO, pwcca, svcca } from '../../../src/core/similarity/cca';
import { centerColumns, type Matrix } from '../../../src/core/similarity/matrix';
import { affine, between, itRandom, randn } from './random';

/** Canonical correlations by Householder QR + SVD (ml-matrix), independent of our EVD route. */
function referenceCorrelations(x: Matrix, y: Matrix): number[] {
  const q = (m: Matrix): MlMatrix => {
    const c = centerColumns(m);
    const ml = new MlMatrix(c.rows, c.cols);
    for (let i = 0; i < c.rows; i++)
      for (let j = 0; j < c.cols; j++) ml.set(i, j, c.data[i * c.cols + j]);
    return new QrDecomposition(ml).orthogonalMatrix.subMatrix(0, c.rows - 1, 0, c.cols - 1);
  };
  const m = q(x).transpose().mmul(q(y));
  return new SingularValueDecomposition(m, { autoTranspose: true }).diagonal.sort((a, b) => b - a);
}

describe('SVCCA and PWCCA (fresh random inputs)', () => {
  itRandom('are 1 under invertible linear maps when N ≫ D', (rng) => {
    const d = between(rng, 2, 10);
    const x = randn(rng, 40 * d, d);
    const m = randn(rng, d, d); // a Gaussian matrix is invertible with probability 1
    for (let i = 0; i < d; i++) m.data[i * d + i] += 3; // keep it well conditioned
    const y = affine(rng, x, m, 1);
    const sv = svcca(x, y, 1);
    const pw = pwcca(x, y);
    expect(sv.value).toBeCloseTo(1, 8);
    expect(pw.value).toBeCloseTo(1, 8);
    expect(sv.warnings).toEqual([]);
    expect(pwcca(y, x).value).toBeCloseTo(1, 8);
  });

  itRandom('canonical correlations match an independent QR-based computation', (rng) => {
    const n = between(rng, 60, 200);
    const x = randn(rng, n, between(rng, 1, 6));
    const y = affine(rng, x, randn(rng, x.cols, between(rng, 1, 6)), 1);
    for (let i = 0; i < y.data.length; i++) y.data[i] += 2 * rng.normal();
    const ours = Array.from(pwcca(x, y).correlations);
    const ref = referenceCorrelations(x, y).slice(0, ours.length);
    for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(ref[i], 9);
    const sv = svcca(x, y, 1);
    expect(sv.value).toBeCloseTo(ref.reduce((a, b) => a + b, 0) / ref.length, 9);
    expect(pwcca(x, y).value).toBeGreaterThanOrEqual(0);
    expect(pwcca(x, y).value).toBeLessThanOrEqual(1 + 1e-12);
  });

  itRandom('SVCCA keeps the fewest directions reaching the variance threshold', (rng) => {
    // Two strong directions and eight weak ones: 99% of the variance lies in the strong two.
    const n = 300;
    const x = randn(rng, n, 10);
    for (let i = 0; i < n; i++) {
      x.data[i * 10] *= 100;
      x.data[i * 10 + 1] *= 100;
    }
    const r = svcca(x, x, 0.99);
    expect(r.keptX).toBe(2);
    expect(r.value).toBeCloseTo(1, 8);
    expect(svcca(x, x, 1).keptX).toBe(10);
  });

  itRandom('rank-deficient inputs are handled (duplicate columns)', (rng) => {
    const x = randn(rng, 100, 3);
    const dup: Matrix = { rows: 100, cols: 6, data: new Float64Array(600) };
    for (let i = 0; i < 100; i++)
      for (let j = 0; j < 6; j++) dup.data[i * 6 + j] = x.data[i * 3 + (j % 3)];
    const r = pwcca(x, dup);
    expect(r.keptY).toBe(3);
    expect(r.value).toBeCloseTo(1, 8);
  });

  itRandom('warn (in the result) when N is not well above D, and saturate at D ≥ N', (rng) => {
    const d = 20;
    const small = svcca(randn(rng, 5 * d, d), randn(rng, 5 * d, d), 1);
    expect(small.warnings.join(' ')).toMatch(/biased upwards/);
    const degenerate = pwcca(randn(rng, d, d), randn(rng, d, d));
    expect(degenerate.warnings.join(' ')).toMatch(/every canonical correlation is 1/);
    expect(svcca(randn(rng, d, d), randn(rng, d, d), 1).value).toBeCloseTo(1, 6);
    expect(
      svcca(randn(rng, CCA_MIN_RATIO * d, d), randn(rng, CCA_MIN_RATIO * d, d)).warnings,
    ).toEqual([]);
  });
});
