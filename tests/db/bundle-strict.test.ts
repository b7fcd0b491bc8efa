/**
 * The strict bundle schema against what an adversarial pass imported successfully before:
 * impossible dates, steps, counts and seeds, an empty variant, duplicate JSON keys, an empty
 * bundle, lone surrogates, huge names and names that drive a terminal, and import paths that
 * are not regular files. Every refusal leaves the store byte-identical; a BOM is accepted and
 * a round trip keeps the datasets' creation times.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../db/bundle/export';
import { BundleError, importBundle } from '../../db/bundle/import';
import type { Store } from '../../db/store';
import { main } from '../../src/cli/main';
import { EXIT } from '../../src/cli/exit-codes';
import { dumpStore, openTemp, populate, tempDir, type TempDir } from './helpers';

let t: TempDir;
let src: Store;
let bundleText: string;
let victim: Store;
let before: string;
const fileHash = () =>
  createHash('sha256')
    .update(readFileSync(t.file('victim.db')))
    .digest('hex');
let hashBefore: string;

beforeAll(async () => {
  t = tempDir();
  src = openTemp(t, 'src.db');
  populate(src);
  await exportBundle(src, t.file('good.json'), { includeCheckpoints: true });
  bundleText = readFileSync(t.file('good.json'), 'utf8');
  victim = openTemp(t, 'victim.db');
  populate(victim, 2);
  victim.checkpointWal();
  before = dumpStore(victim);
  hashBefore = fileHash();
});
afterAll(() => {
  src.close();
  victim.close();
  t.cleanup();
});

const seal = (b: Record<string, unknown>): string => {
  b.checksum = `sha256:${createHash('sha256').update(JSON.stringify(b.data)).digest('hex')}`;
  return JSON.stringify(b);
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const mutate = (f: (d: Record<string, any>) => void): string => {
  const b = JSON.parse(bundleText) as Record<string, unknown>;
  f(b.data as Record<string, unknown>);
  return seal(b);
};

function refusal(text: string): string {
  const file = t.file(`case-${createHash('md5').update(text).digest('hex')}.json`);
  writeFileSync(file, text);
  try {
    importBundle(victim, file);
  } catch (err) {
    expect(err).toBeInstanceOf(BundleError);
    return (err as Error).message;
  }
  throw new Error('imported');
}

describe('values the store could never have produced are refused', () => {
  const cases: [string, () => string, RegExp][] = [
    [
      'createdAt 9e15',
      () => mutate((d) => (d.experiments[0].createdAt = 9e15)),
      /experiments\[0\]\.createdAt: a time after 2100/,
    ],
    ['variant {}', () => mutate((d) => (d.runs[0].variant = {})), /runs\[0\]\.variant\.\w+/],
    ['negative step', () => mutate((d) => (d.metrics[0].steps[0] = -989)), /steps\[0\]/],
    [
      'step 2^53-1',
      () => mutate((d) => (d.checkpoints[0].step = 2 ** 53 - 1)),
      /checkpoints\[0\]\.step/,
    ],
    ['negative tokens', () => mutate((d) => (d.metrics[0].tokens[1] = -5)), /tokens\[1\]/],
    ['negative wall time', () => mutate((d) => (d.metrics[0].wallMs[1] = -1)), /wallMs\[1\]/],
    ['seed 2^53-1', () => mutate((d) => (d.runs[0].initSeed = 2 ** 53 - 1)), /initSeed/],
    ['seed -(2^53-1)', () => mutate((d) => (d.runs[0].dataSeed = -(2 ** 53 - 1))), /dataSeed/],
    [
      'model size in a variant',
      () => mutate((d) => (d.runs[0].variant.model.dModel = 2 ** 20)),
      /variant\.model\.dModel/,
    ],
    [
      'empty bundle',
      () =>
        mutate((d) => {
          for (const k of Object.keys(d)) d[k] = [];
        }),
      /the bundle holds no experiments/,
    ],
    [
      'lone surrogate',
      () => mutate((d) => (d.experiments[0].notes = 'a\ud800b')),
      /experiments\[0\]\.notes: text with a lone UTF-16 surrogate/,
    ],
    [
      '10 MB name',
      () => mutate((d) => (d.experiments[0].name = 'x'.repeat(10 * 1024 * 1024))),
      /experiments\[0\]\.name/,
    ],
    ...(['\u001b[2J', '\u0007', '\r', '\u0000', '\u202e'] as const).map(
      (c): [string, () => string, RegExp] => [
        `name with U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
        () => mutate((d) => (d.runs[0].name = `run${c}x`)),
        /runs\[0\]\.name: a control or bidi character/,
      ],
    ),
    [
      'duplicate checkpoint step',
      () => mutate((d) => d.checkpoints.push({ ...d.checkpoints[0] })),
      /second checkpoint at step/,
    ],
  ];
  for (const [name, make, msg] of cases)
    it(name, () => {
      expect(refusal(make())).toMatch(msg);
      expect(dumpStore(victim)).toBe(before);
    });

  it('duplicate keys are refused, wherever they are (last-wins would hide them)', () => {
    // A garbage first checksum followed by the right one.
    const good = JSON.parse(bundleText) as { checksum: string };
    const twoChecksums = bundleText.replace(
      /"checksum":"(sha256:[0-9a-f]+)"}$/,
      `"checksum":"sha256:${'0'.repeat(64)}","checksum":"$1"}`,
    );
    expect(twoChecksums).not.toBe(bundleText);
    expect(refusal(twoChecksums)).toMatch(/\$\.checksum: duplicate key "checksum"/);
    expect(good.checksum).toMatch(/^sha256:/);
    // "status":"failed","status":"completed" inside data, re-sealed so the checksum matches.
    const b = JSON.parse(bundleText) as { data: { runs: { status: string }[] } };
    b.data.runs[1].status = 'failed';
    const sealed = seal(b as unknown as Record<string, unknown>);
    const twoStatuses = sealed.replace(
      '"status":"failed"',
      '"status":"failed","status":"completed"',
    );
    expect(refusal(twoStatuses)).toMatch(/\$\.data\.runs\[1\]\.status: duplicate key "status"/);
    // Escapes do not hide a duplicate.
    const escaped = bundleText.replace('"format":', '"format":"x","\\u0066ormat":');
    expect(refusal(escaped)).toMatch(/duplicate key "format"/);
    expect(dumpStore(victim)).toBe(before);
  });

  it('the store file is byte-identical after every refusal', () => {
    victim.checkpointWal();
    expect(fileHash()).toBe(hashBefore);
  });
});

describe('import paths', () => {
  it('refuses a FIFO at once, a directory clearly, with the bad-input exit code', async () => {
    const fifo = t.file('pipe.json');
    execFileSync('mkfifo', [fifo]);
    const dir = t.file('folder.json');
    mkdirSync(dir);
    const t0 = performance.now();
    expect(() => importBundle(victim, fifo)).toThrow(/is a pipe \(FIFO\), not a file/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(() => importBundle(victim, dir)).toThrow(/is a directory/);
    const out: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) && true } as never,
      stderr: { write: (s: string) => out.push(s) && true } as never,
    };
    const db = t.file('victim.db');
    expect(await main(['import', fifo, '--db', db], io)).toBe(EXIT.INVALID_INPUT);
    expect(await main(['import', dir, '--db', db], io)).toBe(EXIT.INVALID_INPUT);
    expect(out.join('')).toMatch(/FIFO/);
  });

  it('accepts a UTF-8 byte-order mark and keeps the datasets creation times', () => {
    const dst = openTemp(t, 'bom.db');
    const file = t.file('bom.json');
    writeFileSync(file, '\uFEFF' + bundleText);
    importBundle(dst, file);
    const want = (JSON.parse(bundleText) as { data: { datasets: { createdAt: number }[] } }).data
      .datasets;
    expect(dst.datasets.list().map((d) => d.createdAt)).toEqual(want.map((d) => d.createdAt));
    expect(want[0].createdAt).toBe(src.datasets.list()[0].createdAt);
    dst.close();
  });
});
