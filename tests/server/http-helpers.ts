/** Raw HTTP/WS requests with full control of Host, Origin and Cookie (fetch forbids some). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function raw(
  port: number,
  opts: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    /** Sent with a Content-Length (Node frames no body of a GET otherwise). */
    body?: string | Buffer;
    host?: string;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: opts.host ?? '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: {
          Host: `127.0.0.1:${port}`,
          ...(opts.body !== undefined
            ? { 'Content-Length': String(Buffer.byteLength(opts.body)) }
            : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

/** Exchanges the token for the session cookie ('name=value'). */
export async function login(port: number, token: string): Promise<string> {
  const res = await raw(port, { path: `/?token=${encodeURIComponent(token)}` });
  const set = res.headers['set-cookie'];
  const cookie = Array.isArray(set) ? set[0] : set;
  if (res.status !== 302 || !cookie) throw new Error(`login failed: ${res.status}`);
  return cookie.split(';')[0];
}

export function apiPost(
  port: number,
  op: string,
  payload: unknown,
  headers: Record<string, string> = {},
) {
  return raw(port, {
    method: 'POST',
    path: `/api/${op}`,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
}

/** Opens a WebSocket; resolves with the socket or rejects with the HTTP status of the refusal. */
export function openWs(port: number, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/events`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', (err) => reject(err));
  });
}

/** A temp folder with a stand-in built renderer (index.html); `cleanup` removes it. */
export function tempServeDir(prefix = 'homolab-serve-'): {
  dir: string;
  rendererDir: string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Homolab</title>');
  return { dir, rendererDir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
