/**
 * Bundle import under property-based fuzzing: a real exported bundle, mutated at random paths
 * (values swapped for hostile ones, keys removed or added, keys duplicated in the text, bytes
 * corrupted, text truncated), usually re-sealed with a matching checksum so the schema itself
 * is what must refuse. Properties: nothing but BundleError/DuplicateImportError escapes; a
 * refusal leaves the store's content identical; an accepted bundle is one the app can show
 * (dates format, steps and seeds in range, names safe for a terminal).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../db/bundle/export';
import { BundleError, DuplicateImportError, importBundle } from '../../db/bundle/import';
import type { Store } from '../../db/store';
import { LIMITS } from '../../src/core/limits';
import { unsafeCharIn } from '../../src/core/text/terminal-safe';
import { openTemp, populate, tempDir, type TempDir } from '../db/helpers';
import { edgeNumber, fuzzSeed, hostileString, storeFingerprint } from './fuzz-setup';

export const BUNDLE_CASES = 900;

let t: TempDir;
let base: Record<string, unknown>;
let victim: Store;

beforeAll(async () => {
  t = tempDir();
  const src = openTemp(t, 'src.db');
  populate(src);
  await exportBundle(src, t.file('base.json'), { includeCheckpoints: true });
  base = JSON.parse(readFileSync(t.file('base.json'), 'utf8')) as Record<string, unknown>;
  src.close();
  victim = openTemp(t, 'victim.db');
  populate(victim, 2);
});
afterAll(() => {
  victim.close();
  t.cleanup();
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const value = fc.oneof(
  // Plausible values too, so some mutated bundles are valid and exercise the write path.
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 16 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1000 }) },
  { weight: 3, arbitrary: edgeNumber },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, true, [], {}, 'NaN', '-Infinity') },
);
const path = fc.array(fc.nat(), { minLength: 1, maxLength: 7 });
const mutation = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), path, value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), path }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('add' as const), path, key: hostileString, value }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('duplicate-key' as const), pick: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bytes' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
    }),
  },
);
const bundleCase = fc.record({
  mutations: fc.array(mutation, { minLength: 1, maxLength: 2 }),
  reseal: fc.boolean(),
  bom: fc.boolean(),
});

/** Follows `picks` through objects/arrays; returns the parent container and key of the target. */
function locate(
  root: Json,
  picks: number[],
): [Json[] | Record<string, Json>, string | number] | null {
  let parent: Json[] | Record<string, Json> | null = null;
  let key: string | number = '';
  // Mostly inside `data`, where the rows are; sometimes the envelope.
  let node: Json = picks[0] % 5 ? (root as Record<string, Json>).data : root;
  for (const p of picks.slice(1)) {
    if (Array.isArray(node)) {
      if (!node.length) break;
      parent = node;
      key = p % node.length;
    } else if (node && typeof node === 'object') {
      const keys = Object.keys(node);
      if (!keys.length) break;
      parent = node;
      key = keys[p % keys.length];
    } else break;
    node = (parent as Record<string | number, Json>)[key];
  }
  return parent ? [parent, key] : null;
}

type BundleCase = typeof bundleCase extends fc.Arbitrary<infer T> ? T : never;

function build(c: BundleCase): Buffer {
  const b = structuredClone(base) as Json & Record<string, Json>;
  let textEdits: ((s: string) => string)[] = [];
  let byteEdits: ((x: Buffer) => Buffer)[] = [];
  for (const m of c.mutations) {
    if (m.kind === 'set' || m.kind === 'delete' || m.kind === 'add') {
      const at = locate(b, m.path);
      if (!at) continue;
      const [parent, key] = at;
      if (m.kind === 'set') (parent as Record<string | number, Json>)[key] = m.value;
      else if (m.kind === 'delete') {
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
      } else {
        const target = (parent as Record<string | number, Json>)[key];
        if (target && typeof target === 'object' && !Array.isArray(target)) target[m.key] = m.value;
      }
    } else if (m.kind === 'duplicate-key')
      textEdits.push((s) => {
        const keys = [...s.matchAll(/"(\w+)":/g)];
        if (!keys.length) return s;
        const k = keys[m.pick % keys.length];
        return `${s.slice(0, k.index)}"${k[1]}":0,${s.slice(k.index)}`;
      });
    else if (m.kind === 'truncate') textEdits.push((s) => s.slice(0, m.at % (s.length + 1)));
    else
      byteEdits.push((x) => {
        const y = Buffer.from(x);
        y.set(
          m.bytes.subarray(0, Math.max(0, y.length - (m.at % (y.length || 1)))),
          m.at % (y.length || 1),
        );
        return y;
      });
  }
  if (c.reseal && b.data !== undefined)
    b.checksum = `sha256:${createHash('sha256').update(JSON.stringify(b.data)).digest('hex')}`;
  let text = JSON.stringify(b);
  for (const e of textEdits) text = e(text);
  let bytes: Buffer = Buffer.from((c.bom ? '\uFEFF' : '') + text, 'utf8');
  for (const e of byteEdits) bytes = e(bytes);
  textEdits = [];
  byteEdits = [];
  return bytes;
}

/** What the app relies on when it shows an imported experiment. */
function assertShowable(s: Store, experimentIds: number[]): void {
  for (const id of experimentIds) {
    const e = s.experiments.require(id);
    expect(() => new Date(e.createdAt).toISOString()).not.toThrow();
    expect(unsafeCharIn(e.name)).toBeNull();
    for (const r of s.runs.listByExperiment(id)) {
      expect(unsafeCharIn(r.name)).toBeNull();
      const steps = (r.variant as { training: { steps: number } }).training.steps;
      expect(Number.isInteger(steps) && steps > 0 && steps <= LIMITS.steps).toBe(true);
      expect(r.initSeed >= 0 && r.initSeed <= LIMITS.seed).toBe(true);
      for (const c of s.checkpoints.list(r.id)) expect(c.step).toBeGreaterThanOrEqual(0);
    }
  }
}

describe('bundle import fuzz', () => {
  it(`refuses or imports ${BUNDLE_CASES} mutated bundles, never crashing and never half-writing`, () => {
    let accepted = 0;
    let refused = 0;
    const reasons = new Map<string, number>();
    const file = t.file('case.json');
    fc.assert(
      fc.property(bundleCase, (c) => {
        writeFileSync(file, build(c));
        const before = storeFingerprint(victim);
        let result;
        try {
          result = importBundle(victim, file);
        } catch (err) {
          if (!(err instanceof BundleError || err instanceof DuplicateImportError)) throw err;
          expect(storeFingerprint(victim)).toBe(before);
          refused++;
          const why = (err as Error).message.replace(/\[\d+\]/g, '[]').slice(0, 70);
          reasons.set(why, (reasons.get(why) ?? 0) + 1);
          return;
        }
        accepted++;
        const ids = Object.values(result.experimentIds);
        assertShowable(victim, ids);
        // Leave room for the next case to import the same uids and checksum again.
        for (const id of ids) victim.experiments.delete(id);
        victim.db.prepare('DELETE FROM imports WHERE id = ?').run(result.importId);
      }),
      fuzzSeed('bundles', BUNDLE_CASES),
    );
    console.log(`fuzz bundles: ${accepted} accepted, ${refused} refused`);
    if (process.env.HOMOLAB_FUZZ_REASONS)
      console.log([...reasons].sort((a, b) => b[1] - a[1]).slice(0, 25));
    expect(accepted + refused).toBe(BUNDLE_CASES);
    expect(refused).toBeGreaterThan(BUNDLE_CASES / 2);
  });
});
