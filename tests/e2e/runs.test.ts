/**
 * The runs table and the experiments list in Chromium against `homolab serve`, on runs given
 * loss curves directly (no training): filters drive the chart, the counter and the config diff;
 * sort and filter on any column; group by a config field; a hyperparameter column from the
 * picker; a 3e-4 loss on a log scale; x as fraction of training; tags and notes; exporting the
 * shown runs says what it wrote and where; the experiments list sorted and searched by final
 * loss.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './browser';
import { chartNumber, completeWithCurves, openLab, tinySpec, type LabFixture } from './lab-fixture';

const missing = chromiumMissing();
const CHART = '.chart-box';

describe.skipIf(!!missing)('Runs', () => {
  let f: LabFixture;
  let widthSweep: number;
  let flat: number;

  beforeAll(async () => {
    f = await openLab();
    const e = await f.call('createExperiment', {
      name: 'Width sweep',
      spec: tinySpec({ axes: { grid: { initSeed: [0, 1], 'model.dModel': [16, 32] } } }),
      start: false,
    });
    widthSweep = e.id;
    // Run k: loss falling from ~3 to ~3e-4 over 100 steps; later runs a little higher.
    completeWithCurves(f, widthSweep, (k) =>
      Array.from({ length: 100 }, (_, i) => 3 * Math.exp(-i / 10) * (1 + 0.1 * k) + 3e-4),
    );
    const g = await f.call('createExperiment', {
      name: 'Flat baseline',
      spec: tinySpec(),
      start: false,
    });
    flat = g.id;
    completeWithCurves(f, flat, () => Array.from({ length: 12 }, () => 2.5));
  });
  afterAll(async () => {
    await f?.close();
  });

  const rows = () => f.page.getByTestId('runs-table').locator('tbody tr[data-run]');
  const series = async () =>
    ((await f.page.locator(CHART).first().getAttribute('data-series-labels')) ?? '')
      .split('|')
      .filter(Boolean)
      .sort();

  it('lets the filter drive the chart, the counter and the config diff', async () => {
    await f.open(`#/runs/${widthSweep}`);
    await expect.poll(() => rows().count()).toBe(4);
    await expect.poll(series).toHaveLength(4);
    await f.page.getByTestId('run-filter').fill('dModel=32');
    await expect.poll(() => rows().count()).toBe(2);
    await expect.poll(series).toEqual(['initSeed=0 dModel=32', 'initSeed=1 dModel=32']);
    expect(await f.page.getByTestId('run-counter').textContent()).toBe('2 / 4 shown');
    // Only the seed differs between the two shown runs.
    const diff = f.page.getByTestId('config-diff').locator('tbody th');
    await expect.poll(() => diff.allTextContents()).toEqual(['initSeed']);
  });

  it('sorts and filters on any column and groups by a config field', async () => {
    await f.open(`#/runs/${widthSweep}`);
    await expect.poll(() => rows().count()).toBe(4);
    await f.page.locator('[data-sort="finalLoss"]').click();
    await f.page.locator('[data-sort="finalLoss"]').click();
    // Highest final loss first: the last run (k = 3).
    await expect
      .poll(() => rows().first().locator('[data-column="name"]').textContent())
      .toContain('initSeed=1 dModel=32');
    await f.page.locator('[data-filter="config:model.dModel"]').fill('>16');
    await expect.poll(() => rows().count()).toBe(2);
    await f.page.locator('[data-filter="config:model.dModel"]').fill('');
    await f.page.getByTestId('group-by').selectOption('model.dModel');
    // Groups in the order of the sorted table (highest final loss first).
    await expect
      .poll(() => f.page.getByTestId('group-row').allTextContents())
      .toEqual([
        expect.stringContaining('dModel=32 · n=2'),
        expect.stringContaining('dModel=16 · n=2'),
      ]);
    await expect.poll(series).toEqual(['dModel=16 (n=2)', 'dModel=32 (n=2)']);
    expect(await chartNumber(f.page, CHART, 'data-series-count')).toBe(2);
    expect(Number(await f.page.locator(CHART).first().getAttribute('data-band-count'))).toBe(2);
  });

  it('shows any hyperparameter through the column picker', async () => {
    await f.open(`#/runs/${widthSweep}`);
    await rows().first().waitFor();
    expect(await f.page.locator('th[data-column="config:training.lr"]').count()).toBe(0);
    await f.page.getByTestId('column-picker').locator('summary').click();
    await f.page.locator('[data-column="config:training.lr"] input').check();
    await f.page.locator('th[data-column="config:training.lr"]').waitFor();
    expect(await rows().first().locator('td[data-column="config:training.lr"]').textContent()).toBe(
      '0.003',
    );
    await f.page.getByTestId('column-picker').getByRole('button').click();
  });

  it('draws a loss of 3e-4 on a log scale, and x as fraction of training', async () => {
    await f.open(`#/runs/${widthSweep}`);
    await rows().first().waitFor();
    await f.page.getByTestId('smoothing').fill('0');
    await f.page.getByTestId('log-y').check();
    const chart = f.page.locator(CHART).first();
    await expect.poll(() => chart.getAttribute('data-y-scale')).toBe('logarithmic');
    await expect.poll(() => chartNumber(f.page, CHART, 'data-y-min')).toBeLessThan(1e-3);
    expect(await chartNumber(f.page, CHART, 'data-y-min')).toBeGreaterThan(0);
    await f.page.getByTestId('x-axis').selectOption('fraction');
    // 100 logged steps of a 12-step spec: the curve ends at 100 / 12 of the planned training.
    await expect.poll(() => chartNumber(f.page, CHART, 'data-x-max')).toBeGreaterThan(8);
  });

  it('keeps tags and notes on runs, and filters by tag', async () => {
    await f.open(`#/runs/${widthSweep}`);
    const first = rows().first();
    await first.waitFor();
    await first.locator('[data-action="tags"]').click();
    await f.page.getByRole('dialog').locator('input').fill('baseline, lr-sweep');
    await f.page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => first.locator('.tag').allTextContents())
      .toEqual(['baseline', 'lr-sweep']);
    await first.locator('[data-action="notes"]').click();
    await f.page.getByRole('dialog').locator('textarea').fill('diverged once, restarted');
    await f.page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => first.locator('.run-notes').textContent())
      .toBe('diverged once, restarted');
    await f.page.getByTestId('run-filter').fill('baseline');
    await expect.poll(() => rows().count()).toBe(1);
  });

  it('exports the shown runs and says what it wrote and where', async () => {
    await f.open(`#/runs/${widthSweep}`);
    await rows().first().waitFor();
    await f.page.getByTestId('run-filter').fill('dModel=16');
    await expect.poll(() => rows().count()).toBe(2);
    const [download] = await Promise.all([
      f.page.waitForEvent('download'),
      f.page.getByTestId('export-shown').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(await f.page.getByTestId('export-result').textContent()).toMatch(
      new RegExp(
        `Wrote ${download.suggestedFilename().replace('.', '\\.')} \\(.*2 run\\(s\\)\\) to your browser’s downloads folder`,
      ),
    );
  });

  it('sorts and searches the experiments list, with final loss', async () => {
    await f.open('#/experiments');
    const list = f.page.getByTestId('experiments-table').locator('tbody tr');
    await expect.poll(() => list.count()).toBe(2);
    await f.page.locator('[data-sort="finalLoss"]').click();
    expect(await list.first().getAttribute('data-experiment')).toBe(String(widthSweep));
    expect(await list.nth(1).getByTestId('experiment-final-loss').textContent()).toBe('2.5');
    await f.page.locator('[data-sort="finalLoss"]').click();
    expect(await list.first().getAttribute('data-experiment')).toBe(String(flat));
    await f.page.getByTestId('experiment-search').fill('width');
    await expect.poll(() => list.count()).toBe(1);
  });

  it('produced no console errors', () => {
    expect(f.errors).toEqual([]);
  });
});
