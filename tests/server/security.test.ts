/**
 * `homolab serve` access control against a real lab (real SQLite store): token → cookie, 401
 * without it, Host (DNS rebinding) and Origin (cross-site) checks on HTTP and on the WebSocket
 * upgrade, rate-limited failures, loopback-only default, security headers.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Served } from '../../src/server';
import { FailureLimiter } from '../../src/server/security';
import { apiPost, login, openWs, raw } from './http-helpers';

let dir: string;
let served: Served;
let port: number;
let cookie: string;
const origin = () => `http://127.0.0.1:${port}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'homolab-serve-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Homolab</title>');
  served = await startServer({
    dbPath: join(dir, 'lab.sqlite'),
    rendererDir,
    limiter: new FailureLimiter(100, 60_000),
    log: () => {},
  });
  port = served.port;
  cookie = await login(port, served.token);
});

afterAll(async () => {
  await served?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('authentication', () => {
  it('prints a loopback URL carrying a long random token', () => {
    expect(served.host).toBe('127.0.0.1');
    expect(served.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[A-Za-z0-9_-]{40,}$`),
    );
  });

  it('answers 401 to the page and the API without a session', async () => {
    expect((await raw(port, { path: '/' })).status).toBe(401);
    expect((await apiPost(port, 'listExperiments', {})).status).toBe(401);
  });

  it('exchanges the token for an HttpOnly SameSite=Strict cookie and a clean URL', async () => {
    const res = await raw(port, { path: `/?token=${served.token}` });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).not.toContain(served.token);
  });

  it('serves the app and the API with the session cookie', async () => {
    const page = await raw(port, { path: '/', headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const api = await apiPost(port, 'listExperiments', {}, { Cookie: cookie, Origin: origin() });
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body)).toEqual({ ok: true, result: [] });
  });

  it('accepts the token as a bearer header for scripts', async () => {
    const api = await apiPost(
      port,
      'listExperiments',
      {},
      { Authorization: `Bearer ${served.token}` },
    );
    expect(JSON.parse(api.body).ok).toBe(true);
    const bad = await apiPost(port, 'listExperiments', {}, { Authorization: 'Bearer nope' });
    expect(bad.status).toBe(401);
  });

  it('rejects a forged cookie', async () => {
    const res = await apiPost(port, 'listExperiments', {}, { Cookie: 'homolab_session=forged' });
    expect(res.status).toBe(401);
  });
});

describe('Host and Origin checks', () => {
  it('answers 403 to a foreign Host even with a valid session (DNS rebinding)', async () => {
    const res = await raw(port, {
      path: '/',
      headers: { Cookie: cookie, Host: `evil.example:${port}` },
    });
    expect(res.status).toBe(403);
    const api = await apiPost(
      port,
      'listExperiments',
      {},
      { Cookie: cookie, Host: 'evil.example' },
    );
    expect(api.status).toBe(403);
  });

  it('accepts localhost as Host', async () => {
    const res = await raw(port, {
      path: '/',
      headers: { Cookie: cookie, Host: `localhost:${port}` },
    });
    expect(res.status).toBe(200);
  });

  it('rejects a POST from a foreign Origin', async () => {
    const res = await apiPost(
      port,
      'listExperiments',
      {},
      { Cookie: cookie, Origin: 'http://evil.example' },
    );
    expect(res.status).toBe(403);
    const sneaky = await apiPost(
      port,
      'listExperiments',
      {},
      { Cookie: cookie, Origin: `https://127.0.0.1:${port}` },
    );
    expect(sneaky.status).toBe(403);
  });

  it('rejects a WebSocket upgrade from a foreign Origin, without a session, or with a foreign Host', async () => {
    await expect(openWs(port, { Cookie: cookie, Origin: 'http://evil.example' })).rejects.toThrow(
      /403/,
    );
    await expect(openWs(port, { Origin: origin() })).rejects.toThrow(/401/);
    await expect(
      openWs(port, { Cookie: cookie, Origin: origin(), Host: 'evil.example' }),
    ).rejects.toThrow(/403/);
  });

  it('pushes events over an authorised WebSocket', async () => {
    const ws = await openWs(port, { Cookie: cookie, Origin: origin() });
    const got = new Promise<string>((resolve) => ws.once('message', (m) => resolve(String(m))));
    served.lab.events.emit({ type: 'experiments.changed' });
    expect(JSON.parse(await got)).toEqual({ type: 'experiments.changed' });
    ws.close();
  });
});

describe('payloads and files', () => {
  const auth = () => ({ Cookie: cookie, Origin: origin() });

  it('validates payloads and names the bad field', async () => {
    const res = JSON.parse(
      (await apiPost(port, 'renameExperiment', { id: 'x', name: '' }, auth())).body,
    );
    expect(res.ok).toBe(false);
    expect(res.error.code).toBe('invalid_input');
    expect(res.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['id', 'name']);
  });

  it('refuses unknown operations and non-JSON bodies', async () => {
    const res = JSON.parse((await apiPost(port, 'dropTables', {}, auth())).body);
    expect(res.error.code).toBe('unknown_operation');
    const r2 = await raw(port, {
      method: 'POST',
      path: '/api/listExperiments',
      headers: { ...auth(), 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(r2.status).toBe(415);
  });

  it('does not serve files outside the renderer folder', async () => {
    const res = await raw(port, { path: '/%2e%2e/%2e%2e/lab.sqlite', headers: { Cookie: cookie } });
    expect(res.status).not.toBe(200);
    const res2 = await raw(port, { path: '/..%2flab.sqlite', headers: { Cookie: cookie } });
    expect(res2.body).not.toContain('SQLite');
  });
});

describe('rate limiting and binding', () => {
  it('refuses a client after repeated authentication failures', async () => {
    const s = await startServer({
      dbPath: join(dir, 'limit.sqlite'),
      rendererDir: join(dir, 'renderer'),
      limiter: new FailureLimiter(3, 60_000),
      log: () => {},
    });
    try {
      for (let i = 0; i < 3; i++)
        expect((await raw(s.port, { path: '/?token=wrong' })).status).toBe(401);
      expect((await raw(s.port, { path: '/?token=wrong' })).status).toBe(429);
      expect((await raw(s.port, { path: '/' })).status).toBe(429);
      // The right token still passes: failures from the same address (e.g. a web page's
      // no-cors requests) must not lock out the user; guessing 256 random bits stays hopeless.
      expect((await raw(s.port, { path: `/?token=${s.token}` })).status).toBe(302);
    } finally {
      await s.close();
    }
  });

  it('is not reachable on non-loopback addresses by default', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!external) return; // no non-loopback interface on this machine: nothing to reach
    await expect(raw(port, { host: external.address, path: '/' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('warns when bound to another address', async () => {
    const lines: string[] = [];
    const s = await startServer({
      dbPath: join(dir, 'wide.sqlite'),
      rendererDir: join(dir, 'renderer'),
      host: '0.0.0.0',
      log: (l) => lines.push(l),
    });
    try {
      expect(lines.join('\n')).toMatch(/WARNING: listening on 0\.0\.0\.0/);
      // Foreign names are still refused when listening widely.
      const res = await raw(s.port, { path: '/', headers: { Host: `evil.example:${s.port}` } });
      expect(res.status).toBe(403);
    } finally {
      await s.close();
    }
  });
});
