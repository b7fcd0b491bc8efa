/** Serves the built renderer (vite output) with path-traversal protection and SPA fallback. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.md': 'text/markdown; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Homolab</title>
<p>The UI has not been built. Run <code>npm run build:renderer</code> and reload.</p>`;

/** Resolves a URL path inside `root`, or null if it escapes it or does not exist. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root);
  const full = resolve(base, '.' + normalize('/' + decoded));
  if (full !== base && !full.startsWith(base + sep)) return null;
  if (!existsSync(full) || !statSync(full).isFile()) return null;
  return full;
}

export function serveStatic(root: string, urlPath: string, res: ServerResponse): void {
  const file =
    resolveStatic(root, urlPath === '/' ? '/index.html' : urlPath) ??
    // Client-side routes (no extension) get the app shell.
    (extname(urlPath) === '' ? resolveStatic(root, '/index.html') : null);
  if (!file) {
    if (!existsSync(join(root, 'index.html'))) {
      res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(NOT_BUILT);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}
