import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync, ftruncateSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../db/bundle/export';
import { BundleError, DuplicateImportError, importBundle } from '../../db/bundle/import';
import type { Store } from '../../db/store';
import { dumpStore, openTemp, populate, tempDir, type TempDir } from './helpers';

let t: TempDir;
let src: Store;
let bundlePath: string;
let bundleText: string;

beforeAll(async () => {
  t = tempDir();
  src = openTemp(t, 'src.db');
  populate(src);
  bundlePath = t.file('lab.homolab.json');
  await exportBundle(src, bundlePath, { includeCheckpoints: true, now: () => 1_700_000_000_000 });
  bundleText = readFileSync(bundlePath, 'utf8');
});
afterAll(() => {
  src.close();
  t.cleanup();
});

/** Everything a user sees of a store, with local ids replaced by stable keys. */
function content(s: Store): unknown {
  const runKey = new Map<number, string>();
  const exps = s.experiments.list().sort((a, b) => a.uid.localeCompare(b.uid));
  const out = exps.map((e) => {
    const runs = s.runs.listByExperiment(e.id).map((r) => {
      runKey.set(r.id, r.uid);
      const metrics = Object.fromEntries(
        s.metrics.names(r.id).map((n) => {
          const ser = s.metrics.series(r.id, n);
          return [n, { ...ser, runId: r.uid, values: ser.values.map(String) }];
        }),
      );
      const checkpoints = s.checkpoints.list(r.id).map((c) => {
        const full = s.checkpoints.get(c.id)!;
        return { ...full, id: 0, runId: 0, weights: full.weights, optimizer: full.optimizer };
      });
      const samples = s.samples.list(r.id).map((x) => ({ ...x, id: 0, runId: r.uid }));
      const ds =
        r.datasetId === null ? null : { ...s.datasets.require(r.datasetId), id: 0, createdAt: 0 };
      return {
        ...r,
        id: 0,
        experimentId: 0,
        datasetId: ds,
        heartbeatAt: null,
        ownerPid: null,
        ownerHost: null,
        metrics,
        checkpoints,
        samples,
      };
    });
    return { ...e, id: 0, runs };
  });
  const analyses = s.analyses.list().map((a) => ({
    ...a,
    id: 0,
    experimentId: a.experimentId === null ? null : s.experiments.require(a.experimentId).uid,
    runIds: a.runIds.map((r) => runKey.get(r)),
  }));
  return { experiments: out, analyses };
}

