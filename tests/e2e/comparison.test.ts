/**
 * Compare experiments in Chromium against `homolab serve`, with two really trained and analysed
 * experiments of different lengths and depths (12 steps, 1 layer; 300 steps, 2 layers): the
 * short one is readable (own x axis per pane, or x as fraction of training), its trajectory is
 * not a dot on the long one's axis, its profile has a gap at the layer it lacks, no y axis runs
 * below the data's floor, the summary fits a 1920 px screen, and eval loss has one name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './browser';
import { chartNumber, openLab, tinySpec, train, type LabFixture } from './lab-fixture';

const missing = chromiumMissing();

describe.skipIf(!!missing)('Compare experiments', () => {
  let f: LabFixture;
  let short: number;
  let long: number;

  beforeAll(async () => {
    f = await openLab({ viewport: { width: 1920, height: 1080 } });
    const measures = ['linear-cka', 'top1-agreement', 'jsd'] as const;
    short = await train(f, 'Short 1-layer', tinySpec({ training: { steps: 12 } }), {
      analyze: [...measures],
    });
    long = await train(
      f,
      'Long 2-layer',
      tinySpec({
        model: { nLayers: 2 },
        training: { steps: 300, checkpointEvery: 75, evalEvery: 75 },
      }),
      { analyze: [...measures] },
    );
  });
  afterAll(async () => {
    await f?.close();
  });

  const pane = (chart: string, id: number) =>
    `[data-testid="${chart}"] .pane[data-experiment="${id}"] .chart-box`;

  it('keeps the 12-step curve readable next to the 300-step one', async () => {
    await f.open(`#/comparison/${short},${long}`);
    const loss = f.page.getByTestId('comparison-loss');
    await loss.waitFor();
    await expect.poll(() => loss.getAttribute('data-overlay')).toBe('false');
    expect(await loss.getAttribute('data-independent-x')).toBe('true');
    await expect
      .poll(() => chartNumber(f.page, pane('comparison-loss', short), 'data-x-max'))
      .toBe(12);
    expect(await chartNumber(f.page, pane('comparison-loss', long), 'data-x-max')).toBe(300);
    expect(
      await chartNumber(f.page, pane('comparison-loss', short), 'data-point-count'),
    ).toBeGreaterThanOrEqual(12);
    // As a fraction of training: one chart, both curves ending at 100%.
    await f.page.getByTestId('x-axis').selectOption('fraction');
    await expect.poll(() => loss.getAttribute('data-overlay')).toBe('true');
    const all = f.page.locator('[data-testid="comparison-loss"] .chart-box');
    await expect
      .poll(() => chartNumber(f.page, '[data-testid="comparison-loss"] .chart-box', 'data-x-max'))
      .toBe(1);
    expect(await all.getAttribute('data-series-labels')).toMatch(/Short 1-layer.*\|Long 2-layer/);
  });

  it('draws the short trajectory on its own steps, and the 1-layer profile with a gap', async () => {
    await f.open(`#/comparison/${short},${long}`);
    await f.page.getByTestId('comparison-trajectory').waitFor();
    expect(await chartNumber(f.page, pane('comparison-trajectory', short), 'data-x-max')).toBe(12);
    expect(await chartNumber(f.page, pane('comparison-trajectory', long), 'data-x-max')).toBe(300);
    // The 1-layer model has no blocks.1: a gap there, not a line through it.
    await f.page.getByTestId('comparison-profile').waitFor();
    expect(
      await chartNumber(f.page, pane('comparison-profile', short), 'data-gap-count'),
    ).toBeGreaterThanOrEqual(1);
    expect(await chartNumber(f.page, pane('comparison-profile', long), 'data-gap-count')).toBe(0);
  });

  it('never puts a y axis below the data’s floor', async () => {
    await f.open(`#/comparison/${short},${long}`);
    await f.page.getByTestId('comparison-profile').waitFor();
    const boxes = await f.page.locator('.panel .chart-box').all();
    expect(boxes.length).toBeGreaterThanOrEqual(6);
    for (const b of boxes)
      expect(Number(await b.getAttribute('data-y-min'))).toBeGreaterThanOrEqual(0);
  });

  it('fits the summary table on a 1920 px screen', async () => {
    await f.open(`#/comparison/${short},${long}`);
    const summary = f.page.getByTestId('comparison-summary');
    await summary.locator('tbody tr').nth(1).waitFor();
    const [table, box, page] = await summary.evaluate((t) => [
      t.scrollWidth,
      (t.parentElement as typeof t).clientWidth,
      t.ownerDocument.documentElement.scrollWidth,
    ]);
    expect(table).toBeLessThanOrEqual(box);
    expect(page).toBeLessThanOrEqual(1920);
  });

  it('names eval loss one way in Compare experiments and in Runs', async () => {
    await f.open(`#/comparison/${short},${long}`);
    const metric = f.page.getByTestId('comparison-metric');
    await metric.waitFor();
    expect(await metric.locator('option').allTextContents()).toEqual([
      'Training loss',
      'Eval loss',
    ]);
    await f.open(`#/runs/${short}`);
    await f.page.getByTestId('metric').waitFor();
    expect(await f.page.getByTestId('metric').locator('option').allTextContents()).toEqual([
      'Training loss',
      'Eval loss',
    ]);
    for (const hash of [`#/comparison/${short},${long}`, `#/runs/${short}`, `#/live/${short}`]) {
      await f.open(hash);
      await f.page.locator('.chart-box').first().waitFor();
      expect(await f.page.locator('main').innerText()).not.toMatch(/eval_loss|evalLoss/);
    }
  });

  it('produced no console errors', () => {
    expect(f.errors).toEqual([]);
  });
});
