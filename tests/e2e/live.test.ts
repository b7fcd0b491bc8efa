/**
 * Live in Chromium against `homolab serve`, with real training: a paused experiment can be
 * resumed (toolbar and per run, also after a reload) and Resume is off while it trains; a
 * queued experiment says why it waits; eval loss, smoothing and log scale in the chart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './browser';
import { openLab, tinySpec, trainingEnded, type LabFixture } from './lab-fixture';

const missing = chromiumMissing();

describe.skipIf(!!missing)('Live', () => {
  let f: LabFixture;
  let long: number;
  let queued: number;
  let queuedEnded: Promise<void>;

  beforeAll(async () => {
    f = await openLab();
    // One worker, whatever the machine's cores: the second experiment must queue behind the first.
    await f.call('updateLabSettings', { workers: 1 });
    // Long enough to pause and resume (tiny steps take ~40 ms here); cancelled at the end.
    long = (
      await f.call('createExperiment', {
        name: 'Long sweep',
        spec: tinySpec({ training: { steps: 5000, checkpointEvery: 1000, evalEvery: 500 } }),
      })
    ).id;
    queued = (await f.call('createExperiment', { name: 'Waiting sweep', spec: tinySpec() })).id;
    queuedEnded = trainingEnded(f, queued);
  });
  afterAll(async () => {
    await f?.close();
  });

  const toolbar = (id: 'pause' | 'resume' | 'cancel') => f.page.getByTestId(id);
  const status = () => f.page.getByTestId('experiment-status').textContent();
  const runRows = () => f.page.getByTestId('live-runs').locator('tr[data-run]');

  it('offers Pause and Cancel while training, never Resume', async () => {
    await f.open(`#/live/${long}`);
    await expect.poll(status, { timeout: 30_000 }).toBe('running');
    await expect.poll(() => toolbar('pause').isEnabled()).toBe(true);
    expect(await toolbar('resume').isDisabled()).toBe(true);
    expect(await toolbar('cancel').isEnabled()).toBe(true);
  });

  it('says why a queued experiment waits', async () => {
    await f.open(`#/live/${queued}`);
    const reason = f.page.getByTestId('wait-reason').first();
    await reason.waitFor();
    // Behind the long sweep, which holds the one worker.
    expect(await reason.textContent()).toMatch(
      /waiting for (a free worker \(\d+ of \d+ busy\)|“Long sweep” to finish training)/,
    );
  });

  it('resumes a paused experiment from the toolbar and per run, also after a reload', async () => {
    await f.open(`#/live/${long}`);
    // Its runs are training (past the worker's start-up).
    await expect
      .poll(() => runRows().first().getAttribute('data-status'), { timeout: 30_000 })
      .toBe('running');
    await toolbar('pause').click();
    await expect.poll(status, { timeout: 20_000 }).toBe('paused');
    const check = async () => {
      await expect.poll(() => runRows().first().getAttribute('data-status')).toBe('paused');
      expect(await toolbar('pause').isDisabled()).toBe(true);
      expect(await toolbar('resume').isEnabled()).toBe(true);
      expect(await toolbar('cancel').isEnabled()).toBe(true);
      for (const row of await runRows().all()) {
        expect(await row.locator('[data-action="resume"]').count()).toBe(1);
        expect(await row.locator('[data-action="cancel"]').count()).toBe(1);
      }
    };
    await check();
    await f.page.reload();
    await check();
    // Per run: Resume continues the experiment.
    await runRows().first().locator('[data-action="resume"]').click();
    await expect.poll(status, { timeout: 20_000 }).toBe('running');
    await expect.poll(() => toolbar('resume').isDisabled()).toBe(true);
    // And the toolbar's Resume after another pause.
    await toolbar('pause').click();
    await expect.poll(status, { timeout: 20_000 }).toBe('paused');
    await toolbar('resume').click();
    await expect.poll(status, { timeout: 20_000 }).toBe('running');
  });

  it('cancels it; the queued experiment then trains', async () => {
    await toolbar('cancel').click();
    await expect.poll(status, { timeout: 30_000 }).toBe('cancelled');
    await queuedEnded;
    await f.open(`#/live/${queued}`);
    await expect.poll(status, { timeout: 30_000 }).toBe('completed');
  });

  it('draws eval loss (dashed), smooths, and switches to a log scale', async () => {
    await f.open(`#/live/${queued}`);
    const chart = f.page.locator('.chart-box').first();
    await expect
      .poll(async () => (await chart.getAttribute('data-series-labels'))?.split('|').length)
      .toBe(6);
    expect(await chart.getAttribute('data-series-labels')).toContain('initSeed=0 · Eval loss');
    await f.page.getByTestId('log-y').check();
    await expect.poll(() => chart.getAttribute('data-y-scale')).toBe('logarithmic');
    await f.page.getByTestId('show-eval').uncheck();
    await expect.poll(() => chart.getAttribute('data-series-count')).toBe('3');
    await f.page.getByTestId('smoothing').fill('0.9');
    await expect.poll(() => chart.getAttribute('data-series-count')).toBe('3');
  });

  // Pause on a queued experiment holds it: it stays paused when the queue frees, untrained.
  it('holds a queued experiment that is paused before it starts', async () => {
    const a = (
      await f.call('createExperiment', {
        name: 'Blocker',
        spec: tinySpec({ training: { steps: 400 } }),
      })
    ).id;
    const b = (await f.call('createExperiment', { name: 'Held', spec: tinySpec() })).id;
    await f.open(`#/live/${b}`);
    await expect.poll(status).toBe('queued');
    await toolbar('pause').click();
    await expect.poll(status).toBe('paused');
    await trainingEnded(f, a);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await status()).toBe('paused');
    expect((await f.call('listRuns', { experimentIds: [b] })).every((r) => r.step === 0)).toBe(
      true,
    );
    await toolbar('resume').click();
    await expect.poll(status, { timeout: 30_000 }).toBe('completed');
  });

  it('produced no console errors', () => {
    expect(f.errors).toEqual([]);
  });
});
