import { describe, expect, it } from 'vitest';
import {
  errorConsistency,
  outcomeHomogenization,
} from '../../../src/core/similarity/error-consistency';
import { between, itRandom } from './random';
import type { Rng } from '../../../src/core/rng';

function bernoulli(rng: Rng, n: number, p: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => (rng.next() < p ? 1 : 0));
}

describe('error consistency κ (fresh random inputs)', () => {
  itRandom('κ = 1 for identical correctness, symmetric, ≈ 0 for independent models', (rng) => {
    const n = 4000;
    const a = bernoulli(rng, n, 0.2 + 0.6 * rng.next());
    expect(errorConsistency(a, a)).toBe(1);
    const b = bernoulli(rng, n, 0.2 + 0.6 * rng.next());
    expect(errorConsistency(a, b)).toBeCloseTo(errorConsistency(b, a), 14);
    expect(Math.abs(errorConsistency(a, b))).toBeLessThan(0.08);
    // Opposite correctness: c_obs = 0, c_exp = 2p(1−p), so κ = −2p(1−p)/(1 − 2p(1−p)) < 0.
    const flipped = a.map((v) => 1 - v);
    const p = a.reduce((s, v) => s + v, 0) / n;
    const cExp = 2 * p * (1 - p);
    expect(errorConsistency(a, flipped)).toBeCloseTo(-cExp / (1 - cExp), 12);
  });

  it('matches a hand computation and is NaN when undefined', () => {
    // a = 1100, b = 1010: c_obs = 1/2, p = 1/2 each, c_exp = 1/2 → κ = 0
    expect(errorConsistency([1, 1, 0, 0], [1, 0, 1, 0])).toBe(0);
    // a = 1110, b = 1100: c_obs = 3/4, c_exp = 3/4·1/2 + 1/4·1/2 = 1/2 → κ = 1/2
    expect(errorConsistency([true, true, true, false], [true, true, false, false])).toBeCloseTo(
      0.5,
      14,
    );
    expect(errorConsistency([1, 1, 1], [1, 1, 1])).toBeNaN();
    expect(() => errorConsistency([1, 2], [1, 0])).toThrow(/0\/1/);
  });
});

describe('outcome homogenization H (fresh random inputs)', () => {
  itRandom('H = ε^(1−k) for k identical models with error rate ε', (rng) => {
    const k = between(rng, 2, 8);
    const n = between(rng, 10, 500);
    const model = bernoulli(rng, n, 0.3 + 0.5 * rng.next());
    if (model.every((v) => v === 1)) model[0] = 0;
    const eps = model.reduce((s, v) => s + (1 - v), 0) / n;
    const h = outcomeHomogenization(Array.from({ length: k }, () => model));
    expect(h).toBeCloseTo(eps ** (1 - k), 8);
  });

  itRandom('H ≈ 1 for independent models and 0 with no systemic failure', (rng) => {
    const n = 20000;
    const models = [bernoulli(rng, n, 0.5), bernoulli(rng, n, 0.6), bernoulli(rng, n, 0.4)];
    expect(Math.abs(outcomeHomogenization(models) - 1)).toBeLessThan(0.12);
    expect(
      outcomeHomogenization([
        [0, 1],
        [1, 0],
      ]),
    ).toBe(0);
    expect(
      outcomeHomogenization([
        [1, 1],
        [1, 0],
      ]),
    ).toBeNaN();
    expect(() => outcomeHomogenization([[1, 0]])).toThrow(/at least 2/);
  });
});
