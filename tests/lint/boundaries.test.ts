import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The layering rules of eslint.config.js, run on imports written into files of each layer. */
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function problems(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: file });
  return r.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import boundaries', () => {
  it.each([
    ['src/core/rng.ts', "import type { Store } from '../../db/store';\nexport type S = Store;\n"],
    ['src/core/rng.ts', "export const f = () => import('../experiments/analysis/rows');\n"],
    ['db/store.ts', "import { createLab } from '../src/api/lab';\nexport const l = createLab;\n"],
    [
      'src/experiments/analysis/plan.ts',
      "import type { Lab } from '../../api/lab';\nexport type L = Lab;\n",
    ],
    [
      'src/api/lab.ts',
      "import { startServer } from '../server/start-server';\nexport const s = startServer;\n",
    ],
    [
      'renderer/src/lib/format.ts',
      "import { openStore } from '../../../db/store';\nexport const o = openStore;\n",
    ],
    [
      'renderer/src/lib/format.ts',
      "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
    ],
  ])('refuses a wrong import in %s', async (file, code) => {
    const p = await problems(file, code);
    expect(p.length, p.join('\n')).toBeGreaterThan(0);
    expect(p.every((m) => /no-restricted-(imports|syntax)/.test(m))).toBe(true);
  });

  it.each([
    [
      'src/experiments/analysis/plan.ts',
      "import type { Store } from '../../../db/store';\nexport type S = Store;\n",
    ],
    ['db/store.ts', "import type { Rng } from '../src/core/rng';\nexport type R = Rng;\n"],
    [
      'renderer/src/lib/format.ts',
      "import type { LabOptions } from '../../../src/api/types';\nexport type O = LabOptions;\n",
    ],
  ])('allows a downward import in %s', async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
