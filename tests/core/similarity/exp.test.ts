import { describe, expect, it } from 'vitest';
import { expNonPositive } from '../../../src/core/similarity/exp';
import { itRandom } from './random';

describe('expNonPositive', () => {
  itRandom('is within 2 ulp of Math.exp over the whole non-positive range', (rng) => {
    let worst = 0;
    for (let i = 0; i < 20000; i++) {
      const x = i % 4 === 0 ? -700 * rng.next() : -12 * rng.next();
      const want = Math.exp(x);
      if (want < 1e-300) continue; // subnormal results lose relative precision in both
      worst = Math.max(worst, Math.abs(expNonPositive(x) - want) / want);
    }
    expect(worst).toBeLessThan(5e-16);
  });

  it('handles the ends of its range', () => {
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-0)).toBe(1);
    expect(expNonPositive(-1e-300)).toBe(1);
    expect(expNonPositive(-746)).toBe(0);
    expect(expNonPositive(-1e9)).toBe(0);
    expect(expNonPositive(-700)).toBeCloseTo(Math.exp(-700), 310);
  });
});
