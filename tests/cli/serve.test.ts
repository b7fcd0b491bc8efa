/**
 * `homolab serve` through the real CLI in a child process: it prints a token URL, binds to
 * loopback, refuses requests without the token, accepts the token exchange, says which backend
 * training will use (getOptions too) without Dawn's Vulkan warnings, says when no browser can
 * be opened, advertises itself to other CLI commands, refuses a port in use with a clear
 * error, and stops cleanly on SIGTERM. Vulkan is made unloadable (a broken libvulkan.so.1 on
 * the library path), so Dawn's warning is printed whenever a worker looks for a GPU.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('homolab serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homolab-serve-'));
  const db = join(dir, 'lab.sqlite');
  const noVulkan = join(dir, 'no-vulkan');
  mkdirSync(noVulkan);
  writeFileSync(join(noVulkan, 'libvulkan.so.1'), '');
  const emptyPath = join(dir, 'bin');
  mkdirSync(emptyPath);
  const bin = join(root, 'bin/homolab.js');
  const child = spawn(process.execPath, [bin, 'serve', '--json', '--open', '--db', db], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No opener on PATH (a headless box); no loadable Vulkan.
    env: { ...process.env, PATH: emptyPath, LD_LIBRARY_PATH: noVulkan, HOMOLAB_DEBUG: '' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines: Record<string, unknown>[] = [];
  let out = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d) => {
    out += d;
    let i;
    while ((i = out.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(out.slice(0, i)) as Record<string, unknown>);
      out = out.slice(i + 1);
      for (const w of waiters.splice(0)) w();
    }
  });
  const line = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const l = lines.find((x) => x.type === type);
        if (l) resolve(l);
        else waiters.push(check);
      };
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
      check();
    });
  const served = line('serving') as Promise<{ url: string }>;

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

  it('says when it cannot open a browser, and advertises itself to other commands', async () => {
    const { url } = await served;
    const control = `${db}.serve.json`;
    expect(existsSync(control)).toBe(true);
    expect(statSync(control).mode & 0o777).toBe(0o600);
    for (let i = 0; i < 100 && !/could not open/.test(stderr); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toMatch(/could not open a browser \(no xdg-open on this system\); open the URL/);
    expect(stderr).not.toContain(url); // the token stays on stdout
  });

  it('names the backend training uses, in its output and in getOptions, without Dawn’s noise', async () => {
    const b = await line('backend');
    expect(b).toMatchObject({ choice: 'auto', resolved: expect.stringMatching(/^(wasm|cpu)$/) });
    expect(b.reason).toMatch(/skipped .*webgpu: /);
    const { url } = await served;
    const token = new URL(url).searchParams.get('token');
    const res = await fetch(new URL('/api/getOptions', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    const options = (await res.json()) as { result: { backend: unknown } };
    expect(options.result.backend).toEqual({
      choice: 'auto',
      resolved: b.resolved,
      device: b.device,
      reason: b.reason,
    });
    expect(stderr).not.toMatch(/Couldn't load Vulkan|BackendVk\.cpp|While initializing adapter/);
  });

  it('refuses a port in use with a clear error', async () => {
    const { url } = await served;
    const port = new URL(url).port;
    const second = spawnSync(
      process.execPath,
      [bin, 'serve', '--port', port, '--db', join(dir, 'other.sqlite')],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`homolab: error: port ${port} on 127\\.0\\.0\\.1 is in use .*--port`),
    );
  });

  it('stops on SIGTERM with exit code 0 and withdraws its control file', async () => {
    await served;
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(`${db}.serve.json`)).toBe(false);
  });
});

describe('the first UI build', () => {
  it('logs vite’s warnings as plain lines without colour codes', async () => {
    const { plainViteLogger } = await import('../../src/cli/commands/serve');
    let out = '';
    const logger = plainViteLogger((l) => (out += l));
    logger.info('\x1b[36mvite v8 building for production...\x1b[39m');
    logger.warn('\x1b[33m(!) Some chunks are larger than 1500 kB\x1b[39m');
    logger.warnOnce('\x1b[33monce\x1b[39m');
    logger.warnOnce('\x1b[33monce\x1b[39m');
    expect(out).toBe(
      'homolab: vite: (!) Some chunks are larger than 1500 kB\nhomolab: vite: once\n',
    );
    expect(logger.hasWarned).toBe(true);
  });
});
