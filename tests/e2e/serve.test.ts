/**
 * The app in Chromium against a real `homolab serve` (real store, real training worker): create
 * a tiny seed sweep from the UI, watch it train, compare, open similarity, export CSV and read it
 * back, import files. Screenshots of each view go to test-results/screenshots/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type Served } from '../../src/server';
import { chromiumMissing, launchChromium, screenshot, watchErrors } from './browser';
import { parseCsv } from './csv';

const missing = chromiumMissing();
if (missing) console.warn(`e2e skipped: ${missing}`);

describe.skipIf(!!missing)('homolab serve in Chromium', () => {
  let dir: string;
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let experimentId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'homolab-e2e-'));
    served = await startServer({ dbPath: join(dir, 'lab.sqlite'), backend: 'wasm', log: () => {} });
    browser = await launchChromium();
    context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1360, height: 900 },
      locale: 'en-US',
    });
    page = await context.newPage();
    errors = watchErrors(page);
    await page.goto(served.url);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens on the experiments list after the token exchange', async () => {
    expect(new URL(page.url()).search).toBe('');
    await page.getByRole('heading', { name: 'Experiments' }).waitFor();
    await page.getByText('No experiments yet').waitFor();
    await screenshot(page, '01-experiments-empty');
  });

  it('creates a tiny seed sweep with a cost estimate and starts it', async () => {
    await page.locator('[data-nav="new"]').click();
    await page.getByTestId('preset').selectOption('seed-sweep');
    await page.getByTestId('preset-size').selectOption('tiny');
    await page.getByTestId('exp-name').fill('E2E seed sweep');
    await page.getByTestId('axis-values-0').fill('0, 1, 2');
    await expect.poll(() => page.getByTestId('run-count').textContent()).toBe('3');
    await page.getByTestId('estimate').getByText('Parameters').waitFor();
    await screenshot(page, '02-new-experiment');
    await page.getByTestId('start').click();
    await page.getByRole('heading', { name: /Live training: E2E seed sweep/ }).waitFor();
    experimentId = Number(/#\/live\/(\d+)/.exec(page.url())?.[1]);
    expect(experimentId).toBeGreaterThan(0);
  });

  it('shows live progress and trains every run to completion', async () => {
    const rows = page.getByTestId('runs-table').locator('tbody tr[data-run]');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(3);
    // Progress becomes visible while the runs train (or they have already finished).
    await expect
      .poll(
        async () => {
          const values = await page
            .locator('[data-testid="runs-table"] [role="progressbar"]')
            .evaluateAll((els) => els.map((e) => Number(e.getAttribute('aria-valuenow'))));
          return values.some((v) => v > 0);
        },
        { timeout: 120_000 },
      )
      .toBe(true);
    await screenshot(page, '03-live-training');
    await expect
      .poll(() => page.getByTestId('experiment-status').textContent(), {
        timeout: 180_000,
        interval: 500,
      })
      .toBe('completed');
    await expect
      .poll(() => page.locator('tr[data-status="completed"]').count(), { timeout: 10_000 })
      .toBe(3);
    const chart = page.locator('.chart-box').first();
    await expect.poll(async () => Number(await chart.getAttribute('data-series-count'))).toBe(3);
    await expect
      .poll(async () => Number(await chart.getAttribute('data-point-count')))
      .toBeGreaterThanOrEqual(3 * 12);
    await screenshot(page, '04-live-completed');
  });

  it('lists the experiment as completed with its runs', async () => {
    await page.locator('[data-nav="experiments"]').click();
    const row = page.locator(`tr[data-experiment="${experimentId}"]`);
    await row.waitFor();
    await expect.poll(() => row.locator('.badge').textContent()).toBe('completed');
    expect(await row.textContent()).toContain('3 / 3');
    await screenshot(page, '05-experiments-list');
  });

  it('compares the runs: curves, seed group band, sorting, config diff', async () => {
    await page.goto(`${new URL(served.url).origin}/#/compare/${experimentId}`);
    const table = page.getByTestId('compare-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(3);
    const chart = page.locator('.chart-box').first();
    await expect.poll(async () => Number(await chart.getAttribute('data-series-count'))).toBe(3);
    expect(Number(await chart.getAttribute('data-point-count'))).toBeGreaterThanOrEqual(36);
    // The config diff names the seed, the only thing that differs.
    await expect.poll(() => page.getByTestId('config-diff').textContent()).toContain('initSeed');
    // Seed groups: one mean curve with a min–max band.
    await page.getByTestId('group-seeds').check();
    await expect.poll(async () => Number(await chart.getAttribute('data-series-count'))).toBe(1);
    expect(Number(await chart.getAttribute('data-band-count'))).toBe(1);
    await page.getByTestId('smoothing').fill('0.9');
    await page.getByTestId('x-axis').selectOption('tokens');
    await expect
      .poll(async () => Number(await chart.getAttribute('data-point-count')))
      .toBeGreaterThan(0);
    await screenshot(page, '06-compare');
    // Filter narrows the table.
    await page.getByTestId('run-filter').fill('initSeed=1');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
  });

  it('opens the similarity view', async () => {
    await page.locator('[data-nav="similarity"]').click();
    await page.getByRole('heading', { name: 'Similarity' }).waitFor();
    const heat = page.getByTestId('model-heatmap');
    const empty = page.getByTestId('sim-empty');
    await expect
      .poll(async () => (await heat.count()) + (await empty.count()), { timeout: 20_000 })
      .toBeGreaterThan(0);
    if (await heat.count()) {
      expect(Number(await heat.getAttribute('data-rows'))).toBe(3);
      expect(Number(await heat.getAttribute('data-filled'))).toBeGreaterThan(0);
      await page.getByTestId('explain').click();
      await page.getByTestId('measure-help').waitFor();
    }
    await screenshot(page, '07-similarity');
  });

  it('exports CSV and reads the downloaded file back', async () => {
    await page.locator('[data-nav="export"]').click();
    await page.getByTestId('format-csv').check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('do-export').click(),
    ]);
    const path = join(dir, 'export.csv');
    await download.saveAs(path);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
    const runCol = header.indexOf('run_id');
    const metricCol = header.indexOf('metric');
    expect(runCol).toBeGreaterThanOrEqual(0);
    expect(metricCol).toBeGreaterThanOrEqual(0);
    const lossRows = rows.filter((c) => c[metricCol] === 'loss');
    expect(new Set(lossRows.map((c) => c[runCol])).size).toBe(3);
    expect(lossRows.length).toBeGreaterThanOrEqual(36);
    await screenshot(page, '08-export');
  });

  it('shows a clear error for a bad import file', async () => {
    const bad = join(dir, 'not-a-bundle.json');
    writeFileSync(bad, 'this is { not json');
    await page.getByTestId('import-file').setInputFiles(bad);
    const err = page.getByTestId('import-error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(
      /not-a-bundle\.json is not a Homolab bundle: it is not valid JSON/,
    );
    await screenshot(page, '09-import-error');
  });

  it('switches to dark theme and Simplified Chinese', async () => {
    await page.getByTestId('theme').click();
    await page.getByTestId('locale').selectOption('zh-CN');
    await page.locator('[data-nav="experiments"]').click();
    await page.getByRole('heading', { name: '实验' }).waitFor();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await screenshot(page, '10-experiments-dark-zh');
    await page.goto(`${new URL(served.url).origin}/#/compare/${experimentId}`);
    await page.getByTestId('compare-table').locator('tbody tr').first().waitFor();
    await screenshot(page, '11-compare-dark-zh');
  });

  it('produced no console errors or CSP violations', () => {
    expect(errors).toEqual([]);
  });
});
