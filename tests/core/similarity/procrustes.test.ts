import { describe, expect } from 'vitest';
import { svd } from '../../../src/core/similarity/linalg';
import { centerColumns, type Matrix } from '../../../src/core/similarity/matrix';
import { procrustesDistance } from '../../../src/core/similarity/procrustes';
import { affine, between, itRandom, randn, randomOrthogonal } from './random';

/** min_Q ‖X̂ − ŶQ‖²_F by constructing the optimal Q = U·Vᵀ from the SVD of ŶᵀX̂. */
function directProcrustes(x: Matrix, y: Matrix): number {
  const norm = (m: Matrix): Matrix => {
    const c = centerColumns(m);
    let s = 0;
    for (const v of c.data) s += v * v;
    return { ...c, data: c.data.map((v) => v / Math.sqrt(s)) };
  };
  const a = norm(x);
  const b = norm(y);
  const d = a.cols;
  const m = new Float64Array(d * d); // bᵀa
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let r = 0; r < a.rows; r++) s += b.data[r * d + i] * a.data[r * d + j];
      m[i * d + j] = s;
    }
  const { u, v } = svd({ rows: d, cols: d, data: m });
  let err = 0;
  for (let r = 0; r < a.rows; r++)
    for (let j = 0; j < d; j++) {
      // (b·Q)_rj with Q = U·Vᵀ
      let s = 0;
      for (let i = 0; i < d; i++) {
        let q = 0;
        for (let k = 0; k < d; k++) q += u.data[i * d + k] * v.data[j * d + k];
        s += b.data[r * d + i] * q;
      }
      err += (a.data[r * d + j] - s) ** 2;
    }
  return err;
}

describe('orthogonal Procrustes distance (fresh random inputs)', () => {
  itRandom('is 0 for a rotated, scaled, translated copy', (rng) => {
    const d = between(rng, 1, 25);
    const x = randn(rng, between(rng, 5, 80), d);
    const y = affine(rng, x, randomOrthogonal(rng, d), 0.2 + 5 * rng.next());
    expect(procrustesDistance(x, y)).toBeLessThan(1e-10);
  });

  itRandom('lies in [0, 2], is symmetric and equals min over orthogonal Q', (rng) => {
    const n = between(rng, 4, 40);
    const d = between(rng, 1, 12);
    const x = randn(rng, n, d);
    const y = randn(rng, n, d);
    const p = procrustesDistance(x, y);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(2);
    expect(procrustesDistance(y, x)).toBeCloseTo(p, 12);
    expect(p).toBeCloseTo(directProcrustes(x, y), 10);
  });

  itRandom('its square root satisfies the triangle inequality', (rng) => {
    for (let t = 0; t < 20; t++) {
      const n = between(rng, 4, 30);
      const d = between(rng, 1, 8);
      const a = randn(rng, n, d);
      // Correlated triples make the inequality tight more often than independent draws.
      const b = affine(rng, a, randn(rng, d, d), 1);
      const c = randn(rng, n, d);
      for (let i = 0; i < c.data.length; i++) c.data[i] += b.data[i] * rng.next();
      const ab = Math.sqrt(procrustesDistance(a, b));
      const bc = Math.sqrt(procrustesDistance(b, c));
      const ac = Math.sqrt(procrustesDistance(a, c));
      expect(ac).toBeLessThanOrEqual(ab + bc + 1e-12);
      expect(ab).toBeLessThanOrEqual(ac + bc + 1e-12);
      expect(bc).toBeLessThanOrEqual(ab + ac + 1e-12);
    }
  });

  itRandom('handles different widths (D1 ≠ D2)', (rng) => {
    const x = randn(rng, 30, 6);
    const pad: Matrix = { rows: 30, cols: 9, data: new Float64Array(270) };
    for (let i = 0; i < 30; i++)
      for (let j = 0; j < 6; j++) pad.data[i * 9 + j] = x.data[i * 6 + j];
    expect(procrustesDistance(x, pad)).toBeLessThan(1e-10);
    expect(procrustesDistance(x, randn(rng, 30, 9))).toBeGreaterThan(0.1);
  });
});
