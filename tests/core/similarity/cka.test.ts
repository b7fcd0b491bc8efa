import { describe, expect, it } from 'vitest';
import {
  centeredRbfGram,
  ckaFromCenteredGrams,
  debiasedCka,
  linearCka,
  rbfCka,
} from '../../../src/core/similarity/cka';
import { fromRows, type Matrix } from '../../../src/core/similarity/matrix';
import { LOCAL_FIXTURE, SHARED_FIXTURE, loadFixture } from './fixture';
import { affine, between, itRandom, randn, randomOrthogonal } from './random';

/**
 * Independent O(N²) port of Kornblith et al.'s reference `cka(gram_linear(x), gram_linear(y),
 * debiased)` (Gram matrices, `center_gram` with U-centering when debiased), to check the
 * feature-space formulas against.
 */
function referenceLinearCka(x: Matrix, y: Matrix, debiased: boolean): number {
  const n = x.rows;
  const gramOf = (m: Matrix): Float64Array => {
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < m.cols; k++) s += m.data[i * m.cols + k] * m.data[j * m.cols + k];
        g[i * n + j] = s;
      }
    return g;
  };
  const center = (g: Float64Array): Float64Array => {
    const c = Float64Array.from(g);
    if (debiased) {
      for (let i = 0; i < n; i++) c[i * n + i] = 0;
      const means = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += c[i * n + j];
        means[j] = s / (n - 2);
      }
      let tot = 0;
      for (let j = 0; j < n; j++) tot += means[j];
      for (let j = 0; j < n; j++) means[j] -= tot / (2 * (n - 1));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[i * n + j] -= means[i] + means[j];
      for (let i = 0; i < n; i++) c[i * n + i] = 0;
    } else {
      const means = new Float64Array(n);
      let tot = 0;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += c[i * n + j];
        means[j] = s / n;
        tot += s / n;
      }
      tot /= n;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) c[i * n + j] += tot - means[i] - means[j];
    }
    return c;
  };
  const k = center(gramOf(x));
  const l = center(gramOf(y));
  let kl = 0;
  let kk = 0;
  let ll = 0;
  for (let i = 0; i < k.length; i++) {
    kl += k[i] * l[i];
    kk += k[i] * k[i];
    ll += l[i] * l[i];
  }
  return kl / Math.sqrt(kk * ll);
}

describe('published reference values (Kornblith et al. 2019 notebook)', () => {
  const local = loadFixture(LOCAL_FIXTURE);
  it('the project copy of the fixture exists', () => expect(local).toBeDefined());
  const cases = [
    ['tests/fixtures copy', local],
    ['../shared/fixtures original', loadFixture(SHARED_FIXTURE)],
  ] as const;
  for (const [where, f] of cases) {
    it.skipIf(f === undefined)(
      `reproduces linear, debiased and RBF CKA (${where}${f === undefined ? ': not present here, skipped' : ''})`,
      () => {
        const x = fromRows(f!.X);
        const y = fromRows(f!.Y);
        const tol = f!.tolerance;
        expect(Math.abs(linearCka(x, y) - f!.expected.linear_cka)).toBeLessThan(tol);
        expect(Math.abs(linearCka(x, y, 'gram') - f!.expected.linear_cka)).toBeLessThan(tol);
        expect(Math.abs(debiasedCka(x, y) - f!.expected.debiased_linear_cka)).toBeLessThan(tol);
        expect(Math.abs(debiasedCka(x, y, 'gram') - f!.expected.debiased_linear_cka)).toBeLessThan(
          tol,
        );
        expect(Math.abs(rbfCka(x, y, 0.5) - f!.expected['rbf_cka_threshold_0.5'])).toBeLessThan(
          tol,
        );
      },
    );
  }
  it.skipIf(cases.some(([, f]) => f === undefined))('the copy matches the shared original', () => {
    expect(cases[0][1]).toEqual(cases[1][1]);
  });
});

