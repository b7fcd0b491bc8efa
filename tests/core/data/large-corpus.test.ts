/**
 * A corpus of tens of MB in paragraphs (blank lines between them, so no line break splits it
 * into small pieces) is tokenized into typed arrays: the dataset builds in a process whose JS
 * heap is too small for a number[] of its token ids (the old char tokenizer died on a 200 MB
 * corpus with "Fatal JavaScript invalid size error"). The 200 MB run is bench/large-corpus.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFixture } from '../../bundle-fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeParagraphCorpus } from '../../../bench/large-corpus-text';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const dir = join(root, 'node_modules', '.cache', 'homolab-data', `corpus-${process.pid}`);
let script: string;
let corpus: string;
const MB = 40;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  script = await bundleFixture(join(here, 'fixtures', 'large-corpus-child.ts'), 'large-corpus');
  corpus = join(dir, 'corpus.txt');
  writeParagraphCorpus(corpus, MB * 1024 * 1024, 7);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(script, { force: true });
});

describe('a large corpus', () => {
  it(`tokenizes ${MB} MB into Int32Arrays within a JS heap too small for a number[] of its ids`, () => {
    // 40M ids as a JS array need over 300 MB of heap; the typed path needs the text (40 MB).
    const r = spawnSync(process.execPath, ['--max-old-space-size=192', script, corpus], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      typed: boolean;
      trainTokens: number;
      validationTokens: number;
      ms: number;
      rssMB: number;
      heapMB: number;
    };
    console.log(`large corpus (${MB} MB): ${JSON.stringify(out)}`);
    expect(out.typed).toBe(true);
    // ASCII text: one id per byte; the two splits together are the whole file.
    expect(out.trainTokens + out.validationTokens).toBe(MB * 1024 * 1024);
    expect(out.heapMB).toBeLessThan(192);
  });
});
