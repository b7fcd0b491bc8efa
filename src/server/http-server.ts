/**
 * The HTTP + WebSocket transport of the API contract (`homolab serve`):
 *   GET  /?token=…      exchanges the launch token for a session cookie, redirects to /
 *   POST /api/<op>      JSON body → dispatcher → ApiResponse JSON
 *   WS   /api/events    pushes LabEvents as JSON text frames
 *   GET  /*             the built renderer
 * Every request passes the Host check; POST and the WebSocket upgrade the Origin check; all but
 * the token exchange need a session (401 otherwise), and failures are rate-limited per client.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatcher } from '../api/dispatcher';
import type { EventBus } from '../api/event-bus';
import { AccessControl, FailureLimiter, allowedHosts, hostForUrl, isLoopback } from './security';
import { setSecurityHeaders } from './headers';
import { serveStatic } from './static-files';

export interface HttpTransportOptions {
  dispatcher: Dispatcher;
  events: EventBus;
  /** Folder with the built renderer (index.html + assets). */
  rendererDir: string;
  /** Address to bind; loopback unless the user asks otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token (tests); random per launch otherwise. */
  token?: string;
  /** Extra Host names to accept (e.g. a reverse proxy name). */
  extraHosts?: string[];
  /** Largest accepted request body in bytes. */
  maxBodyBytes?: number;
  limiter?: FailureLimiter;
  log?: (line: string) => void;
}

export interface RunningServer {
  /** The URL to open, with the launch token. */
  url: string;
  origin: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const clientKey = (req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/** Starts the server; resolves once it listens. */
export async function startHttpTransport(opts: HttpTransportOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((l: string) => console.error(l));
  const maxBody = opts.maxBodyBytes ?? 600 * 1024 * 1024;
  const server: Server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${isLoopback(host) || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : hostForUrl(host)}:${port}`;
  const access = new AccessControl(allowedHosts(host, port, opts.extraHosts), {
    token: opts.token,
    limiter: opts.limiter,
  });

  if (!isLoopback(host))
    log(
      `homolab serve: WARNING: listening on ${host}, reachable from other machines. Anyone with ` +
        `the token URL can control this lab; traffic is unencrypted (use an SSH tunnel).`,
    );

  server.on('request', (req, res) => {
    void handleRequest(req, res).catch((err) => {
      log(`homolab serve: request failed: ${String(err)}`);
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.end();
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res, origin);
    if (!access.hostAllowed(req)) return sendText(res, 403, 'Forbidden host');
    const key = clientKey(req);
    if (access.limiter.blocked(key))
      return sendText(res, 429, 'Too many failed attempts; wait a minute');
    const url = new URL(req.url ?? '/', 'http://x');

    // Token exchange: the printed URL carries ?token=…; answer with the cookie and a clean URL.
    if (req.method === 'GET' && url.searchParams.has('token')) {
      if (!access.tokenMatches(url.searchParams.get('token'))) {
        access.limiter.fail(key);
        return sendText(res, 401, 'Invalid token');
      }
      url.searchParams.delete('token');
      res.writeHead(302, {
        'Set-Cookie': access.sessionCookie(access.openSession()),
        Location: url.pathname + url.search,
      });
      return void res.end();
    }

    if (!access.authenticated(req)) {
      access.limiter.fail(key);
      return sendText(res, 401, 'Open the URL printed by `homolab serve` (it carries the token).');
    }

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return sendText(res, 405, 'Use POST');
      if (!access.originAllowed(req)) return sendText(res, 403, 'Forbidden origin');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return sendText(res, 415, 'Expected application/json');
      let payload: unknown;
      try {
        const body = await readBody(req, maxBody);
        payload = body ? JSON.parse(body) : {};
      } catch (err) {
        return sendJson(res, 400, {
          ok: false,
          error: { code: 'invalid_input', message: `Bad request body: ${(err as Error).message}` },
        });
      }
      const name = decodeURIComponent(url.pathname.slice('/api/'.length));
      const response = await opts.dispatcher.dispatch(name, payload, { transport: 'http' });
      return sendJson(res, 200, response);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendText(res, 405, 'Method not allowed');
    serveStatic(opts.rendererDir, url.pathname, res);
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!access.hostAllowed(req)) return rejectUpgrade(socket, 403, 'Forbidden');
    if (!access.originAllowed(req)) return rejectUpgrade(socket, 403, 'Forbidden');
    const key = clientKey(req);
    if (access.limiter.blocked(key)) return rejectUpgrade(socket, 429, 'Too Many Requests');
    if (!access.authenticated(req)) {
      access.limiter.fail(key);
      return rejectUpgrade(socket, 401, 'Unauthorized');
    }
    if (url.pathname !== '/api/events') return rejectUpgrade(socket, 404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const off = opts.events.on((event) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
      });
      ws.on('close', () => {
        off();
        sockets.delete(ws);
      });
      // The socket is push-only; inbound messages are ignored.
    });
  });

  return {
    url: `${origin}/?token=${access.token}`,
    origin,
    host,
    port,
    token: access.token,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
