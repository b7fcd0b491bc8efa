/** The runs table's filters: comparisons on numbers, text, a column named in the search box. */
import { describe, expect, it } from 'vitest';
import {
  allColumns,
  compareBy,
  defaultFacts,
  matchesColumn,
  matchesSearch,
} from '../../../renderer/src/runs/run-columns';
import type { RunSummary } from '../../../src/api/types';

const run = (over: Partial<RunSummary>): RunSummary =>
  ({
    id: 1,
    experimentId: 1,
    name: 'dModel=32 initSeed=0',
    status: 'completed',
    axes: { 'model.dModel': 32, initSeed: 0 },
    config: { 'model.dModel': 32, 'model.activation': 'gelu', initSeed: 0 },
    step: 10,
    totalSteps: 10,
    tokensSeen: 320,
    wallTimeMs: 1000,
    finalLoss: 1.5,
    evalLoss: null,
    bestLoss: 1.25,
    tokensPerSec: null,
    meanTokensPerSec: 320,
    etaSec: null,
    error: null,
    batchHash: null,
    backend: 'wasm',
    waitReason: null,
    tags: ['baseline'],
    notes: 'odd spike at step 4',
    ...over,
  }) as RunSummary;

describe('run columns', () => {
  const r = run({});
  const cols = allColumns([r]);
  const col = (id: string) => cols.find((c) => c.id === id)!;

  it('offers the facts and every config field', () => {
    expect(cols.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'finalLoss',
        'bestLoss',
        'tags',
        'config:model.dModel',
        'config:initSeed',
      ]),
    );
  });

  it('filters a column by comparison or text', () => {
    expect(matchesColumn(r, col('finalLoss'), '<2')).toBe(true);
    expect(matchesColumn(r, col('finalLoss'), '>=1.5')).toBe(true);
    expect(matchesColumn(r, col('finalLoss'), '>1.5')).toBe(false);
    expect(matchesColumn(r, col('config:model.activation'), '=GELU')).toBe(true);
    expect(matchesColumn(r, col('config:model.activation'), '!=gelu')).toBe(false);
    expect(matchesColumn(r, col('config:model.activation'), 'el')).toBe(true);
    expect(matchesColumn(r, col('evalLoss'), '<2')).toBe(false);
    expect(matchesColumn(r, col('evalLoss'), '')).toBe(true);
  });

  it('reads `column op value` in the search box, else text in name, tags, notes and axes', () => {
    expect(matchesSearch(r, cols, 'dModel>16')).toBe(true);
    expect(matchesSearch(r, cols, 'model.dModel<32')).toBe(false);
    expect(matchesSearch(r, cols, 'finalLoss<1')).toBe(false);
    expect(matchesSearch(r, cols, 'baseline')).toBe(true);
    expect(matchesSearch(r, cols, 'spike')).toBe(true);
    expect(matchesSearch(r, cols, 'initSeed=0')).toBe(true);
    expect(matchesSearch(r, cols, 'relu')).toBe(false);
  });

  it('sorts numbers numerically with missing values last', () => {
    const a = run({ id: 1, finalLoss: 10 });
    const b = run({ id: 2, finalLoss: 9 });
    const c = run({ id: 3, finalLoss: null });
    expect([a, b, c].sort(compareBy(col('finalLoss'), false)).map((x) => x.id)).toEqual([2, 1, 3]);
    expect([a, b, c].sort(compareBy(col('finalLoss'), true)).map((x) => x.id)).toEqual([1, 2, 3]);
  });

  it("names a fine-tune's parent as the CLI does, and shows the column when a run has one", () => {
    const scratch = run({ parent: null });
    const last = run({ id: 2, parent: { runId: 7, step: null } });
    const at = run({ id: 3, parent: { runId: 7, step: 200 } });
    expect([scratch, last, at].map((x) => col('parent').value(x))).toEqual([
      null,
      'run-7',
      'run-7@200',
    ]);
    expect(defaultFacts([scratch])).not.toContain('parent');
    expect(defaultFacts([scratch, at])).toContain('parent');
  });
});
