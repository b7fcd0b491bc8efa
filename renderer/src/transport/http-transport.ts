/**
 * The serve-mode transport: POST /api/<op> with the session cookie (same origin), and a
 * WebSocket on /api/events for pushed progress, reconnecting after drops.
 */
import type { Transport } from '../../../src/api/client';
import type { ApiResponse, LabEvent } from '../../../src/api/contract';

export function createHttpTransport(base: Location = window.location): Transport {
  const listeners = new Set<(e: LabEvent) => void>();
  let socket: WebSocket | null = null;
  let retry = 500;

  function connect() {
    const proto = base.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${proto}://${base.host}/api/events`);
    socket.onopen = () => (retry = 500);
    socket.onmessage = (m) => {
      let event: LabEvent;
      try {
        event = JSON.parse(String(m.data)) as LabEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(event);
    };
    socket.onclose = () => {
      socket = null;
      if (listeners.size === 0) return;
      // Reconnect with backoff; a restarted server loses sessions, so stop after a while.
      setTimeout(() => listeners.size > 0 && !socket && connect(), retry);
      retry = Math.min(retry * 2, 10_000);
    };
  }

  return {
    async invoke(name, payload) {
      let res: Response;
      try {
        res = await fetch(`/api/${encodeURIComponent(name)}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(payload ?? {}),
        });
      } catch (err) {
        return {
          ok: false,
          error: { code: 'internal', message: `Server unreachable: ${String(err)}` },
        };
      }
      if (res.status === 401)
        return {
          ok: false,
          error: {
            code: 'internal',
            message: 'Session expired: open the URL printed by homolab serve.',
          },
        };
      if (!res.ok && res.headers.get('content-type')?.includes('application/json') !== true)
        return {
          ok: false,
          error: { code: 'internal', message: `HTTP ${res.status}: ${await res.text()}` },
        };
      return (await res.json()) as ApiResponse;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) socket?.close();
      };
    },
  };
}