describe('linear and debiased CKA properties (fresh random inputs)', () => {
  itRandom('CKA(X, X) = 1 for both estimators and both strategies', (rng) => {
    const x = randn(rng, between(rng, 8, 60), between(rng, 1, 40));
    for (const s of ['features', 'gram'] as const) {
      expect(linearCka(x, x, s)).toBeCloseTo(1, 12);
      expect(debiasedCka(x, x, s)).toBeCloseTo(1, 12);
    }
  });

  itRandom('CKA(X, c·X·Q + b) = 1 for orthogonal Q, scale c and translation b', (rng) => {
    const d = between(rng, 2, 30);
    const x = randn(rng, between(rng, 10, 80), d);
    const y = affine(rng, x, randomOrthogonal(rng, d), 0.1 + 10 * rng.next());
    expect(linearCka(x, y)).toBeCloseTo(1, 10);
    expect(debiasedCka(x, y)).toBeCloseTo(1, 10);
    expect(rbfCka(x, y)).toBeCloseTo(1, 10);
  });

  itRandom('symmetric, in range, and feature space = Gram = reference implementation', (rng) => {
    const n = between(rng, 5, 50);
    const x = randn(rng, n, between(rng, 1, 30));
    const y = randn(rng, n, between(rng, 1, 30));
    const lin = linearCka(x, y);
    const deb = debiasedCka(x, y);
    expect(lin).toBeGreaterThanOrEqual(0);
    expect(lin).toBeLessThanOrEqual(1);
    expect(linearCka(y, x)).toBeCloseTo(lin, 12);
    expect(debiasedCka(y, x)).toBeCloseTo(deb, 12);
    expect(rbfCka(y, x)).toBeCloseTo(rbfCka(x, y), 12);
    expect(linearCka(x, y, 'gram')).toBeCloseTo(lin, 12);
    expect(debiasedCka(x, y, 'gram')).toBeCloseTo(deb, 12);
    expect(lin).toBeCloseTo(referenceLinearCka(x, y, false), 11);
    expect(deb).toBeCloseTo(referenceLinearCka(x, y, true), 11);
  });

  itRandom('debiasing removes the upward bias of linear CKA on independent wide inputs', (rng) => {
    // N = 40 examples, D = 200 features each, independent: biased CKA is far above 0.
    const x = randn(rng, 40, 200);
    const y = randn(rng, 40, 200);
    expect(linearCka(x, y)).toBeGreaterThan(0.5);
    expect(Math.abs(debiasedCka(x, y))).toBeLessThan(0.25); // ~0.035 sd; 300 draws never passed 0.11
  });

  it('rejects mismatched examples and non-finite values clearly', () => {
    const x = fromRows([
      [1, 2],
      [3, 4],
      [5, 7],
    ]);
    expect(() => linearCka(x, fromRows([[1], [2]]))).toThrow(/rows are examples/);
    expect(() => linearCka(x, fromRows([[1], [NaN], [3]]))).toThrow(/non-finite/);
    expect(() => debiasedCka(x, x)).toThrow(/at least 4/);
  });
});

describe('RBF CKA', () => {
  itRandom('centered Gram has zero row sums and unit-free bandwidth (scale invariance)', (rng) => {
    const x = randn(rng, between(rng, 5, 40), between(rng, 1, 10));
    const n = x.rows;
    const k = centeredRbfGram(x, 0.5);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += k[i * n + j];
      expect(Math.abs(s)).toBeLessThan(1e-10);
    }
    const scaled: Matrix = { rows: n, cols: x.cols, data: x.data.map((v) => v * 7.5) };
    expect(ckaFromCenteredGrams(k, centeredRbfGram(scaled, 0.5))).toBeCloseTo(1, 10);
  });

  itRandom('tracks a nonlinear relation better than chance', (rng) => {
    const x = randn(rng, 60, 3);
    const y: Matrix = { rows: 60, cols: 3, data: x.data.map((v) => Math.tanh(2 * v)) };
    const related = rbfCka(x, y, 0.5);
    const independent = rbfCka(x, randn(rng, 60, 3), 0.5);
    expect(related).toBeGreaterThan(0.6);
    expect(independent).toBeLessThan(0.5);
    expect(related - independent).toBeGreaterThan(0.3);
  });
});
