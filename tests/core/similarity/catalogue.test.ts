import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  COMPARISON_MEASURE_IDS,
  MEASURE_CATALOGUE,
  MEASURE_IDS,
  OUTPUT_MEASURE_IDS,
  REPRESENTATION_MEASURE_IDS,
} from '../../../src/core/similarity/catalogue';
import { MEASURES as REGISTRY } from '../../../src/core/similarity/registry';
import { MEASURES as SPEC_MEASURES } from '../../../src/experiments/spec/spec';
import { measureInfos } from '../../../src/api/measure-info';

describe('the measure catalogue', () => {
  it('is the list the spec schema, the registry and getOptions use', () => {
    expect([...SPEC_MEASURES]).toEqual([...MEASURE_IDS]);
    expect(Object.keys(REGISTRY).sort()).toEqual([...REPRESENTATION_MEASURE_IDS].sort());
    expect(measureInfos().map((m) => m.id)).toEqual([...MEASURE_IDS]);
    for (const id of REPRESENTATION_MEASURE_IDS)
      expect(REGISTRY[id].title).toBe(MEASURE_CATALOGUE[id].label);
  });

  it('keeps its derived lists inside the catalogue and consistent with the families', () => {
    for (const id of [...OUTPUT_MEASURE_IDS, ...COMPARISON_MEASURE_IDS])
      expect(MEASURE_IDS).toContain(id);
    for (const id of OUTPUT_MEASURE_IDS) expect(MEASURE_CATALOGUE[id].family).toBe('output');
    for (const id of MEASURE_IDS) {
      const c = MEASURE_CATALOGUE[id];
      expect(c.label.length).toBeGreaterThan(0);
      expect(c.short.length).toBeGreaterThan(0);
      if (c.range) expect(c.range[0]).toBeLessThan(c.range[1]);
    }
  });

  it('has every measure documented in docs/measures.md', () => {
    const doc = readFileSync(new URL('../../../docs/measures.md', import.meta.url), 'utf8');
    for (const id of MEASURE_IDS) expect(doc, id).toContain(`\`${id}\``);
  });
});
