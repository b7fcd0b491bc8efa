/**
 * Lock contention between two real processes on one SQLite file: a long bundle import in one,
 * a stand-in training worker (metrics flushes, checkpoints with retention, heartbeats, a final
 * run transition) in the other, with a short SQLite busy timeout so any long lock hold would
 * surface as SQLITE_BUSY. The import must never hold the lock for more than about a second,
 * the writer must never fail, and readers must see the import all at once or not at all.
 * Also: the retry helper itself, and runs that once failed on a locked store are resumable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { bundleFixture } from '../bundle-fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../db/bundle/export';
import { isTransientStoreError, retryBusy, StoreBusyError } from '../../db/busy-retry';
import { openStore } from '../../db/store';
import { MIGRATIONS } from '../../db/schema';
import { migrate } from '../../db/migrate';
import { classifyError } from '../../src/experiments/execution/worker/errors';
import { tempDir, type TempDir } from './helpers';

const here = dirname(fileURLToPath(import.meta.url));
let t: TempDir;
let script: string;

beforeAll(async () => {
  t = tempDir();
  script = await bundleFixture(join(here, 'fixtures', 'contention-child.ts'), 'contention-child');
});
afterAll(() => {
  rmSync(script, { force: true });
  t.cleanup();
});

/** Spawns a child; resolves its stdout lines as they come and its exit. */
function child(args: string[]) {
  const proc: ChildProcess = spawn(process.execPath, [script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  let onLine: (() => void) | null = null;
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts.filter(Boolean));
    onLine?.();
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  const waitFor = (pred: (l: string) => boolean) =>
    new Promise<string>((res, rej) => {
      const check = () => {
        const l = lines.find(pred);
        if (l) {
          onLine = null;
          res(l);
        }
      };
      onLine = check;
      check();
      void exited.then(() => {
        check();
        rej(new Error(`child exited (${args[0]}): ${err || lines.join('\n')}`));
      });
    });
  return { proc, lines, waitFor, exited, stderr: () => err };
}

describe('two processes, one store', () => {
  it('a long import never blocks a training writer and appears all at once', async () => {
    // The bundle: one experiment, two runs, 400k metric points (a multi-second import).
    const bundle = t.file('big.json');
    const steps = 100_000;
    {
      const s = openStore(t.file('source.db'));
      const e = s.experiments.create({ name: 'big import', spec: {} });
      const variant = {
        index: 0,
        axes: {},
        model: { contextLength: 32, dModel: 64, nHeads: 4, nLayers: 2, dFF: 256 },
        training: { steps, batchSize: 16 },
      };
      for (const seed of [1, 2]) {
        const r = s.runs.create({
          experimentId: e.id,
          name: `r${seed}`,
          variant,
          initSeed: seed,
          dataSeed: 0,
        });
        const w = s.metrics.writer({ batchSize: 50_000 });
        for (let k = 0; k < steps; k++)
          w.addStep(r.id, k, k * 512, k * 3.5, { loss: 3 / (1 + k), lr: 1e-3 });
        w.flush();
      }
      await exportBundle(s, bundle);
      s.close();
    }

    const db = t.file('shared.db');
    const setup = openStore(db);
    const exp = setup.experiments.create({ name: 'training', spec: {} });
    const runId = setup.runs.create({
      experimentId: exp.id,
      name: 'worker',
      variant: {},
      initSeed: 1,
      dataSeed: 1,
    }).id;
    setup.close();

    const writer = child(['writer', db, String(runId), '250']);
    await writer.waitFor((l) => l === 'READY');
    const importer = child(['import', db, bundle]);
    await importer.waitFor((l) => l === 'READY');

    // A reader polls while the import runs: the imported experiment is absent or complete.
    const reader = new Database(db, { readonly: true });
    const seen = new Set<string>();
    const poll = setInterval(() => {
      const row = reader
        .prepare(
          `SELECT (SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.run_id
                   WHERE r.experiment_id = e.id) AS n
           FROM experiments e WHERE e.name = 'big import'
             AND (SELECT count(*) FROM pragma_table_info('experiments') WHERE name = 'staging') = 0
              OR (e.name = 'big import' AND e.staging IS NULL)`,
        )
        .get() as { n: number } | undefined;
      seen.add(row ? String(row.n) : 'absent');
    }, 20);

    const report = JSON.parse(await importer.waitFor((l) => l.startsWith('{'))) as {
      maxHoldMs: number;
      chunks: number;
      ms: number;
      error?: string;
    };
    clearInterval(poll);
    reader.close();
    writer.proc.stdin!.end();
    const w = JSON.parse(await writer.waitFor((l) => l.startsWith('{'))) as {
      writes: number;
      maxWriteMs: number;
      error: string | null;
    };
    await Promise.all([writer.exited, importer.exited]);
    console.log(
      `contention: import ${Math.round(report.ms)} ms in ${report.chunks} chunks, longest lock hold ` +
        `${Math.round(report.maxHoldMs)} ms; writer ${w.writes} writes, longest ${Math.round(w.maxWriteMs)} ms`,
    );

    expect(report.error).toBeUndefined();
    expect(w.error).toBeNull();
    expect(report.chunks).toBeGreaterThan(1);
    expect(report.maxHoldMs).toBeLessThan(1000);
    expect(w.writes).toBeGreaterThan(10);
    for (const s of seen) expect(['absent', String(4 * steps)]).toContain(s);

    const after = openStore(db);
    expect(after.runs.require(runId).status).toBe('completed');
    const imported = after.experiments.list().find((e) => e.name === 'big import')!;
    const runs = after.runs.listByExperiment(imported.id);
    expect(runs.map((r) => after.metrics.count(r.id))).toEqual([2 * steps, 2 * steps]);
    // Retention kept only the newest two checkpoints.
    expect(after.checkpoints.list(runId).length).toBeLessThanOrEqual(2);
    after.close();
  });
});

describe('the busy retry', () => {
  const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  const db = { inTransaction: false } as Database.Database;

  it('re-runs a write that found the store locked, with growing waits', () => {
    let calls = 0;
    const waits: number[] = [];
    const out = retryBusy(
      db,
      () => {
        if (++calls < 5) throw busy();
        return 'written';
      },
      { maxWaitMs: 60_000, sleep: (ms) => waits.push(ms), now: () => 0 },
    );
    expect(out).toBe('written');
    expect(calls).toBe(5);
    expect(waits.length).toBe(4);
    expect(waits[3]).toBeGreaterThan(waits[0]);
  });

  it('gives up after the window with a transient error that the worker treats as resumable', () => {
    let clock = 0;
    let err: unknown;
    try {
      retryBusy(
        db,
        () => {
          throw busy();
        },
        { maxWaitMs: 1000, sleep: (ms) => (clock += ms), now: () => clock },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreBusyError);
    expect(isTransientStoreError(err)).toBe(true);
    // Not 'run' (which fails the runs for good): the worker interrupts them instead.
    expect(classifyError(err).kind).toBe('store-busy');
    expect(classifyError(busy()).kind).toBe('store-busy');
  });

  it('does not retry other errors', () => {
    let calls = 0;
    expect(() =>
      retryBusy(
        db,
        () => {
          calls++;
          throw Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT' });
        },
        { maxWaitMs: 60_000, sleep: () => {} },
      ),
    ).toThrow('constraint');
    expect(calls).toBe(1);
  });

  it('turns runs that failed on a locked store into resumable interrupted runs', () => {
    // A store written by a build before the retry (schema v1), by hand.
    const file = t.file('old.db');
    const raw = new Database(file);
    migrate(raw, MIGRATIONS.slice(0, 1));
    raw.exec(
      `INSERT INTO experiments (id, uid, name, spec, created_at) VALUES (1, 'e', 'old', '{}', 0)`,
    );
    const insert = raw.prepare(
      `INSERT INTO runs (id, uid, experiment_id, name, variant, init_seed, data_seed, status,
         status_reason, error, created_at, started_at, ended_at)
       VALUES (?, ?, 1, ?, '{}', 1, 1, 'failed', ?, ?, 0, 0, 1)`,
    );
    const locked = 1;
    const broken = 2;
    for (const [id, error] of [
      [locked, 'SqliteError: database is locked\n    at flush (db/repos/metrics.ts:1)'],
      [broken, 'TypeError: x is undefined'],
    ] as const)
      insert.run(id, `u${id}`, `r${id}`, error.split('\n')[0], error);
    raw.close();
    const store = openStore(file);
    expect(store.runs.require(locked).status).toBe('interrupted');
    expect(store.runs.require(locked).statusReason).toMatch(/another process held the store lock/);
    expect(store.runs.require(broken).status).toBe('failed');
    expect(store.resumeRun(locked).run.status).toBe('running');
    store.close();
  });
});
