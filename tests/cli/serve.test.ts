/**
 * `homolab serve` through the real CLI in a child process: it prints a token URL, binds to
 * loopback, refuses requests without the token, accepts the token exchange, and stops cleanly
 * on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('homolab serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homolab-serve-'));
  const child = spawn(
    process.execPath,
    [join(root, 'bin/homolab.js'), 'serve', '--json', '--db', join(dir, 'lab.sqlite')],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const served = new Promise<{ url: string }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"serving"'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints a loopback URL with a token, and guards the API with it', async () => {
    const { url } = await served;
    const u = new URL(url);
    expect(u.hostname).toBe('127.0.0.1');
    const token = u.searchParams.get('token');
    expect(token && token.length).toBeGreaterThanOrEqual(32);

    const anon = await fetch(new URL('/api/listExperiments', u.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anon.status).toBe(401);

    const login = await fetch(url, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    const page = await fetch(new URL('/', u.origin), {
      headers: { cookie: cookie.split(';')[0] },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
  });

  it('stops on SIGTERM with exit code 0', async () => {
    await served;
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
