/** Shared helpers for the store tests: temp stores, a populated fixture, content dumps. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenStoreOptions, type Store } from '../../db/store';
import type { JsonObject, TensorMap } from '../../db/types';
import { Rng } from '../../src/core/rng';

export interface TempDir {
  dir: string;
  file(name: string): string;
  cleanup(): void;
}

export function tempDir(prefix = 'homolab-db-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function openTemp(t: TempDir, name = 'lab.db', opts?: OpenStoreOptions): Store {
  return openStore(t.file(name), opts);
}

export function tensors(rng: Rng, spec: Record<string, number[]>): TensorMap {
  const out: TensorMap = {};
  for (const [name, shape] of Object.entries(spec)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = rng.normal();
    out[name] = { shape, data };
  }
  return out;
}

/**
 * Fills a store with two experiments covering every table and awkward values: NaN and
 * ±Infinity metrics, formula-like and comma/quote names, newlines in text, unicode, nested
 * variants (shaped as the experiment code stores them, plus extra keys).
 */
export function populate(store: Store, seed = 1): { runIds: number[]; experimentIds: number[] } {
  const rng = new Rng(seed);
  const ds = store.datasets.create({
    kind: 'copy',
    name: 'copy-32',
    params: { length: 32, vocab: 16 },
    contentHash: 'abc123',
    tokenizer: { kind: 'char', version: 1, chars: ['a', 'b'], pad: '#' },
  });
  const e1 = store.experiments.create({
    name: 'seeds, "quoted"',
    spec: { base: { dModel: 64 }, axes: [{ initSeed: [1, 2] }] },
    notes: 'héllo ✓',
  });
  const e2 = store.experiments.create({ name: '=cmd|evil', spec: { x: 1 } });
  const runIds: number[] = [];
  const dims = { contextLength: 32, nLayers: 2, dFF: 128 };
  const training = { steps: 300, batchSize: 8 };
  const variants: JsonObject[] = [
    {
      index: 0,
      axes: { initSeed: 1 },
      model: { ...dims, dModel: 64, nHeads: 4, activation: 'gelu', tied: true },
      training: { ...training, lr: 0.001 },
    },
    {
      index: 1,
      axes: { initSeed: 2 },
      model: { ...dims, dModel: 32, nHeads: 2, activation: '-relu', tied: false },
      training: { ...training, lr: 0.01 },
      tags: [1, 2],
    },
    {
      index: 0,
      axes: {},
      model: { ...dims, dModel: 64, nHeads: 4 },
      training,
      extra: '@home\nsecond line',
    },
  ];
  variants.forEach((variant, i) => {
    const run = store.runs.create({
      experimentId: i < 2 ? e1.id : e2.id,
      datasetId: ds.id,
      name: i === 1 ? '+run, two' : `run ${i}`,
      variant,
      initSeed: i + 1,
      dataSeed: 7,
      backend: 'cpu',
      device: 'CPU',
      versions: { app: '0.1.0', tfjs: '4.22.0' },
    });
    runIds.push(run.id);
    store.runs.start(run.id);
    const w = store.metrics.writer({ batchSize: 97 });
    for (let s = 0; s < 300; s += 1 + (s % 3)) {
      let loss = 3 * Math.exp(-s / 100) + 0.1 * rng.next();
      if (i === 2 && s === 30) loss = NaN;
      if (i === 2 && s === 31) loss = Infinity;
      if (i === 2 && s === 34) loss = -Infinity;
      w.addStep(run.id, s, s * 128, s * 10.5, { loss, 'val/acc': rng.next() });
    }
    w.flush();
    store.checkpoints.save(run.id, {
      step: 150,
      tokens: 150 * 128,
      weights: tensors(rng, { 'emb.w': [8, 4], 'ln.g': [4] }),
      optimizer: tensors(rng, { 'adam.m.emb.w': [8, 4] }),
      dataCursor: { epoch: 0, offset: 150 },
      rngState: { init: [1, 2, 3, 4] },
    });
    store.samples.create({
      runId: run.id,
      step: 299,
      prompt: 'ab',
      output: 'abab',
      params: { t: 0.7 },
    });
    if (i === 0) store.runs.finish(run.id, 'completed');
    if (i === 1) store.runs.finish(run.id, 'failed', { error: 'boom' });
  });
  store.analyses.create({
    experimentId: e1.id,
    kind: 'cka-linear',
    runIds: [runIds[0], runIds[1]],
    step: 150,
    layers: [0, 1],
    params: { probe: 'p1' },
    result: {
      matrix: [
        [1, 0.5],
        [0.5, 1],
      ],
    },
  });
  store.analyses.create({ kind: 'top1', runIds: [runIds[2]], result: 0.25 });
  return { runIds, experimentIds: [e1.id, e2.id] };
}

/** A canonical text dump of every table (rows in primary-key order): equal dumps = same data. */
export function dumpStore(store: Store): string {
  const db = store.db;
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  const parts: string[] = [];
  for (const t of tables) {
    parts.push(`-- ${t}`);
    const ncols = (db.pragma(`table_info("${t}")`) as unknown[]).length;
    const order = Array.from({ length: ncols }, (_, i) => i + 1).join(', ');
    const rows = db.prepare(`SELECT * FROM "${t}" ORDER BY ${order}`).raw().all() as unknown[][];
    for (const r of rows)
      parts.push(
        JSON.stringify(r, (_k, v: unknown) =>
          Buffer.isBuffer(v)
            ? `blob:${createHash('sha256').update(v).digest('hex')}`
            : v === Infinity || v === -Infinity
              ? String(v)
              : v,
        ),
      );
  }
  parts.push(`-- user_version ${String(db.pragma('user_version', { simple: true }))}`);
  return parts.join('\n');
}

export function sha256File(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}
