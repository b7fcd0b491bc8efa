/**
 * The HTTP + WebSocket transport of the API contract (`homolab serve`):
 *   GET  /?token=…      exchanges the launch token for a session cookie, redirects to /
 *   POST /api/<op>      JSON body → dispatcher → ApiResponse JSON
 *   WS   /api/events    pushes LabEvents as JSON text frames
 *   GET  /*             the built renderer
 * Every request passes the Host check; POST and the WebSocket upgrade the Origin check; all but
 * the token exchange need a session (401 otherwise). Authentication comes first and only failed
 * attempts count towards the per-address limit, so a holder of a valid cookie, Bearer token or
 * launch token is never locked out by someone else's failures. API answers carry the status of
 * their error code (src/api/errors.ts) and a JSON body; a misbehaving WebSocket client is closed
 * with the matching close code (1009 too big, 1007 invalid UTF-8) without affecting anyone else.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiError, ApiErrorCode } from '../api/contract';
import type { Dispatcher } from '../api/dispatcher';
import { HTTP_STATUS, internalError, newErrorId } from '../api/errors';
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
  /** Largest accepted WebSocket message in bytes (default 64 KiB; the socket is push-only). */
  maxWsMessageBytes?: number;
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

/** An API error answer: the status of its code and the same envelope the dispatcher returns. */
function sendApiError(res: ServerResponse, error: ApiError, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  sendJson(res, HTTP_STATUS[error.code], { ok: false, error });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new BodyTooLarge());
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** `application/json`, with or without parameters; `application/jsonx` and the like are not. */
export function isJsonContentType(header: string | undefined): boolean {
  const media = (header ?? '').split(';')[0].trim().toLowerCase();
  return media === 'application/json';
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

const apiError = (code: ApiErrorCode, message: string): ApiError => ({ code, message });

/** Starts the server; resolves once it listens. */
export async function startHttpTransport(opts: HttpTransportOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((l: string) => console.error(l));
  const maxBody = opts.maxBodyBytes ?? 600 * 1024 * 1024;
  const server: Server = createServer();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxWsMessageBytes ?? 64 * 1024,
  });
  wss.on('error', (err) => log(`homolab serve: WebSocket server error: ${err.message}`));
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
      const errorId = newErrorId();
      log(
        `homolab serve: request failed (error id ${errorId}): ${(err as Error)?.stack ?? String(err)}`,
      );
      if (!res.headersSent) sendApiError(res, internalError(errorId));
      else res.end();
    });
  });

  /** Authenticated or not; counts a failure against the address only when not. */
  function admit(req: IncomingMessage): 'ok' | 'blocked' | 'unauthenticated' {
    if (access.authenticated(req)) return 'ok';
    const key = clientKey(req);
    if (access.limiter.blocked(key)) return 'blocked';
    access.limiter.fail(key);
    return 'unauthenticated';
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res, origin);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://x');
    } catch {
      return sendText(res, 400, 'Bad request URL');
    }
    const api = url.pathname.startsWith('/api/');
    const fail = (code: ApiErrorCode, message: string, status = HTTP_STATUS[code]) =>
      api ? sendApiError(res, apiError(code, message)) : sendText(res, status, message);
    if (!access.hostAllowed(req)) return fail('forbidden', 'Forbidden host');

    // Token exchange: the printed URL carries ?token=…; answer with the cookie and a clean URL.
    // The launch token is checked before the limiter: whoever holds it is never locked out.
    if (req.method === 'GET' && url.searchParams.has('token')) {
      if (!access.tokenMatches(url.searchParams.get('token'))) {
        const key = clientKey(req);
        if (access.limiter.blocked(key))
          return fail('rate_limited', 'Too many failed attempts; wait a minute');
        access.limiter.fail(key);
        return fail('unauthorized', 'Invalid token');
      }
      url.searchParams.delete('token');
      res.writeHead(302, {
        'Set-Cookie': access.sessionCookie(access.openSession()),
        Location: url.pathname + url.search,
      });
      return void res.end();
    }

    const admitted = admit(req);
    if (admitted === 'blocked')
      return fail('rate_limited', 'Too many failed attempts; wait a minute');
    if (admitted === 'unauthenticated')
      return fail(
        'unauthorized',
        'Open the URL printed by `homolab serve` (it carries the token).',
      );

    if (api) {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return sendJson(res, 405, {
          ok: false,
          error: apiError('unsupported', 'Use POST for /api/ operations'),
        });
      }
      if (!access.originAllowed(req)) return fail('forbidden', 'Forbidden origin');
      let name: string;
      try {
        name = decodeURIComponent(url.pathname.slice('/api/'.length));
      } catch {
        return fail(
          'invalid_input',
          'The operation name in the path is not valid percent-encoding',
        );
      }
      if (!isJsonContentType(req.headers['content-type']))
        return fail(
          'unsupported_media_type',
          'Expected Content-Type: application/json with a JSON body',
        );
      let payload: unknown;
      try {
        const body = await readBody(req, maxBody);
        const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
        payload = text.trim() ? (JSON.parse(text) as unknown) : {};
      } catch (err) {
        if (err instanceof BodyTooLarge)
          // The rest of the body is not read: close the connection after answering.
          return sendApiError(
            res,
            apiError('too_large', `The request body is over the ${maxBody}-byte limit`),
            { Connection: 'close' },
          );
        return fail(
          'invalid_input',
          err instanceof SyntaxError
            ? `The request body is not valid JSON: ${err.message}`
            : 'The request body is not valid UTF-8 JSON',
        );
      }
      const response = await opts.dispatcher.dispatch(name, payload, { transport: 'http' });
      return sendJson(res, response.ok ? 200 : HTTP_STATUS[response.error.code], response);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendText(res, 405, 'Method not allowed');
    serveStatic(opts.rendererDir, url.pathname, res);
  }

  server.on('upgrade', (req, socket: Duplex, head) => {
    // A peer that resets the connection mid-handshake must not take the server down.
    socket.on('error', (err) => log(`homolab serve: upgrade socket error: ${err.message}`));
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://x');
    } catch {
      return rejectUpgrade(socket, 400, 'Bad Request');
    }
    if (!access.hostAllowed(req)) return rejectUpgrade(socket, 403, 'Forbidden');
    if (!access.originAllowed(req)) return rejectUpgrade(socket, 403, 'Forbidden');
    const admitted = admit(req);
    if (admitted === 'blocked') return rejectUpgrade(socket, 429, 'Too Many Requests');
    if (admitted === 'unauthenticated') return rejectUpgrade(socket, 401, 'Unauthorized');
    if (url.pathname !== '/api/events') return rejectUpgrade(socket, 404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const off = opts.events.on((event) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
      });
      // Per connection: a frame over the limit, invalid UTF-8 or a protocol error closes this
      // socket with its close code (ws sends it: 1009, 1007, 1002); without this listener the
      // 'error' event would be thrown and end the process.
      ws.on('error', (err) => log(`homolab serve: WebSocket client closed: ${err.message}`));
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
