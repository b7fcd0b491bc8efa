import { describe, expect, it } from 'vitest';
import { MEASURES as API_MEASURES } from '../../src/api/measure-names';
import { MEASURES as SPEC_MEASURES } from '../../src/experiments/spec/spec';

describe('the contract’s copy of the analysis measure names', () => {
  it('equals the experiment spec’s list', () => {
    expect([...API_MEASURES]).toEqual([...SPEC_MEASURES]);
  });
});
