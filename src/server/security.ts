/**
 * The serve transport's access control: a random token per launch (exchanged once per browser
 * for an HttpOnly SameSite=Strict session cookie), Host checks against DNS rebinding, Origin
 * checks against cross-site requests, and a rate limit on authentication failures.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'homolab_session';

/** True for addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

const wildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '';

/** Formats a host for a URL or Host header (IPv6 in brackets). */
export const hostForUrl = (host: string) =>
  host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;

/**
 * The Host header values the server answers to. Loopback names always; the bound address when
 * it is not loopback; every interface address when bound to a wildcard; plus `extra`.
 */
export function allowedHosts(boundHost: string, port: number, extra: string[] = []): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (wildcard(boundHost)) {
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) names.add(hostForUrl(a.address));
  } else names.add(hostForUrl(boundHost));
  for (const e of extra) names.add(hostForUrl(e));
  const out = new Set<string>();
  for (const n of names) out.add(`${n.toLowerCase()}:${port}`);
  return out;
}

/** Compares two secrets in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const newSecret = () => randomBytes(32).toString('base64url');

/** Parses the Cookie header into a map. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Counts authentication failures per client address in a sliding window; past `max` failures
 * the address is refused until the window has passed (slows token guessing to a crawl).
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly max = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  blocked(key: string): boolean {
    return this.recent(key).length >= this.max;
  }

  fail(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    this.failures.set(key, list);
  }
}

/** The per-launch secrets and the checks every request goes through. */
export class AccessControl {
  readonly token: string;
  private readonly sessions = new Set<string>();
  readonly limiter: FailureLimiter;

  constructor(
    private readonly hosts: Set<string>,
    opts: { token?: string; limiter?: FailureLimiter } = {},
  ) {
    this.token = opts.token ?? newSecret();
    this.limiter = opts.limiter ?? new FailureLimiter();
  }

  hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host?.toLowerCase();
    return !!host && this.hosts.has(host);
  }

  /**
   * Browsers always send Origin on cross-origin requests, POSTs and WebSocket upgrades; a
   * foreign one means another site is trying to drive the lab. Absent Origin is a non-browser
   * client, which still needs the cookie or bearer token.
   */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    try {
      const u = new URL(origin);
      return u.protocol === 'http:' && this.hosts.has(u.host.toLowerCase());
    } catch {
      return false;
    }
  }

  tokenMatches(candidate: string | null | undefined): boolean {
    return typeof candidate === 'string' && safeEqual(candidate, this.token);
  }

  /** Creates a session for a browser that presented the token; returns the cookie value. */
  openSession(): string {
    const s = newSecret();
    this.sessions.add(s);
    return s;
  }

  /** Authenticated by session cookie or by `Authorization: Bearer <token>` (scripts). */
  authenticated(req: IncomingMessage): boolean {
    const cookie = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (cookie) for (const s of this.sessions) if (safeEqual(cookie, s)) return true;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return this.tokenMatches(auth.slice(7));
    return false;
  }

  sessionCookie(value: string): string {
    return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/`;
  }
}
