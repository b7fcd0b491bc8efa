import { describe, expect } from 'vitest';
import { linearAssignment } from '../../../src/core/similarity/assignment';
import type { Matrix } from '../../../src/core/similarity/matrix';
import { between, itRandom, randn } from './random';

/** Best total over all injective row→column maps, by enumeration. */
function bruteForce(c: Matrix, maximize: boolean): number {
  let best = maximize ? -Infinity : Infinity;
  const used = new Array<boolean>(c.cols).fill(false);
  const go = (i: number, acc: number): void => {
    if (i === c.rows) {
      best = maximize ? Math.max(best, acc) : Math.min(best, acc);
      return;
    }
    for (let j = 0; j < c.cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      go(i + 1, acc + c.data[i * c.cols + j]);
      used[j] = false;
    }
  };
  go(0, 0);
  return best;
}

describe('linear assignment (fresh random inputs)', () => {
  itRandom('matches brute force on small square and rectangular matrices', (rng) => {
    for (let t = 0; t < 40; t++) {
      const n = between(rng, 1, 6);
      const m = between(rng, n, 7);
      const c = randn(rng, n, m);
      if (t % 3 === 0) for (let i = 0; i < c.data.length; i++) c.data[i] = rng.int(4); // ties
      for (const maximize of [false, true]) {
        const r = linearAssignment(c, maximize);
        expect(new Set(r.rowToCol).size).toBe(n);
        let total = 0;
        for (let i = 0; i < n; i++) total += c.data[i * m + r.rowToCol[i]];
        expect(r.total).toBeCloseTo(total, 12);
        expect(r.total).toBeCloseTo(bruteForce(c, maximize), 10);
      }
    }
  });

  itRandom('recovers a hidden permutation from noisy similarities', (rng) => {
    const n = between(rng, 20, 120);
    const perm = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i)) as Int32Array;
    const sim = randn(rng, n, n);
    for (let i = 0; i < n; i++) sim.data[i * n + perm[i]] += 10;
    expect(Array.from(linearAssignment(sim, true).rowToCol)).toEqual(Array.from(perm));
  });

  itRandom('rejects more rows than columns', (rng) => {
    expect(() => linearAssignment(randn(rng, 3, 2))).toThrow(/transpose/);
  });
});