describe('JSON bundle', () => {
  it('has the documented envelope and a checksum over the data text', () => {
    const b = JSON.parse(bundleText) as Record<string, unknown>;
    expect(Object.keys(b)).toEqual([
      'format',
      'version',
      'createdAt',
      'producer',
      'includesCheckpoints',
      'data',
      'checksum',
    ]);
    expect(b).toMatchObject({ format: 'homolab-bundle', version: 1, includesCheckpoints: true });
    const digest = createHash('sha256').update(JSON.stringify(b.data)).digest('hex');
    expect(b.checksum).toBe(`sha256:${digest}`);
  });

  it('round-trips into a fresh store with identical content, new ids, and detects re-import', () => {
    const dst = openTemp(t, 'dst.db');
    // Shift ids in the destination so the importer must remap them.
    const filler = dst.experiments.create({ name: 'filler', spec: {} });
    dst.runs.create({ experimentId: filler.id, name: 'f', variant: {}, initSeed: 0, dataSeed: 0 });
    dst.metrics.insert([
      { runId: 1, name: 'zzz-first-name', step: 0, tokens: 0, wallMs: 0, value: 0 },
    ]);
    const res = importBundle(dst, bundlePath);
    expect(res.counts).toMatchObject({
      experiments: 2,
      runs: 3,
      checkpoints: 3,
      analyses: 2,
      samples: 3,
    });
    expect(Object.values(res.runIds)).not.toEqual(Object.keys(res.runIds).map(Number));
    dst.experiments.delete(filler.id);
    // Recovery interrupted the fixture's still-running run when src was... no: it is running
    // in src under this live process; an import has no owner, so it arrives interrupted.
    const a = content(src) as {
      experiments: { runs: { status: string; statusReason: string | null }[] }[];
    };
    for (const e of a.experiments)
      for (const r of e.runs)
        if (r.status === 'running')
          Object.assign(r, { status: 'interrupted', statusReason: 'imported while running' });
    expect(content(dst)).toEqual(a);

    const before = dumpStore(dst);
    expect(() => importBundle(dst, bundlePath)).toThrow(DuplicateImportError);
    expect(() => importBundle(dst, bundlePath)).toThrow(/already imported/);
    expect(dumpStore(dst)).toBe(before);
    dst.close();
  });

  it('detects an experiment already present even from a different bundle file', async () => {
    const other = t.file('again.json');
    await exportBundle(src, other, { now: () => 42 }); // different checksum (createdAt is outside data, but no checkpoints)
    const dst = openTemp(t, 'dup.db');
    importBundle(dst, bundlePath);
    expect(() => importBundle(dst, other)).toThrow(/experiment .* is already in this store/s);
    dst.close();
  });

  describe('hostile imports are rejected with clear errors and leave the store unchanged', () => {
    let dst: Store;
    let before: string;
    let fileHashBefore: string;
    beforeAll(() => {
      dst = openTemp(t, 'victim.db');
      populate(dst, 2);
      dst.checkpointWal();
      before = dumpStore(dst);
      fileHashBefore = createHash('sha256')
        .update(readFileSync(t.file('victim.db')))
        .digest('hex');
    });
    afterAll(() => dst.close());

    const good = (): Record<string, unknown> => JSON.parse(bundleText) as Record<string, unknown>;
    /** Re-seals a modified bundle so only the intended defect remains. */
    const seal = (b: Record<string, unknown>): string => {
      b.checksum = `sha256:${createHash('sha256').update(JSON.stringify(b.data)).digest('hex')}`;
      return JSON.stringify(b);
    };
    // The mutators poke at arbitrary depths of parsed JSON; `any` keeps them one-liners.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const mutate = (f: (d: Record<string, any>) => void): string => {
      const b = good();
      f(b.data as Record<string, unknown>);
      return seal(b);
    };

    const cases: [string, () => string, RegExp][] = [
      [
        'truncated JSON',
        () => bundleText.slice(0, Math.floor(bundleText.length / 2)),
        /not valid JSON .*truncated/,
      ],
      ['empty file', () => '', /not valid JSON/],
      ['not an object', () => '[1,2]', /must be a JSON object/],
      [
        'wrong format',
        () => seal({ ...good(), format: 'other' }),
        /\$\.format: not a Homolab bundle/,
      ],
      [
        'wrong version',
        () => seal({ ...good(), version: 2 }),
        /\$\.version: unsupported bundle version 2; this build reads version 1/,
      ],
      [
        'extra top-level key',
        () => seal({ ...good(), extra: 1 }),
        /\$: Unrecognized key.*\(extra\)/,
      ],
      [
        'extra nested key',
        () => mutate((d) => (d.runs[1].hacked = true)),
        /\$\.data\.runs\[1\]: Unrecognized key.*\(hacked\)/,
      ],
      [
        '__proto__ key',
        () => bundleText.replace('"spec":{', '"spec":{"__proto__":{"polluted":1},'),
        /\$\.data\.experiments\[0\]\.spec\.__proto__: forbidden key "__proto__"/,
      ],
      [
        'constructor key',
        () => mutate((d) => (d.runs[0].variant = JSON.parse('{"constructor":{"prototype":{}}}'))),
        /forbidden key "constructor"/,
      ],
      [
        '1e309',
        () => bundleText.replace(/"wallMs":\[0,/, '"wallMs":[1e309,'),
        /\$\.data\.metrics\[0\]\.wallMs\[0\]: number out of range \(Infinity\)/,
      ],
      [
        '-1e309 in a spec',
        () => bundleText.replace('"spec":{', '"spec":{"x":-1e309,'),
        /spec\.x: number out of range \(-Infinity\)/,
      ],
      [
        'deeply nested',
        () =>
          bundleText.replace('"spec":{', `"spec":{"x":${'['.repeat(10_000)}${']'.repeat(10_000)},`),
        /nesting deeper than 64 levels/,
      ],
      [
        'wrong type',
        () => mutate((d) => (d.runs[2].initSeed = '3')),
        /\$\.data\.runs\[2\]\.initSeed: Invalid input: expected number, received string/,
      ],
      [
        'bad status',
        () => mutate((d) => (d.runs[0].status = 'exploded')),
        /\$\.data\.runs\[0\]\.status: Invalid option/,
      ],
      [
        'non-integer step',
        () => mutate((d) => (d.metrics[0].steps[3] = 2.5)),
        /\$\.data\.metrics\[0\]\.steps\[3\]/,
      ],
      [
        'bad metric value',
        () => mutate((d) => (d.metrics[0].values[0] = 'Inf')),
        /\$\.data\.metrics\[0\]\.values\[0\]/,
      ],
      [
        'dangling run reference',
        () => mutate((d) => (d.metrics[1].runId = 999)),
        /\$\.data\.metrics\[1\]\.runId: refers to run 999/,
      ],
      ['ragged series', () => mutate((d) => d.metrics[0].values.pop()), /same length/],
      [
        'corrupt checkpoint blob',
        () =>
          mutate(
            (d) =>
              (d.checkpoints[0].weights = Buffer.from('garbage-bytes-here!!').toString('base64')),
          ),
        /\$\.data\.checkpoints\[0\]\.weights: corrupt tensor blob/,
      ],
      [
        'tampered data (checksum)',
        () => bundleText.replace('"name":"run 0"', '"name":"run X"'),
        /\$\.checksum: checksum mismatch/,
      ],
      [
        'missing section',
        () => mutate((d) => delete d.samples),
        /\$\.data\.samples: Invalid input/,
      ],
    ];
    for (const [name, make, msg] of cases)
      it(name, () => {
        const file = t.file(`hostile-${name.replace(/\W+/g, '-')}.json`);
        writeFileSync(file, make());
        let err: unknown;
        try {
          importBundle(dst, file);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(BundleError);
        expect((err as Error).message).toMatch(msg);
        expect(dumpStore(dst)).toBe(before);
      });

    it('a 2 GB file is rejected by size without being read', () => {
      const file = t.file('huge.json');
      const fd = openSync(file, 'w');
      ftruncateSync(fd, 2 * 1024 ** 3); // sparse: no 2 GB written
      closeSync(fd);
      const t0 = performance.now();
      expect(() => importBundle(dst, file)).toThrow(
        /2,147,483,648 bytes, over the 536,870,912-byte import limit; nothing was read/,
      );
      expect(performance.now() - t0).toBeLessThan(500);
      expect(() => importBundle(dst, bundlePath, { maxBytes: 100 })).toThrow(/import limit/);
    });

    it('the database file is byte-for-byte unchanged', () => {
      dst.checkpointWal();
      expect(
        createHash('sha256')
          .update(readFileSync(t.file('victim.db')))
          .digest('hex'),
      ).toBe(fileHashBefore);
      expect(dumpStore(dst)).toBe(before);
    });
  });
});

describe('backup', () => {
  it('copies an open store that is being written to, consistently', async () => {
    const b = t.file('backup.db');
    const e = src.experiments.require(1);
    const r = src.runs.create({
      experimentId: e.id,
      name: 'live',
      variant: {},
      initSeed: 9,
      dataSeed: 9,
    });
    const w = src.metrics.writer({ batchSize: 100 });
    for (let i = 0; i < 5000; i++) w.addStep(r.id, i, i, i, { loss: i });
    w.flush();
    let progressCalls = 0;
    await src.backup(b, { pagesPerStep: 2, onProgress: () => progressCalls++ });
    expect(progressCalls).toBeGreaterThan(1);
    const { openStore } = await import('../../db/store');
    const copy = openStore(b, { recover: false });
    expect(copy.integrityCheck()).toEqual(['ok']);
    expect(dumpStore(copy)).toBe(dumpStore(src));
    copy.close();
  });
});
