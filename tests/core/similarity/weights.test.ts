import { describe, expect, it } from 'vitest';
import { multiply, transpose, type Matrix } from '../../../src/core/similarity/matrix';
import {
  compareFlat,
  flatCosine,
  flatDistance,
  lowRankProductSpectrum,
  ovSpectrum,
  qkSpectrum,
  singularValues,
  splitHeads,
} from '../../../src/core/similarity/weights';
import { between, itRandom, randn, randomOrthogonal } from './random';

function close(a: Float64Array, b: Float64Array, digits: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], digits);
}

describe('weight helpers (fresh random inputs)', () => {
  itRandom('flat distance and cosine over named parameters', (rng) => {
    const a = { w: randn(rng, 3, 4).data, b: randn(rng, 1, 5).data };
    const b = { b: randn(rng, 1, 5).data, w: randn(rng, 3, 4).data }; // key order irrelevant
    let dd = 0;
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (const k of ['w', 'b'] as const)
      for (let i = 0; i < a[k].length; i++) {
        dd += (a[k][i] - b[k][i]) ** 2;
        ab += a[k][i] * b[k][i];
        aa += a[k][i] ** 2;
        bb += b[k][i] ** 2;
      }
    expect(flatDistance(a, b)).toBeCloseTo(Math.sqrt(dd), 12);
    expect(flatCosine(a, b)).toBeCloseTo(ab / Math.sqrt(aa * bb), 12);
    expect(flatDistance(a, a)).toBe(0);
    expect(flatCosine(a, a)).toBeCloseTo(1, 14);
    expect(compareFlat(a, b).normA).toBeCloseTo(Math.sqrt(aa), 12);
    expect(() => flatDistance(a, { w: a.w })).toThrow(/names differ/);
  });

  itRandom('singular values: known diagonal, invariant to orthogonal maps', (rng) => {
    const d = between(rng, 2, 12);
    const diag: Matrix = { rows: d, cols: d, data: new Float64Array(d * d) };
    const s = Float64Array.from({ length: d }, () => rng.next() * 5)
      .sort()
      .reverse();
    for (let i = 0; i < d; i++) diag.data[i * d + i] = s[i];
    const m = multiply(multiply(randomOrthogonal(rng, d), diag), randomOrthogonal(rng, d));
    close(singularValues(m), s, 10);
  });

  itRandom('per-head QK and OV spectra equal the full products and ignore in-head maps', (rng) => {
    const dModel = between(rng, 4, 24);
    const heads = between(rng, 1, 4);
    const dh = between(rng, 1, Math.max(1, Math.floor(dModel / heads)));
    const wq = randn(rng, dModel, heads * dh);
    const wk = randn(rng, dModel, heads * dh);
    const wv = randn(rng, dModel, heads * dh);
    const wo = randn(rng, heads * dh, dModel);
    const q = splitHeads(wq, heads, 'cols');
    const k = splitHeads(wk, heads, 'cols');
    const v = splitHeads(wv, heads, 'cols');
    const o = splitHeads(wo, heads, 'rows');
    expect(q[0].rows).toBe(dModel);
    expect(q[0].cols).toBe(dh);
    expect(o[0].rows).toBe(dh);
    for (let h = 0; h < heads; h++) {
      const full = singularValues(multiply(q[h], transpose(k[h]))).subarray(0, dh);
      const qk = qkSpectrum(q[h], k[h]);
      close(qk, full, 9);
      close(ovSpectrum(v[h], o[h]), singularValues(multiply(v[h], o[h])).subarray(0, dh), 9);
      // W_Q·M, W_K·M⁻ᵀ with M orthogonal·diag (M⁻ᵀ = orthogonal·diag⁻¹) leaves W_Q·W_Kᵀ unchanged.
      const rot = randomOrthogonal(rng, dh);
      const sc = Array.from({ length: dh }, () => 0.5 + rng.next());
      const m1: Matrix = { ...rot, data: rot.data.map((x, i) => x * sc[i % dh]) };
      const m2: Matrix = { ...rot, data: rot.data.map((x, i) => x / sc[i % dh]) };
      close(qkSpectrum(multiply(q[h], m1), multiply(k[h], m2)), qk, 9);
    }
  });

  it('low-rank spectrum falls back to the full product when factors are wide', () => {
    const a: Matrix = { rows: 2, cols: 3, data: Float64Array.from([1, 0, 0, 0, 2, 0]) };
    close(lowRankProductSpectrum(a, a), Float64Array.from([4, 1]), 12);
    expect(() => splitHeads(a, 2, 'cols')).toThrow(/divisible/);
  });
});
