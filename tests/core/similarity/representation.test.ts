import { describe, expect } from 'vitest';
import { MEASURE_NAMES, computeMeasure } from '../../../src/core/similarity/registry';
import { Representation } from '../../../src/core/similarity/representation';
import { between, itRandom, randn } from './random';

describe('Representation caching (fresh random inputs)', () => {
  itRandom('cached comparisons equal fresh ones, for every measure and option value', (rng) => {
    const n = between(rng, 40, 120);
    const mats = [randn(rng, n, between(rng, 2, 12)), randn(rng, n, between(rng, 2, 12))];
    // Make the second related to the first so values are not all near chance.
    for (let i = 0; i < n; i++)
      mats[1].data[i * mats[1].cols] += 3 * mats[0].data[i * mats[0].cols];
    const reps = mats.map((m) => new Representation(m));
    for (const options of [{}, { k: 3, threshold: 0.3 }, { k: 7, threshold: 0.9 }])
      for (const name of MEASURE_NAMES) {
        const fresh = computeMeasure(name, mats[0], mats[1], options).value;
        // Twice through the same cached objects, in both orders of first use.
        expect(computeMeasure(name, reps[0], reps[1], options).value, name).toBeCloseTo(fresh, 10);
        expect(computeMeasure(name, reps[0], reps[1], options).value, name).toBeCloseTo(fresh, 10);
      }
    reps[0].release();
    expect(computeMeasure('linear-cka', reps[0], reps[1]).value).toBeCloseTo(
      computeMeasure('linear-cka', mats[0], mats[1]).value,
      12,
    );
  });

  itRandom('rejects non-finite values and mismatched examples up front', (rng) => {
    const x = randn(rng, 10, 3);
    x.data[between(rng, 0, 29)] = Number.POSITIVE_INFINITY;
    expect(() => new Representation(x)).toThrow(/non-finite/);
    expect(() => computeMeasure('procrustes', randn(rng, 10, 3), randn(rng, 11, 3))).toThrow(
      /rows are examples/,
    );
  });
});
