/**
 * A built-in study run from the app in Chromium against `homolab serve` (backend auto): its
 * progress shows at once in Study reports and in Live, not only at its end; the report says
 * which backend training actually used (not 'auto'), and its experiments say they were created
 * from the app; the report can be saved as a standalone HTML page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './browser';
import { openLab, type LabFixture } from './lab-fixture';

const missing = chromiumMissing();

describe.skipIf(!!missing)('Studies', () => {
  let f: LabFixture;
  beforeAll(async () => {
    f = await openLab({ backend: 'auto' });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('shows a running study’s progress in Study reports and in Live', async () => {
    await f.open('#/new');
    await f.page.getByTestId('study').selectOption('seed-convergence');
    await f.page.getByTestId('study-scale').selectOption('test');
    expect(await f.page.getByTestId('study-info').textContent()).toMatch(/Question/);
    // The study's training timed on this machine, beside the reference times.
    await expect
      .poll(() => f.page.getByTestId('study-estimate').textContent(), { timeout: 60_000 })
      .toMatch(/^training about .+: 3 runs on \w+, \d+ worker\(s\), timed here/);
    await f.page.getByTestId('run-study').click();
    await f.page.getByRole('heading', { name: 'Study reports' }).waitFor();
    // At once, not when the study ends.
    const progress = f.page.getByTestId('study-progress');
    await progress.waitFor({ timeout: 2000 });
    expect(await progress.getAttribute('data-done')).toBe('false');
    expect(await progress.textContent()).toContain('Study “Seed convergence” is running');
    expect(await f.page.getByTestId('study-phase').count()).toBeGreaterThan(0);
    expect(await f.page.getByTestId('reports-empty').textContent()).toMatch(
      /appears here when it ends/,
    );
    await f.page.locator('[data-nav="live"]').click();
    await f.page.getByTestId('live-study').waitFor({ timeout: 2000 });
    expect(await f.page.getByTestId('live-study').textContent()).toContain('Seed convergence');
  });

  it('reports the backend training used and that it was started from the app', async () => {
    await f.page.locator('[data-nav="reports"]').click();
    const report = f.page.getByTestId('report-view');
    await report.waitFor({ timeout: 180_000 });
    expect(await report.locator('h2').textContent()).toMatch(/Seed convergence/i);
    expect(await report.locator('.verdict').count()).toBeGreaterThan(0);
    const meta = (await report.locator('p.muted.small').first().textContent()) ?? '';
    expect(meta).toMatch(/backend: (wasm|webgpu|cpu|tensorflow)/);
    expect(meta).not.toContain('backend: auto');
    const [exp] = await f.call('listExperiments', {});
    expect(exp.notes).toMatch(/^Created from the app \(study seed-convergence, scale test\)/);
    expect(exp.notes).not.toContain('homolab study');
    const [download] = await Promise.all([
      f.page.waitForEvent('download'),
      f.page.getByTestId('save-report').click(),
    ]);
    const path = join(f.dir, 'study.html');
    await download.saveAs(path);
    expect(readFileSync(path, 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('produced no console errors', () => {
    expect(f.errors).toEqual([]);
  });
});
