/**
 * Shared by the fuzz suites: one seed per run, printed so any failure replays exactly
 * (`HOMOLAB_FUZZ_SEED=<n> npx vitest run tests/fuzz`), case counts that add up to the 2,000+
 * the suite promises, a fingerprint of a store's whole content to prove a refusal changed
 * nothing, and the strings an adversary would use.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { Store } from '../../db/store';
import { dumpStore } from '../db/helpers';

/** A fixed default keeps CI deterministic; set HOMOLAB_FUZZ_SEED to explore (or replay). */
export function fuzzSeed(suite: string, runs: number): fc.Parameters<unknown> {
  const env = process.env.HOMOLAB_FUZZ_SEED;
  const seed =
    env === 'random' ? (Date.now() ^ (Math.random() * 2 ** 31)) | 0 : Number(env ?? 20_261_116);
  console.log(`fuzz ${suite}: seed ${seed}, ${runs} cases (replay: HOMOLAB_FUZZ_SEED=${seed})`);
  return { seed, numRuns: runs, endOnFailure: true };
}

/** sha256 of every table's rows (primary-key order, blobs hashed): equal = same content. */
export function storeFingerprint(store: Store): string {
  return createHash('sha256').update(dumpStore(store)).digest('hex');
}

/** Strings that have broken parsers and terminals. */
export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(
    '',
    '\u001b[2J\u001b]0;owned\u0007',
    '\r\n',
    '\u0000',
    '\u202e',
    'a\ud800b',
    '\udc00',
    '__proto__',
    'constructor',
    '=cmd|evil',
    'x'.repeat(300),
    '😀',
    '\uFEFF',
  ),
);

/** Numbers at and around every boundary a schema might have. */
export const edgeNumber = fc.oneof(
  fc.integer({ min: -5, max: 300 }),
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    1e-9,
    2 ** 20,
    16_384,
    16_385,
    65_536,
    1e9,
    0xffffffff,
    2 ** 32,
    2 ** 53 - 1,
    -(2 ** 53 - 1),
    9e15,
    1e308,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
