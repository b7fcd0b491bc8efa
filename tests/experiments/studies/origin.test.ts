/** A study's experiments say who started it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/store';
import { withOrigin } from '../../../src/experiments/studies/origin';
import type { StudyContext } from '../../../src/experiments/studies/types';

const dir = mkdtempSync(join(tmpdir(), 'homolab-origin-'));
const store = openStore(join(dir, 'lab.sqlite'));
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});
const ctx = (origin?: 'app' | 'cli') =>
  ({ store, scale: 'test', origin }) as unknown as StudyContext;
const spec = {
  name: 'Study: x',
  notes: 'Created by `homolab study seed-convergence --scale test`: the shared base model.',
  dataset: { kind: 'modular' as const },
  training: { steps: 1 },
};

describe('study origin', () => {
  it('names the app or keeps the command in the notes', () => {
    expect(withOrigin(ctx('app'), spec).notes).toBe(
      'Created from the app (study seed-convergence, scale test): the shared base model.',
    );
    expect(withOrigin(ctx(), spec).notes).toBe(spec.notes);
    expect(withOrigin(ctx('cli'), spec)).toBe(spec);
  });
});
