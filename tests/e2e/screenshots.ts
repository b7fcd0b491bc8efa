/**
 * Screenshots of every view in English and 简体中文 at 1024×700 and 1920×1080, against a real
 * `homolab serve` with a lab set up to show each view with content: two trained and analysed
 * seed sweeps (GELU, ReLU), a 12-step 1-layer and a 600-step 2-layer experiment (Compare
 * experiments across lengths and depths), a draft, tags and notes, a study report. Run by hand:
 *
 *   npm run build:renderer && npx tsx tests/e2e/screenshots.ts [outDir]
 *
 * Writes <outDir>/<view>-<lang>-<width>.png (default .tmp/shots) and prints one line per file.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openLab, tinySpec, train, type LabFixture } from './lab-fixture';

const out = process.argv[2] ?? join(process.cwd(), '.tmp', 'shots');
mkdirSync(out, { recursive: true });
const SIZES = [
  { width: 1024, height: 700 },
  { width: 1920, height: 1080 },
];
const LANGS = ['en', 'zh-CN'] as const;
const MEASURES = [
  'linear-cka',
  'top1-agreement',
  'jsd',
  'error-consistency',
  'outcome-homogenization',
  'weight-trajectory',
  'generations',
] as const;

async function setUp(f: LabFixture) {
  const gelu = await train(f, 'Seed sweep (GELU)', tinySpec({ training: { steps: 24 } }), {
    analyze: [...MEASURES],
  });
  const relu = await train(
    f,
    'Seed sweep (ReLU)',
    tinySpec({ model: { activation: 'relu' }, training: { steps: 24 } }),
    { analyze: [...MEASURES] },
  );
  const short = await train(f, 'Short: 1 layer, 12 steps', tinySpec({ training: { steps: 12 } }), {
    analyze: ['linear-cka', 'top1-agreement', 'jsd'],
  });
  const long = await train(
    f,
    'Long: 2 layers, 600 steps',
    tinySpec({
      model: { nLayers: 2 },
      training: { steps: 600, checkpointEvery: 150, evalEvery: 60 },
    }),
    { analyze: ['linear-cka', 'top1-agreement', 'jsd'] },
  );
  await f.call('createExperiment', {
    name: 'Draft width sweep',
    spec: tinySpec({ axes: { grid: { initSeed: [0, 1], 'model.dModel': [16, 32] } } }),
    start: false,
  });
  const [run] = await f.call('listRuns', { experimentIds: [gelu] });
  await f.call('annotateRun', {
    id: run.id,
    tags: ['baseline', 'gelu'],
    notes: 'Reference run for the ReLU comparison.',
  });
  await f.call('runStudy', { study: 'seed-convergence', scale: 'test' });
  await new Promise<void>((resolve) => {
    const off = f.served.lab.events.on((e) => {
      if (e.type === 'study.progress' && e.done) {
        off();
        resolve();
      }
    });
  });
  return { gelu, relu, short, long };
}

async function shoot(page: Page, name: string) {
  await page.evaluate('window.scrollTo(0, 0)');
  // Charts draw on the next frames.
  await page.waitForTimeout(400);
  const path = join(out, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(path);
}

const f = await openLab();
try {
  const ids = await setUp(f);
  const views: [string, string, string?][] = [
    ['experiments', '#/experiments'],
    ['new', '#/new'],
    ['live', `#/live/${ids.long}`],
    ['runs', `#/runs/${ids.gelu}`],
    ['comparison', `#/comparison/${ids.gelu},${ids.relu}`],
    ['comparison-lengths', `#/comparison/${ids.short},${ids.long}`],
    ['similarity', `#/similarity/${ids.gelu}`],
    ['reports', '#/reports'],
    ['export', '#/export'],
  ];
  for (const size of SIZES)
    for (const lang of LANGS) {
      await f.page.setViewportSize(size);
      await f.page.evaluate(`localStorage.setItem('homolab.locale', '${lang}')`);
      for (const [name, hash] of views) {
        await f.open(hash);
        await f.page.locator('h1').first().waitFor();
        await shoot(f.page, `${name}-${lang}-${size.width}`);
      }
      // New experiment with a field-level problem shown next to its field.
      await f.open('#/new');
      await f.page.getByTestId('model-nHeads').fill('3');
      await f.page.locator('[data-field-issues]').first().waitFor();
      await shoot(f.page, `new-invalid-${lang}-${size.width}`);
      // A model too big for this machine: refused, the fields to change named.
      await f.open('#/new');
      await f.page.getByTestId('model-dModel').fill('16384');
      await f.page.getByTestId('model-nLayers').fill('32');
      await f.page.getByTestId('model-dFF').fill('65536');
      await f.page.getByTestId('cost-refusal').waitFor();
      await shoot(f.page, `new-refused-${lang}-${size.width}`);
    }
  if (f.errors.length) console.error(`console errors: ${f.errors.join('\n')}`);
} finally {
  await f.close();
}
