/**
 * Renderer benchmark: Compare with 50 runs × 20,000 steps, in Chromium against a real
 * `homolab serve` and store. Measures time to first render of the chart (navigation → chart
 * drawn with every run) and the redraw after changing the smoothing, toggling seed groups and
 * the x axis. Prints JSON (`npm run bench:renderer -- --json`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/server';
import { getPreset } from '../src/experiments/spec/presets';
import { launchChromium } from '../tests/e2e/browser';

// Page-side callbacks run in Chromium; these are the few browser globals they use (this file
// is type-checked as Node code, without the DOM library).
interface PageControl {
  value: string;
  click(): void;
  dispatchEvent(e: unknown): boolean;
  getAttribute(name: string): string | null;
}
declare const document: { querySelector(selector: string): PageControl | null };
declare function requestAnimationFrame(cb: () => void): number;

const RUNS = 50;
const STEPS = 20_000;
const json = process.argv.includes('--json');
const log = (s: string) => !json && console.log(s);

const dir = mkdtempSync(join(tmpdir(), 'homolab-bench-renderer-'));
const served = await startServer({ dbPath: join(dir, 'lab.sqlite'), log: () => {} });
const browser = await launchChromium();
try {
  const spec = getPreset('seed-sweep').spec('tiny') as Record<string, unknown>;
  spec.axes = { grid: { initSeed: Array.from({ length: RUNS }, (_, i) => i) } };
  const r = await served.lab.dispatcher.dispatch(
    'createExperiment',
    { name: 'bench', spec, start: false },
    { transport: 'direct' },
  );
  if (!r.ok) throw new Error(r.error.message);
  const expId = (r.result as { id: number }).id;
  const t0 = performance.now();
  const w = served.lab.store.metrics.writer({ batchSize: 50_000 });
  for (const run of served.lab.store.runs.listByExperiment(expId))
    for (let s = 1; s <= STEPS; s++)
      w.add({
        runId: run.id,
        name: 'loss',
        step: s,
        tokens: s * 32,
        wallMs: s * 5,
        value: 4 * Math.exp(-s / 4000) + 0.5 + 0.05 * Math.sin(s + run.id),
      });
  w.flush();
  log(`stored ${RUNS * STEPS} points in ${(performance.now() - t0).toFixed(0)} ms`);

  const page = await (
    await browser.newContext({ viewport: { width: 1400, height: 900 } })
  ).newPage();
  await page.goto(served.url);
  await page.getByRole('heading', { name: 'Experiments' }).waitFor();
  const origin = new URL(served.url).origin;
  const chart = page.locator('.chart-box').first();
  const frames = () =>
    page.evaluate(
      () =>
        new Promise<number>((res) =>
          requestAnimationFrame(() => requestAnimationFrame(() => res(performance.now()))),
        ),
    );

  const nav0 = Date.now();
  await page.goto(`${origin}/#/runs/${expId}`);
  await page.waitForFunction(
    (n) => {
      const el = document.querySelector('.chart-box');
      return (
        el &&
        Number(el.getAttribute('data-series-count')) === n &&
        Number(el.getAttribute('data-point-count')) > 0
      );
    },
    RUNS,
    { timeout: 120_000 },
  );
  await frames();
  const firstRenderMs = Date.now() - nav0;
  const points = Number(await chart.getAttribute('data-point-count'));

  /** Changes a control in the page and times until the next painted frame. */
  const timeChange = (selector: string, kind: 'range' | 'check' | 'select', value: string) =>
    page.evaluate(
      ({ selector, kind, value }) =>
        new Promise<number>((resolve) => {
          const el = document.querySelector(selector) as PageControl;
          const t = performance.now();
          if (kind === 'check') el.click();
          else {
            el.value = value;
            el.dispatchEvent(new Event(kind === 'range' ? 'input' : 'change', { bubbles: true }));
          }
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t)));
        }),
      { selector, kind, value },
    );

  const smoothing: number[] = [];
  // Eleven changes, one of which turns smoothing off (the min–max envelope appears: a rebuild);
  // the median is what dragging the slider feels like on a shared, noisy machine.
  for (const v of ['0.3', '0.8', '0.95', '0.5', '0.7', '0', '0.6', '0.9', '0.4', '0.85', '0.65'])
    smoothing.push(await timeChange('[data-testid="smoothing"]', 'range', v));
  const groupMs = await timeChange('[data-testid="group-by"]', 'select', 'seeds');
  const ungroupMs = await timeChange('[data-testid="group-by"]', 'select', '');
  const xAxisStart = Date.now();
  await page.selectOption('[data-testid="x-axis"]', 'tokens');
  await page.waitForFunction(
    () => document.querySelector('.chart-box')?.getAttribute('data-point-count') !== null,
  );
  await frames();
  const xAxisMs = Date.now() - xAxisStart;
  const sorted = [...smoothing].sort((a, b) => a - b);
  const result = {
    bench: 'renderer-compare',
    runs: RUNS,
    stepsPerRun: STEPS,
    rawPoints: RUNS * STEPS,
    drawnPoints: points,
    firstRenderMs,
    smoothingRedrawMs: {
      median: sorted[Math.floor(sorted.length / 2)],
      max: sorted[sorted.length - 1],
      all: smoothing.map((x) => Math.round(x)),
    },
    seedGroupToggleMs: Math.round(groupMs),
    seedGroupUntoggleMs: Math.round(ungroupMs),
    xAxisChangeMs: xAxisMs,
    browser: `chromium ${browser.version()}`,
  };
  console.log(JSON.stringify(result, null, json ? 0 : 2));
} finally {
  await browser.close();
  await served.close();
  rmSync(dir, { recursive: true, force: true });
}
