/**
 * `homolab serve` under hostile clients, against a real lab (real SQLite store): bad WebSocket
 * frames close only the offending socket with the right close code, failed logins cannot lock
 * out holders of a valid token, API errors carry matching HTTP statuses and JSON bodies, and
 * nothing internal (messages, stacks) reaches a client.
 */
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Served } from '../../src/server';
import { FailureLimiter } from '../../src/server/security';
import { getPreset } from '../../src/experiments/spec/presets';
import { apiPost, login, openWs, raw, tempServeDir } from './http-helpers';

let tmp: ReturnType<typeof tempServeDir>;
let served: Served;
let port: number;
let cookie: string;
const origin = () => `http://127.0.0.1:${port}`;
const auth = () => ({ Cookie: cookie, Origin: origin() });

beforeAll(async () => {
  tmp = tempServeDir('homolab-harden-');
  served = await startServer({
    dbPath: join(tmp.dir, 'lab.sqlite'),
    rendererDir: tmp.rendererDir,
    limiter: new FailureLimiter(5, 60_000),
    log: () => {},
  });
  port = served.port;
  cookie = await login(port, served.token);
});

afterAll(async () => {
  await served?.close();
  tmp.cleanup();
});

/** Sends `data` as one text frame and resolves with the close code the server answers. */
function closeCodeAfter(ws: WebSocket, data: Buffer): Promise<number> {
  return new Promise((resolve) => {
    ws.once('close', (code) => resolve(code));
    ws.on('error', () => {});
    ws.send(data, { binary: false });
  });
}

