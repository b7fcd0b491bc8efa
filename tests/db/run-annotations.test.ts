/** Run tags and notes (schema v4) and the best value of a metric. */
import { afterAll, describe, expect, it } from 'vitest';
import { openTemp, tempDir } from './helpers';

const t = tempDir();
afterAll(() => t.cleanup());

describe('run tags and notes', () => {
  it('start empty, are replaced independently, survive reopening and any status', () => {
    const s = openTemp(t);
    const e = s.experiments.create({ name: 'e', spec: {} });
    const r = s.runs.create({
      experimentId: e.id,
      name: 'a',
      variant: {},
      initSeed: 0,
      dataSeed: 0,
    });
    expect([r.tags, r.notes]).toEqual([[], '']);
    s.runs.annotate(r.id, { tags: ['baseline', 'lr 3e-4'] });
    s.runs.annotate(r.id, { notes: 'diverged once at step 40' });
    s.runs.transition(r.id, 'cancelled');
    s.runs.annotate(r.id, { tags: ['baseline'] });
    s.close();
    const again = openTemp(t);
    const back = again.runs.require(r.id);
    expect([back.tags, back.notes, back.status]).toEqual([
      ['baseline'],
      'diverged once at step 40',
      'cancelled',
    ]);
    again.close();
  });
});

describe('metrics.best', () => {
  it('is the smallest finite value, skipping NaN and ±Infinity', () => {
    const s = openTemp(t, 'best.db');
    const e = s.experiments.create({ name: 'e', spec: {} });
    const r = s.runs.create({
      experimentId: e.id,
      name: 'a',
      variant: {},
      initSeed: 0,
      dataSeed: 0,
    });
    expect(s.metrics.best(r.id, 'loss')).toBeUndefined();
    const values = [3, -Infinity, 1.5, NaN, 2, Infinity, 1.5];
    s.metrics.insert(
      values.map((value, i) => ({
        runId: r.id,
        name: 'loss',
        step: i,
        tokens: i * 10,
        wallMs: i,
        value,
      })),
    );
    expect(s.metrics.best(r.id, 'loss')).toMatchObject({ step: 2, value: 1.5, tokens: 20 });
    s.close();
  });
});
