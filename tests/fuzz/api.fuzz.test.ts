/**
 * The serve transport under property-based fuzzing: random operation names (real ones,
 * junk, broken percent-encoding), methods, content types, auth and bodies (JSON of any shape,
 * raw bytes, truncated JSON) against a real lab. Properties: the server never answers 500 and
 * never goes down; every /api/ answer is the JSON envelope with the status of its error code;
 * a refused request leaves the store's content identical. Operations that would start
 * training or write files are left out of the name pool (their validation is covered by the
 * spec fuzz and the hardening tests).
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_NAMES } from '../../src/api/contract';
import { HTTP_STATUS } from '../../src/api/errors';
import { startServer, type Served } from '../../src/server';
import { raw, tempServeDir } from '../server/http-helpers';
import { fuzzSeed, hostileString, storeFingerprint } from './fuzz-setup';

export const HTTP_CASES = 700;

const UNSAFE_TO_FUZZ = new Set([
  'createExperiment',
  'startExperiment',
  'resumeRuns',
  'analyzeExperiment',
  'runStudy',
  'uploadCorpus',
  'saveFile',
  'openFile',
]);
const SAFE_OPS = OPERATION_NAMES.filter((n) => !UNSAFE_TO_FUZZ.has(n));
const ALLOWED = new Set([200, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429]);

let tmp: ReturnType<typeof tempServeDir>;
let served: Served;

beforeAll(async () => {
  tmp = tempServeDir('homolab-fuzz-http-');
  served = await startServer({
    dbPath: join(tmp.dir, 'lab.sqlite'),
    rendererDir: tmp.rendererDir,
    log: () => {},
  });
  const e = served.lab.store.experiments.create({ name: 'there', spec: {} });
  served.lab.store.runs.create({
    experimentId: e.id,
    name: 'r',
    variant: { index: 0, axes: {}, model: {}, training: { steps: 1 } },
    initSeed: 1,
    dataSeed: 1,
  });
});
afterAll(async () => {
  await served?.close();
  tmp.cleanup();
});

const opName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SAFE_OPS) },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 8 })
      .map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('')),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^(%[0-9A-Fa-fg]{0,2}|[a-zA-Z.]){1,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '..%2f..%2fetc', '') },
);
const idish = fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(2 ** 53, 1.5, '1', null));
const payload = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        id: idish,
        experimentId: idish,
        experimentIds: fc.array(idish, { maxLength: 3 }),
        runIds: fc.array(idish, { maxLength: 3 }),
        name: hostileString,
        notes: hostileString,
        format: fc.constantFrom('csv', 'json', 'parquet', 'xml'),
        content: hostileString,
        filename: hostileString,
        spec: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
);
const body = fc.oneof(
  { weight: 6, arbitrary: payload.map((p) => Buffer.from(JSON.stringify(p) ?? 'null')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: payload.map((p) => Buffer.from((JSON.stringify(p) ?? '').slice(0, -1))) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);
const request = fc.record({
  op: opName,
  method: fc.oneof(
    { weight: 8, arbitrary: fc.constant('POST') },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE') },
  ),
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'application/jsonx',
        'text/plain',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        '',
        'multipart/form-data',
      ),
    },
  ),
  auth: fc.oneof(
    { weight: 8, arbitrary: fc.constant('bearer') },
    { weight: 1, arbitrary: fc.constantFrom('none', 'wrong') },
  ),
  body,
});

describe('serve API fuzz', () => {
  it(`answers ${HTTP_CASES} random requests with an allowed status, never 500, refusals change nothing`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (q) => {
        const before = storeFingerprint(served.lab.store);
        const headers: Record<string, string> = {};
        if (q.contentType) headers['Content-Type'] = q.contentType;
        if (q.auth === 'bearer') headers.Authorization = `Bearer ${served.token}`;
        if (q.auth === 'wrong') headers.Authorization = 'Bearer wrong';
        const res = await raw(served.port, {
          method: q.method,
          path: `/api/${q.op}`,
          headers,
          body: q.body,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(ALLOWED.has(res.status), `${res.status} ${res.body}`).toBe(true);
        // `/api/..` and the like normalise out of /api/ (the static files answer those).
        if (!new URL(`/api/${q.op}`, 'http://x').pathname.startsWith('/api/')) return;
        const envelope = JSON.parse(res.body) as { ok: boolean; error?: { code: string } };
        if (res.status !== 200) {
          expect(envelope.ok).toBe(false);
          if (res.status !== 405)
            expect(HTTP_STATUS[envelope.error!.code as keyof typeof HTTP_STATUS]).toBe(res.status);
          expect(storeFingerprint(served.lab.store)).toBe(before);
        }
      }),
      fuzzSeed('http', HTTP_CASES),
    );
    console.log(`fuzz http: statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    // Still serving.
    const ok = await raw(served.port, {
      method: 'POST',
      path: '/api/listExperiments',
      headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(ok.status).toBe(200);
  });
});
