/**
 * The app in Chromium against a real `homolab serve` (real store, real training worker): create
 * a tiny seed sweep from the UI, watch it train, compare its runs, compute its analyses from the
 * Similarity view and check the heatmaps hold the trained runs' values, export CSV and read it
 * back, train a second sweep (ReLU) and compare the two experiments side by side (
 * curves, profiles, output homogenization, spec diff, summary, CSV, HTML report, save/reopen,
 * run context menu), round-trip a JSON bundle. (Studies: studies.test.ts.)
 * Screenshots of each view go to test-results/screenshots/.
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
  let secondId: number;
  let importedId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'homolab-e2e-'));
    served = await startServer({
      dbPath: join(dir, 'lab.sqlite'),
      backend: 'wasm',
      autoAnalysis: false, // the test starts each analysis from the UI
      log: () => {},
    });
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
    const rows = page.getByTestId('live-runs').locator('tbody tr[data-run]');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(3);
    // Progress becomes visible while the runs train (or they have already finished).
    await expect
      .poll(
        async () => {
          const values = await page
            .locator('[data-testid="live-runs"] [role="progressbar"]')
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
    // One training-loss curve per run, plus its dashed eval-loss curve.
    await expect
      .poll(async () => (await chart.getAttribute('data-series-labels'))?.split('|').sort())
      .toEqual(
        ['initSeed=0', 'initSeed=1', 'initSeed=2'].flatMap((n) => [n, `${n} · Eval loss`]).sort(),
      );
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
    await page.goto(`${new URL(served.url).origin}/#/runs/${experimentId}`);
    const table = page.getByTestId('runs-table');
    await expect.poll(() => table.locator('tbody tr[data-run]').count()).toBe(3);
    const chart = page.locator('.chart-box').first();
    await expect.poll(async () => Number(await chart.getAttribute('data-series-count'))).toBe(3);
    expect(Number(await chart.getAttribute('data-point-count'))).toBeGreaterThanOrEqual(36);
    // The config diff names the seed, the only thing that differs.
    await expect.poll(() => page.getByTestId('config-diff').textContent()).toContain('initSeed');
    // Seed groups: one mean curve with a min–max band.
    await page.getByTestId('group-by').selectOption('seeds');
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
    await expect.poll(() => table.locator('tbody tr[data-run]').count()).toBe(1);
  });

  it('computes analyses from the similarity view and shows the trained runs’ data', async () => {
    await page.locator('[data-nav="similarity"]').click();
    await page.getByRole('heading', { name: 'Similarity' }).waitFor();
    await page.getByTestId('sim-empty').waitFor();
    await page.getByTestId('analyze').click();
    await page.getByTestId('analysis-progress').waitFor();
    const heat = page.getByTestId('model-heatmap');
    await heat.waitFor({ timeout: 120_000 });
    // Linear CKA between the three seeds at the deepest layer: every cell filled.
    expect(await page.getByTestId('measure').inputValue()).toBe('linear-cka');
    expect(Number(await heat.getAttribute('data-rows'))).toBe(3);
    await expect.poll(async () => Number(await heat.getAttribute('data-filled'))).toBe(9);
    // The cell of seeds 0 and 1 (keyboard cursor): a CKA value strictly between 0 and 1.
    await heat.locator('canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const cell = await heat.getByTestId('heatmap-value').textContent();
    const m = /initSeed=0 × initSeed=1: ([\d.]+)/.exec(cell ?? '');
    expect(m, cell ?? '').not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![1])).toBeLessThan(1);
    const layer = page.getByTestId('layer-heatmap');
    await expect
      .poll(async () => Number(await layer.getAttribute('data-filled')))
      .toBeGreaterThan(0);
    // Trajectory over the two checkpoints, one line per run pair.
    const traj = page.locator('.panel', { hasText: 'Over training' }).locator('.chart-box');
    await expect.poll(async () => Number(await traj.getAttribute('data-series-count'))).toBe(3);
    await expect.poll(() => page.getByTestId('generations').count()).toBe(1);
    await page.getByTestId('explain').click();
    await page.getByTestId('measure-help').waitFor();
    // An output measure offers only the output "layer".
    await page.getByTestId('measure').selectOption('top1-agreement');
    await expect
      .poll(() => page.getByTestId('layer').locator('option').allTextContents())
      .toEqual(['output']);
    await expect.poll(async () => Number(await heat.getAttribute('data-filled'))).toBe(9);
    await page.getByTestId('measure').selectOption('linear-cka');
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

  it('trains a second sweep that differs in the activation', async () => {
    await page.locator('[data-nav="new"]').click();
    await page.getByTestId('preset').selectOption('seed-sweep');
    await page.getByTestId('preset-size').selectOption('tiny');
    await page.getByTestId('exp-name').fill('E2E ReLU sweep');
    await page.getByTestId('axis-values-0').fill('0, 1, 2');
    await page.getByTestId('model-activation').selectOption('relu');
    await expect.poll(() => page.getByTestId('run-count').textContent()).toBe('3');
    await page.getByTestId('estimate').getByText('Parameters').waitFor();
    await page.getByTestId('start').click();
    await page.getByRole('heading', { name: /Live training: E2E ReLU sweep/ }).waitFor();
    secondId = Number(/#\/live\/(\d+)/.exec(page.url())?.[1]);
    expect(secondId).toBeGreaterThan(experimentId);
    await expect
      .poll(() => page.getByTestId('experiment-status').textContent(), {
        timeout: 180_000,
        interval: 500,
      })
      .toBe('completed');
  });

  it('opens two experiments side by side from the list', async () => {
    await page.locator('[data-nav="experiments"]').click();
    await page
      .locator(`tr[data-experiment="${experimentId}"] [data-testid="pick-experiment"]`)
      .check();
    await page.locator(`tr[data-experiment="${secondId}"] [data-testid="pick-experiment"]`).check();
    await page.getByTestId('compare-selected').click();
    await page.getByRole('heading', { name: 'Compare experiments' }).waitFor();
    expect(page.url()).toContain(`#/comparison/${experimentId},${secondId}`);
    // The first sweep was analysed from the Similarity view; the second is not yet.
    await page.getByTestId('comparison-analysis').waitFor();
    await page.getByTestId('comparison-analyze').click();
    const profile = page.getByTestId('comparison-profile');
    await profile.waitFor({ timeout: 120_000 });
    await expect
      .poll(() => page.getByTestId('comparison-analysis').count(), { timeout: 60_000 })
      .toBe(0);

    // Loss curves of both experiments' seed groups, overlaid on the shared grid.
    const loss = page.getByTestId('comparison-loss');
    expect(await loss.getAttribute('data-overlay')).toBe('true');
    const lossLabels = await loss.locator('.chart-box').getAttribute('data-series-labels');
    expect(lossLabels).toContain('E2E seed sweep');
    expect(lossLabels).toContain('E2E ReLU sweep');
    expect(Number(await loss.locator('.chart-box').getAttribute('data-band-count'))).toBe(2);
    expect(
      Number(await loss.locator('.chart-box').getAttribute('data-point-count')),
    ).toBeGreaterThan(10);
    // Layer profile: same layers in both, so overlaid, one line + interval band each.
    const profileBox = profile.locator('.chart-box');
    await expect
      .poll(async () => Number(await profileBox.getAttribute('data-series-count')))
      .toBe(2);
    expect(Number(await profileBox.getAttribute('data-point-count'))).toBeGreaterThanOrEqual(6);
    // Output homogenization: every experiment has a value for agreement, JSD, κ and H.
    for (const m of ['top1-agreement', 'jsd', 'error-consistency', 'outcome-homogenization'])
      expect(
        Number(
          await page
            .locator(`[data-testid="comparison-outputs"] [data-measure="${m}"]`)
            .getAttribute('data-filled'),
        ),
      ).toBe(2);
    // Trajectory over the two checkpoints for both.
    const trajLabels = await page
      .getByTestId('comparison-trajectory')
      .locator('.chart-box')
      .getAttribute('data-series-labels');
    expect(trajLabels).toContain('E2E seed sweep');
    expect(trajLabels).toContain('E2E ReLU sweep');
    // The spec diff names the field that differs.
    await page
      .locator('[data-testid="comparison-spec-diff"] tr[data-path="model.activation"]')
      .waitFor();
    expect(
      await page
        .locator('[data-testid="comparison-spec-diff"] tr[data-path="model.activation"]')
        .textContent(),
    ).toMatch(/gelu[\s\S]*relu/);
    // Summary: one row per experiment, sortable.
    const summary = page.getByTestId('comparison-summary');
    expect(await summary.locator('tbody tr').count()).toBe(2);
    await summary.locator('[data-sort="name"]').click();
    await summary.locator('[data-sort="name"]').click();
    expect(await summary.locator('tbody tr').first().getAttribute('data-experiment')).toBe(
      String(secondId),
    );
    await screenshot(page, '12-versus');

    // Side by side: one pane per experiment, same y scale.
    await page.getByTestId('comparison-layout').selectOption('side');
    await expect.poll(async () => Number(await loss.getAttribute('data-panes'))).toBe(2);
    await screenshot(page, '13-versus-side-by-side');
    await page.getByTestId('comparison-layout').selectOption('auto');
  });

  it('exports the comparison summary as CSV with one row per experiment, and an HTML report', async () => {
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ]);
    const csvPath = join(dir, 'compare.csv');
    await csvDownload.saveAs(csvPath);
    const [header, ...rows] = parseCsv(readFileSync(csvPath, 'utf8')).filter((r) => r.length > 1);
    expect(rows).toHaveLength(2);
    const idCol = header.indexOf('experiment_id');
    expect(rows.map((r) => Number(r[idCol]))).toEqual([experimentId, secondId]);
    expect(rows.map((r) => r[header.indexOf('name')])).toEqual([
      'E2E seed sweep',
      'E2E ReLU sweep',
    ]);
    const [htmlDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-html').click(),
    ]);
    const htmlPath = join(dir, 'compare.html');
    await htmlDownload.saveAs(htmlPath);
    const html = readFileSync(htmlPath, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('E2E ReLU sweep');
  });

  it('saves the comparison under a name and reopens it', async () => {
    await page.getByTestId('save-comparison').click();
    await page.getByRole('dialog').locator('input').fill('GELU vs ReLU');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByTestId('saved-comparisons').locator('option').allTextContents())
      .toContain('GELU vs ReLU');
    await page.locator('[data-nav="experiments"]').click();
    await page.locator('[data-nav="comparison"]').click();
    await page.getByTestId('saved-comparisons').selectOption({ label: 'GELU vs ReLU' });
    await page.getByTestId('open-saved').click();
    await page.getByTestId('opened-saved').waitFor();
    expect(await page.getByTestId('comparison-summary').locator('tbody tr').count()).toBe(2);
  });

  it('opens an experiment comparison from a run’s context menu', async () => {
    await page.goto(`${new URL(served.url).origin}/#/runs/${experimentId}`);
    const row = page.getByTestId('runs-table').locator('tbody tr[data-run]').first();
    await row.waitFor();
    await row.click({ button: 'right' });
    const menu = page.getByTestId('context-menu');
    await menu.waitFor();
    await screenshot(page, '14-run-context-menu');
    await menu.locator(`[data-menu-item="with:${secondId}"]`).click();
    await page.getByRole('heading', { name: 'Compare experiments' }).waitFor();
    expect(page.url()).toContain(`#/comparison/${experimentId},${secondId}`);
    await page.getByTestId('comparison-summary').locator('tbody tr').nth(1).waitFor();
  });

  it('exports a JSON bundle, deletes the experiment and imports the bundle back', async () => {
    await page.locator('[data-nav="export"]').click();
    await page.getByTestId('format-json').check();
    const scope = page.locator('fieldset', { hasText: 'E2E ReLU sweep' });
    for (const box of await scope.locator('input[type="checkbox"]').all()) await box.uncheck();
    await scope.locator('label', { hasText: 'E2E ReLU sweep' }).locator('input').check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('do-export').click(),
    ]);
    const bundlePath = join(dir, 'relu.homolab.json');
    await download.saveAs(bundlePath);
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as {
      format: string;
      data: { experiments: { name: string }[]; runs: unknown[] };
    };
    expect(bundle.format).toBe('homolab-bundle');
    expect(bundle.data.experiments.map((e) => e.name)).toEqual(['E2E ReLU sweep']);
    expect(bundle.data.runs).toHaveLength(3);

    await page.locator('[data-nav="experiments"]').click();
    await page.locator(`tr[data-experiment="${secondId}"]`).getByTestId('experiment-more').click();
    await page.getByTestId('context-menu').locator('[data-menu-item="delete"]').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator(`tr[data-experiment="${secondId}"]`).count()).toBe(0);

    await page.locator('[data-nav="export"]').click();
    await page.getByTestId('import-file').setInputFiles(bundlePath);
    const ok = page.getByTestId('import-result');
    await ok.waitFor();
    expect(await ok.textContent()).toContain('1 experiment(s), 3 run(s)');
    await screenshot(page, '15-import-bundle');
    await page.getByTestId('open-imported').click();
    await page.getByRole('heading', { name: /Live training: E2E ReLU sweep/ }).waitFor();
    importedId = Number(/#\/live\/(\d+)/.exec(page.url())?.[1]);
    expect(importedId).toBeGreaterThan(0);
    await expect.poll(() => page.locator('tr[data-status="completed"]').count()).toBe(3);
    await page.locator('[data-nav="experiments"]').click();
    const imported = page.locator('tr', { hasText: 'E2E ReLU sweep' });
    await expect.poll(() => imported.locator('.badge').textContent()).toBe('completed');
  });

  it('switches to dark theme and Simplified Chinese', async () => {
    await page.getByTestId('theme').click();
    await page.getByTestId('locale').selectOption('zh-CN');
    await page.locator('[data-nav="experiments"]').click();
    await page.getByRole('heading', { name: '实验' }).waitFor();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await screenshot(page, '10-experiments-dark-zh');
    await page.goto(`${new URL(served.url).origin}/#/runs/${experimentId}`);
    await page.getByTestId('runs-table').locator('tbody tr').first().waitFor();
    await screenshot(page, '11-compare-dark-zh');
    await page.goto(`${new URL(served.url).origin}/#/comparison/${experimentId},${importedId}`);
    await page.getByTestId('comparison-summary').locator('tbody tr').first().waitFor();
    await screenshot(page, '16-versus-dark-zh');
  });

  it('produced no console errors or CSP violations', () => {
    expect(errors).toEqual([]);
  });
});
