/**
 * One real `homolab serve` (temporary store, wasm training worker) and one Chromium page for an
 * e2e file, plus helpers to set a lab up quickly through its API and store: experiments from a
 * preset with changes, runs given loss curves without training (for tables and charts), and
 * training for real where a test needs checkpoints and analyses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type Served } from '../../src/server';
import type { OperationName, OpInput, OpOutput } from '../../src/api/contract';
import { getPreset } from '../../src/experiments/spec/presets';
import { launchChromium, watchErrors } from './browser';

export interface LabFixture {
  dir: string;
  served: Served;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen so far (the app must produce none). */
  errors: string[];
  origin: string;
  call<N extends OperationName>(name: N, input: OpInput<N>): Promise<OpOutput<N>>;
  /** Opens a view by its hash (e.g. `#/runs/3`), reloading the page. */
  open(hash: string): Promise<void>;
  close(): Promise<void>;
}

export async function openLab(
  opts: {
    viewport?: { width: number; height: number };
    locale?: 'en' | 'zh-CN';
    /** The lab's backend (default wasm: no GPU probing in tests). */
    backend?: 'wasm' | 'auto';
  } = {},
): Promise<LabFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'homolab-e2e-'));
  const served = await startServer({
    dbPath: join(dir, 'lab.sqlite'),
    backend: opts.backend ?? 'wasm',
    log: () => {},
  });
  const browser = await launchChromium();
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: opts.viewport ?? { width: 1360, height: 900 },
    locale: opts.locale === 'zh-CN' ? 'zh-CN' : 'en-US',
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(served.url);
  await page.locator('[data-nav="experiments"]').waitFor();
  const origin = new URL(served.url).origin;
  return {
    dir,
    served,
    browser,
    context,
    page,
    errors,
    origin,
    async call(name, input) {
      const r = await served.lab.dispatcher.dispatch(name, input, { transport: 'direct' });
      if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
      return r.result as never;
    },
    async open(hash) {
      await page.goto(`${origin}/${hash}`);
      // A hash-only change does not reload: reload so each test starts from a fresh app.
      await page.reload();
      await page.locator('main').waitFor();
    },
    async close() {
      await browser.close();
      await served.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Spec = Record<string, unknown> & {
  model?: Record<string, unknown>;
  training?: Record<string, unknown>;
  axes?: Record<string, unknown>;
};

/** The tiny seed-sweep preset with changes to its sections. */
export function tinySpec(
  change: {
    model?: Record<string, unknown>;
    training?: Record<string, unknown>;
    axes?: Record<string, unknown>;
    analysis?: Record<string, unknown>;
  } = {},
): Spec {
  const s = getPreset('seed-sweep').spec('tiny') as Spec;
  return {
    ...s,
    model: { ...s.model, ...change.model },
    training: { ...s.training, ...change.training },
    axes: change.axes ?? s.axes,
    ...(change.analysis ? { analysis: { ...(s.analysis as object), ...change.analysis } } : {}),
  };
}

/**
 * Gives an unstarted experiment's runs loss curves (no training): `curve(k)` is run k's loss
 * per step; every run ends completed. Tokens are steps × 32, wall time 10 ms per step.
 */
export function completeWithCurves(
  f: LabFixture,
  experimentId: number,
  curve: (k: number) => number[],
): void {
  const { store } = f.served.lab;
  store.runs.listByExperiment(experimentId).forEach((r, k) => {
    const ys = curve(k);
    store.metrics.insert(
      ys.map((value, i) => ({
        runId: r.id,
        name: 'loss',
        step: i + 1,
        tokens: (i + 1) * 32,
        wallMs: (i + 1) * 10,
        value,
      })),
    );
    store.runs.start(r.id);
    store.runs.finish(r.id, 'completed');
  });
}

/** Resolves when the experiment's training session has ended (any outcome). */
export function trainingEnded(f: LabFixture, experimentId: number): Promise<void> {
  return new Promise((resolve) => {
    const off = f.served.lab.events.on((e) => {
      if (
        e.type === 'experiment.status' &&
        e.experimentId === experimentId &&
        e.status !== 'running'
      ) {
        off();
        resolve();
      }
    });
  });
}

/** Resolves when the experiment's analysis has ended; rejects on an analysis error. */
export function analysisEnded(f: LabFixture, experimentId: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = f.served.lab.events.on((e) => {
      if (
        e.type === 'analysis.progress' &&
        e.experimentId === experimentId &&
        (e.done >= e.total || e.error)
      ) {
        off();
        if (e.error) reject(new Error(e.error));
        else resolve();
      }
    });
  });
}

/** Trains an experiment to the end through the API (and, if asked, analyses it). */
export async function train(
  f: LabFixture,
  name: string,
  spec: Spec,
  opts: { analyze?: OpInput<'analyzeExperiment'>['measures'] } = {},
): Promise<number> {
  const e = await f.call('createExperiment', { name, spec, start: false });
  const ended = trainingEnded(f, e.id);
  await f.call('startExperiment', { id: e.id });
  await ended;
  if (opts.analyze) {
    const done = analysisEnded(f, e.id);
    await f.call('analyzeExperiment', { experimentId: e.id, measures: opts.analyze, steps: 'all' });
    await done;
  }
  return e.id;
}

/** Numbers of a chart box's data attributes (drawn axes, counts). */
export async function chartNumber(
  page: Page,
  selector: string,
  attr:
    | 'data-y-min'
    | 'data-y-max'
    | 'data-x-min'
    | 'data-x-max'
    | 'data-series-count'
    | 'data-gap-count'
    | 'data-point-count',
): Promise<number> {
  return Number(await page.locator(selector).first().getAttribute(attr));
}
