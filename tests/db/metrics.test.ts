import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../db/store';
import type { MetricPoint, SeriesBucket } from '../../db/types';
import { Rng } from '../../src/core/rng';
import { openTemp, tempDir, type TempDir } from './helpers';

let t: TempDir;
let s: Store;
let runId: number;
let other: number;
/** The points written to 'loss' of runId, by step. */
const truth: MetricPoint[] = [];

beforeAll(() => {
  t = tempDir();
  s = openTemp(t);
  const e = s.experiments.create({ name: 'e', spec: {} });
  runId = s.runs.create({
    experimentId: e.id,
    name: 'a',
    variant: {},
    initSeed: 1,
    dataSeed: 1,
  }).id;
  other = s.runs.create({
    experimentId: e.id,
    name: 'b',
    variant: {},
    initSeed: 2,
    dataSeed: 1,
  }).id;
  const rng = new Rng(42);
  const w = s.metrics.writer({ batchSize: 333 });
  let step = 5;
  for (let i = 0; i < 5000; i++) {
    step += 1 + rng.int(4); // gaps, so buckets hold uneven counts
    let value = Math.exp(-i / 800) + rng.normal() * 0.05;
    if (i % 997 === 0) value = NaN;
    if (i === 1234) value = Infinity;
    if (i === 2345) value = -Infinity;
    const p = { runId, name: 'loss', step, tokens: step * 64, wallMs: step * 3.25, value };
    truth.push(p);
    w.add(p);
    w.add({ ...p, runId: other, value: -value });
    w.add({ ...p, name: 'lr', value: 0.001 });
  }
  w.flush();
});
afterAll(() => {
  s.close();
  t.cleanup();
});

/** Brute-force reference of the documented bucketing. */
function reference(points: MetricPoint[], buckets: number): SeriesBucket[] {
  if (!points.length) return [];
  const lo = points[0].step;
  const hi = points[points.length - 1].step;
  const span = hi - lo + 1;
  const map = new Map<number, MetricPoint[]>();
  for (const p of points) {
    const b = Math.floor(((p.step - lo) * buckets) / span);
    map.set(b, [...(map.get(b) ?? []), p]);
  }
  return [...map.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([bucket, ps]) => {
      const vals = ps.map((p) => p.value).filter((v) => !Number.isNaN(v));
      const last = ps[ps.length - 1];
      return {
        bucket,
        firstStep: ps[0].step,
        lastStep: last.step,
        count: ps.length,
        min: vals.length ? Math.min(...vals) : NaN,
        max: vals.length ? Math.max(...vals) : NaN,
        last: last.value,
        lastTokens: last.tokens,
        lastWallMs: last.wallMs,
      };
    });
}

describe('metrics', () => {
  it('stores batches and reads full series exactly, NaN and ±Infinity included', () => {
    expect(s.metrics.count(runId)).toBe(10_000);
    const ser = s.metrics.series(runId, 'loss');
    expect(ser.steps).toEqual(truth.map((p) => p.step));
    expect(ser.tokens).toEqual(truth.map((p) => p.tokens));
    expect(ser.wallMs).toEqual(truth.map((p) => p.wallMs));
    expect(ser.values).toEqual(truth.map((p) => p.value)); // toEqual treats NaN as equal
    expect(ser.values.filter((v) => Number.isNaN(v)).length).toBe(6);
    const sv = s.metrics.series(runId, 'loss', {
      stepsAndValuesOnly: true,
      fromStep: 100,
      toStep: 200,
    });
    const want = truth.filter((p) => p.step >= 100 && p.step <= 200);
    expect(sv.steps).toEqual(want.map((p) => p.step));
    expect(sv.tokens).toBeUndefined();
    expect(s.metrics.names(runId)).toEqual(['loss', 'lr']);
    expect(s.metrics.series(runId, 'nope').steps).toEqual([]);
    expect(s.metrics.last(runId, 'loss')).toEqual(truth[truth.length - 1]);
  });

  it('downsamples exactly like a brute-force reference', () => {
    for (const buckets of [1, 2, 7, 100, 1000, 4999, 100_000]) {
      const got = s.metrics.downsample(runId, 'loss', buckets);
      expect(got.points).toBe(truth.length);
      expect(got.buckets).toEqual(reference(truth, buckets));
      expect(got.buckets.length).toBeLessThanOrEqual(buckets);
    }
    const from = truth[1000].step + 1;
    const to = truth[3000].step;
    const sub = truth.filter((p) => p.step >= from && p.step <= to);
    expect(s.metrics.downsample(runId, 'loss', 64, { fromStep: from, toStep: to }).buckets).toEqual(
      reference(sub, 64),
    );
    const neg = s.metrics.downsample(other, 'loss', 50);
    expect(neg.buckets).toEqual(
      reference(
        truth.map((p) => ({ ...p, runId: other, value: -p.value })),
        50,
      ),
    );
    expect(s.metrics.downsample(runId, 'nope', 10)).toEqual({
      runId,
      name: 'nope',
      buckets: [],
      points: 0,
    });
    expect(() => s.metrics.downsample(runId, 'loss', 0)).toThrow(/positive integer/);
  });

  it('keeps the last write of a duplicate step and discards after a step', () => {
    const e = s.experiments.create({ name: 'd', spec: {} });
    const r = s.runs.create({
      experimentId: e.id,
      name: 'd',
      variant: {},
      initSeed: 1,
      dataSeed: 1,
    }).id;
    s.metrics.insert([
      { runId: r, name: 'x', step: 1, tokens: 1, wallMs: 1, value: 1 },
      { runId: r, name: 'x', step: 2, tokens: 2, wallMs: 2, value: 2 },
      { runId: r, name: 'x', step: 2, tokens: 2, wallMs: 2, value: 20 },
      { runId: r, name: 'x', step: 3, tokens: 3, wallMs: 3, value: 3 },
    ]);
    expect(s.metrics.series(r, 'x').values).toEqual([1, 20, 3]);
    expect(s.metrics.discardAfter(r, 1)).toBe(2);
    expect(s.metrics.series(r, 'x').steps).toEqual([1]);
  });

  it('rejects malformed points without writing any of the batch', () => {
    const before = s.metrics.count();
    expect(() =>
      s.metrics.insert([
        { runId, name: 'new-metric', step: 1e9, tokens: 0, wallMs: 0, value: 1 },
        { runId, name: 'loss', step: 1.5, tokens: 0, wallMs: 0, value: 1 },
      ]),
    ).toThrow(/step 1.5 not an integer/);
    expect(s.metrics.count()).toBe(before);
    expect(() =>
      s.metrics.insert([{ runId: 99_999, name: 'loss', step: 1, tokens: 0, wallMs: 0, value: 1 }]),
    ).toThrow(/FOREIGN KEY/);
  });
});