describe('WebSocket clients that misbehave', () => {
  it('closes a socket sending invalid UTF-8 with 1007 and one over the size limit with 1009, and keeps serving others', async () => {
    const bystander = await openWs(port, auth());
    const received: string[] = [];
    bystander.on('message', (m) => received.push(String(m)));

    const bad = await openWs(port, auth());
    expect(await closeCodeAfter(bad, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toBe(1007);
    const big = await openWs(port, auth());
    expect(await closeCodeAfter(big, Buffer.alloc(70 * 1024, 0x61))).toBe(1009);

    // The server is still up: HTTP answers, and the other socket still gets events.
    const api = await apiPost(port, 'listExperiments', {}, auth());
    expect(api.status).toBe(200);
    served.lab.events.emit({ type: 'experiments.changed' });
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toContain(JSON.stringify({ type: 'experiments.changed' }));
    expect(bystander.readyState).toBe(WebSocket.OPEN);
    bystander.close();
  });
});

describe('training while a client misbehaves', () => {
  it('keeps training: the runs complete, none is left running', async () => {
    const watcher = await openWs(port, auth());
    const events: { type: string; status?: string; experimentId?: number }[] = [];
    watcher.on('message', (m) => events.push(JSON.parse(String(m)) as (typeof events)[number]));
    const spec = getPreset('seed-sweep').spec('tiny') as Record<string, unknown>;
    spec.axes = { grid: { initSeed: [0, 1] } };
    spec.training = { ...(spec.training as object), steps: 60 };
    const res = await apiPost(
      port,
      'createExperiment',
      { name: 'under fire', spec, start: true },
      auth(),
    );
    expect(res.status).toBe(200);
    const id = (JSON.parse(res.body) as { result: { id: number } }).result.id;
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 1200 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(pred()).toBe(true);
    };
    await until(() => events.some((e) => e.type === 'run.progress'));
    for (const frame of [Buffer.from([0xc3, 0x28]), Buffer.alloc(100 * 1024, 0x62)]) {
      const bad = await openWs(port, auth());
      await closeCodeAfter(bad, frame);
    }
    const statuses = () => served.lab.store.runs.listByExperiment(id).map((r) => r.status);
    await until(() => statuses().every((s) => s !== 'running' && s !== 'queued'));
    watcher.close();
    expect(statuses()).toEqual(['completed', 'completed']);
  });
});

describe('failed logins cannot lock out a valid token', () => {
  it('lets a cookie, a Bearer token and the launch token through while the address is blocked', async () => {
    for (let i = 0; i < 12; i++) await raw(port, { path: '/api/listExperiments' });
    // Unauthenticated requests from this address are now refused outright…
    expect((await raw(port, { path: '/' })).status).toBe(429);
    expect((await raw(port, { path: '/?token=wrong' })).status).toBe(429);
    // …but every holder of a valid credential still passes.
    expect((await apiPost(port, 'listExperiments', {}, auth())).status).toBe(200);
    const bearer = await apiPost(
      port,
      'listExperiments',
      {},
      { Authorization: `Bearer ${served.token}` },
    );
    expect(bearer.status).toBe(200);
    expect((await raw(port, { path: `/?token=${served.token}` })).status).toBe(302);
    const ws = await openWs(port, auth());
    ws.close();
  });
});

describe('HTTP statuses and JSON error bodies', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    raw(port, {
      method: 'POST',
      path,
      headers: { ...auth(), 'Content-Type': 'application/json', ...headers },
      body,
    });
  const error = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

  it('answers 400 to bad JSON and to a bad percent-encoding in the path, not 500', async () => {
    const badJson = await post('/api/listExperiments', '{"a":');
    expect(badJson.status).toBe(400);
    expect(error(badJson.body)).toBe('invalid_input');
    const badPath = await post('/api/%E0%A4%A', '{}');
    expect(badPath.status).toBe(400);
    expect(error(badPath.body)).toBe('invalid_input');
  });

  it('answers 415 to non-JSON content types, application/jsonx included', async () => {
    for (const type of ['application/jsonx', 'text/plain', 'application/json-patch+json']) {
      const res = await post('/api/listExperiments', '{}', { 'Content-Type': type });
      expect(res.status, type).toBe(415);
      expect(error(res.body)).toBe('unsupported_media_type');
    }
    expect(
      (
        await post('/api/listExperiments', '{}', {
          'Content-Type': 'application/json; charset=utf-8',
        })
      ).status,
    ).toBe(200);
  });

  it('answers 404, 400, 409 and 401 with the code in a JSON body', async () => {
    const unknown = await post('/api/dropTables', '{}');
    expect([unknown.status, error(unknown.body)]).toEqual([404, 'unknown_operation']);
    const missing = await post('/api/getExperiment', '{"id": 424242}');
    expect([missing.status, error(missing.body)]).toEqual([404, 'not_found']);
    const invalid = await post('/api/renameExperiment', '{"id": "x"}');
    expect([invalid.status, error(invalid.body)]).toEqual([400, 'invalid_input']);
    const exp = served.lab.store.experiments.create({ name: 'idle', spec: {} });
    const paused = await post('/api/pauseRuns', JSON.stringify({ experimentId: exp.id }));
    expect([paused.status, error(paused.body)]).toEqual([409, 'conflict']);
    const anon = await raw(port, {
      method: 'POST',
      path: '/api/listExperiments',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer nope' },
      body: '{}',
    });
    expect(anon.status === 401 || anon.status === 429).toBe(true);
    expect(['unauthorized', 'rate_limited']).toContain(error(anon.body));
  });

  it('answers 413 to a body over the limit', async () => {
    const s = await startServer({
      dbPath: join(tmp.dir, 'small.sqlite'),
      rendererDir: tmp.rendererDir,
      log: () => {},
    });
    try {
      const c = await login(s.port, s.token);
      // Through the transport directly: a small limit keeps the test fast.
      const { startHttpTransport } = await import('../../src/server/http-server');
      const t = await startHttpTransport({
        dispatcher: s.lab.dispatcher,
        events: s.lab.events,
        rendererDir: tmp.rendererDir,
        token: s.token,
        maxBodyBytes: 1024,
      });
      try {
        const res = await raw(t.port, {
          method: 'POST',
          path: '/api/listExperiments',
          headers: {
            Authorization: `Bearer ${s.token}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({ pad: 'x'.repeat(4096) }),
        });
        expect(res.status).toBe(413);
        expect(error(res.body)).toBe('too_large');
      } finally {
        await t.close();
      }
      expect(c).toMatch(/homolab_session=/);
    } finally {
      await s.close();
    }
  });

  it('never sends an internal message or stack: unknown run ids are 404, bugs are a generic 500 with an id', async () => {
    const res = await post('/api/exportData', '{"format":"csv","runIds":[987654]}');
    expect(res.status).toBe(404);
    expect(error(res.body)).toBe('not_found');
    expect(res.body).not.toMatch(/export:|at \w+ \(|\.ts:\d+/);

    // A handler that throws an unexpected error: the client gets an id, the log the details.
    const { createDispatcher } = await import('../../src/api/dispatcher');
    const { OPERATION_NAMES } = await import('../../src/api/contract');
    const handlers = Object.fromEntries(
      OPERATION_NAMES.map((n) => [
        n,
        () => {
          throw new TypeError('secret internal detail /home/user/lab.sqlite');
        },
      ]),
    );
    const logged: string[] = [];
    const d = createDispatcher(handlers as never, (name, err, id) =>
      logged.push(`${name} ${id} ${(err as Error).message}`),
    );
    const { startHttpTransport } = await import('../../src/server/http-server');
    const t = await startHttpTransport({
      dispatcher: d,
      events: served.lab.events,
      rendererDir: tmp.rendererDir,
      token: served.token,
    });
    try {
      const bug = await raw(t.port, {
        method: 'POST',
        path: '/api/listExperiments',
        headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(bug.status).toBe(500);
      const body = JSON.parse(bug.body) as {
        error: { code: string; message: string; errorId: string };
      };
      expect(body.error.code).toBe('internal');
      expect(body.error.message).not.toContain('secret');
      expect(body.error.message).toContain(body.error.errorId);
      expect(logged).toEqual([
        `listExperiments ${body.error.errorId} secret internal detail /home/user/lab.sqlite`,
      ]);
    } finally {
      await t.close();
    }
  });
});
