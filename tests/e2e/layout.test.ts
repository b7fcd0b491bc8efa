/**
 * Every view in English and 简体中文 at 1024×700: no button's text overflows it, and no page is
 * wider than the window (wide tables scroll inside their own box). Runs have curves written
 * directly, so every view has content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './browser';
import { completeWithCurves, openLab, tinySpec, type LabFixture } from './lab-fixture';

const missing = chromiumMissing();

/** Page-side: buttons whose text does not fit, and how wide the page is. */
const MEASURE = `(() => {
  const bad = [...document.querySelectorAll('button, summary')]
    .filter((b) => b.offsetParent !== null)
    .filter((b) => b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1)
    .map((b) => (b.textContent || '').trim() + ' (' + b.scrollWidth + '>' + b.clientWidth + ')');
  return { bad, width: document.documentElement.scrollWidth };
})()`;

describe.skipIf(!!missing)('Layout at 1024×700', () => {
  let f: LabFixture;
  let a: number;
  let b: number;
  beforeAll(async () => {
    f = await openLab({ viewport: { width: 1024, height: 700 } });
    const curve = (k: number) => Array.from({ length: 12 }, (_, i) => 2 - i / 12 + k / 10);
    for (const [name, activation] of [
      ['A sweep with a rather long name to test wrapping', 'gelu'],
      ['Another sweep', 'relu'],
    ] as const) {
      const e = await f.call('createExperiment', {
        name,
        spec: tinySpec({ model: { activation } }),
        start: false,
      });
      completeWithCurves(f, e.id, curve);
      if (activation === 'gelu') a = e.id;
      else b = e.id;
    }
  });
  afterAll(async () => {
    await f?.close();
  });

  for (const lang of ['en', 'zh-CN'] as const)
    it(`fits every view in ${lang}`, async () => {
      await f.page.evaluate(`localStorage.setItem('homolab.locale', '${lang}')`);
      const problems: string[] = [];
      for (const hash of [
        '#/experiments',
        '#/new',
        `#/live/${a}`,
        `#/runs/${a}`,
        `#/comparison/${a},${b}`,
        `#/similarity/${a}`,
        '#/reports',
        '#/export',
      ]) {
        await f.open(hash);
        await f.page.locator('h1').first().waitFor();
        await f.page.waitForTimeout(300);
        const { bad, width } = (await f.page.evaluate(MEASURE)) as { bad: string[]; width: number };
        problems.push(...bad.map((x) => `${hash}: ${x}`));
        if (width > 1024) problems.push(`${hash}: page is ${width} px wide`);
      }
      expect(problems).toEqual([]);
    });

  it('produced no console errors', () => {
    expect(f.errors).toEqual([]);
  });
});
