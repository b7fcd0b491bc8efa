import { describe, expect, it } from 'vitest';
import {
  MEASURES,
  MEASURE_NAMES,
  computeMeasure,
  isMeasureName,
} from '../../../src/core/similarity/registry';
import { itRandom, randn } from './random';

describe('measure registry', () => {
  it('covers exactly the CLI names, each fully documented', () => {
    expect(Object.keys(MEASURES).sort()).toEqual([...MEASURE_NAMES].sort());
    expect([...MEASURE_NAMES]).toEqual([
      'linear-cka',
      'debiased-cka',
      'rbf-cka',
      'procrustes',
      'mutual-knn',
      'svcca',
      'pwcca',
    ]);
    for (const name of MEASURE_NAMES) {
      const m = MEASURES[name];
      expect(m.name).toBe(name);
      for (const field of [
        'title',
        'formula',
        'preprocessing',
        'invariances',
        'cost',
        'reference',
      ] as const)
        expect(m[field].length, `${name}.${field}`).toBeGreaterThan(3);
      expect(m.range[0]).toBeLessThan(m.range[1]);
    }
    expect(isMeasureName('pwcca')).toBe(true);
    expect(isMeasureName('cosine')).toBe(false);
  });

  itRandom('every measure gives its identity value on identical inputs', (rng) => {
    const x = randn(rng, 200, 8);
    for (const name of MEASURE_NAMES) {
      const r = computeMeasure(name, x, x);
      expect(r.measure).toBe(name);
      const identity = MEASURES[name].direction === 'similarity' ? 1 : 0;
      expect(r.value, name).toBeCloseTo(identity, 8);
      expect(r.warnings, name).toEqual([]);
    }
  });

  itRandom('options reach the measures and warnings come back with the value', (rng) => {
    const x = randn(rng, 30, 20);
    const y = randn(rng, 30, 20);
    expect(computeMeasure('mutual-knn', x, y, { k: 3 }).value).not.toBe(
      computeMeasure('mutual-knn', x, y, { k: 10 }).value,
    );
    expect(computeMeasure('rbf-cka', x, y, { threshold: 0.2 }).value).not.toBe(
      computeMeasure('rbf-cka', x, y).value,
    );
    const cca = computeMeasure('svcca', x, y, { threshold: 0.9 });
    expect(cca.warnings.join(' ')).toMatch(/N = 30 examples and D = 20/);
    const wide = computeMeasure('linear-cka', x, randn(rng, 30, 50));
    expect(wide.warnings.join(' ')).toMatch(/N < D/);
    expect(() => computeMeasure('cosine', x, y)).toThrow(/unknown measure 'cosine'/);
    expect(() => computeMeasure('mutual-knn', x, y, { k: 30 })).toThrow(/k must be/);
  });
});
