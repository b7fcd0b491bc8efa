/**
 * Defensive JSON reading for untrusted bundles: a regular file only, size limit before reading,
 * strict UTF-8, a scan before parsing for nesting depth and duplicate keys, and a walk after
 * parsing that rejects prototype-polluting keys, non-finite numbers (JSON.parse turns 1e309
 * into Infinity) and lone surrogates, each error naming the JSON path of the first problem.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

export class BundleError extends Error {
  constructor(
    message: string,
    /** JSON path of the problem, e.g. `$.data.runs[3].status`, when known. */
    readonly path?: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'BundleError';
  }
}

/** Why `file` cannot be read as a bundle (not a regular file), or null. */
function notAFile(stats: Stats): string | null {
  if (stats.isFile()) return null;
  if (stats.isDirectory()) return 'is a directory; give the path of a bundle file (.homolab.json)';
  if (stats.isFIFO()) return 'is a pipe (FIFO), not a file; save the bundle to a file first';
  if (stats.isSocket()) return 'is a socket, not a file';
  return 'is a device or other special file, not a regular file';
}

/**
 * Reads a bundle file: it must be a regular file (a FIFO would block forever, a directory
 * cannot be read), at most `maxBytes` (checked before reading anything) and valid UTF-8. A
 * leading byte-order mark is accepted and dropped.
 */
export function readLimited(file: string, maxBytes: number): string {
  let why: string | null;
  try {
    why = notAFile(statSync(file));
  } catch (err) {
    throw new BundleError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (why) throw new BundleError(`${file} ${why}`);
  // O_NONBLOCK: should the path be swapped for a FIFO after the check, opening does not hang.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    why = notAFile(stats);
    if (why) throw new BundleError(`${file} ${why}`);
    const size = stats.size;
    if (size > maxBytes)
      throw new BundleError(
        `bundle is ${size.toLocaleString('en-US')} bytes, over the ${maxBytes.toLocaleString('en-US')}-byte import limit; nothing was read`,
      );
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, off));
    } catch {
      throw new BundleError('not valid UTF-8 text; a bundle is UTF-8 JSON as Homolab exports it');
    }
    // TextDecoder drops a UTF-8 byte-order mark itself (ignoreBOM is false by default).
    return text;
  } finally {
    closeSync(fd);
  }
}

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * One linear scan over the text, before parsing: nesting deeper than `maxDepth` (so hostile
 * nesting cannot exhaust the parser's stack) and duplicate keys in an object (JSON.parse
 * silently keeps the last one, so `"status":"failed","status":"completed"` would pass as
 * completed) are refused, naming the JSON path. Syntax errors are left to the parser.
 */
export function scanJson(text: string, maxDepth: number): void {
  // One frame per open container: its keys (objects) or null (arrays), and where we are in it.
  const keys: (Set<string> | null)[] = [];
  const at: (string | number)[] = [];
  let last = 0; // last significant character outside strings
  const path = (upTo = keys.length) => {
    let p = '$';
    for (let k = 0; k < upTo; k++)
      p = typeof at[k] === 'number' ? `${p}[${at[k]}]` : keyPath(p, at[k] as string);
    return p;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i + 1;
      let escaped = false;
      for (i = start; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      const top = keys.length ? keys[keys.length - 1] : null;
      if (top && (last === 0x7b || last === 0x2c)) {
        const raw = text.slice(start, i);
        let key = raw;
        if (escaped) {
          try {
            key = JSON.parse(`"${raw}"`) as string;
          } catch {
            return; // a syntax error: the parser reports it
          }
        }
        if (top.has(key))
          throw new BundleError(
            `duplicate key ${JSON.stringify(key)} in one object`,
            keyPath(path(keys.length - 1), key),
          );
        top.add(key);
        at[keys.length - 1] = key;
      }
      last = 0x22;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (c === 0x7b || c === 0x5b) {
      if (keys.length >= maxDepth)
        throw new BundleError(`nesting deeper than ${maxDepth} levels at character ${i}`, path());
      keys.push(c === 0x7b ? new Set() : null);
      at.push(c === 0x7b ? '' : 0);
    } else if (c === 0x7d || c === 0x5d) {
      keys.pop();
      at.pop();
    } else if (c === 0x2c && keys.length && keys[keys.length - 1] === null)
      (at[at.length - 1] as number)++;
    last = c;
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BundleError(`not valid JSON (${(err as Error).message}); the file may be truncated`);
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Rejects `__proto__`/`constructor`/`prototype` keys, non-finite numbers and strings with a
 * lone surrogate (SQLite would store it as invalid UTF-8) anywhere.
 */
export function checkValues(value: unknown, path = '$'): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value))
      throw new BundleError('text with a lone UTF-16 surrogate (not valid Unicode)', path);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new BundleError(
        `number out of range (${value}); only finite numbers are allowed`,
        path,
      );
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      // Fast path for the long numeric arrays of metric series.
      if (typeof v === 'number' ? !Number.isFinite(v) : v !== null) checkValues(v, `${path}[${i}]`);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key))
        throw new BundleError(`forbidden key ${JSON.stringify(key)}`, keyPath(path, key));
      if (LONE_SURROGATE.test(key))
        throw new BundleError('a key with a lone UTF-16 surrogate (not valid Unicode)', path);
      checkValues((value as Record<string, unknown>)[key], keyPath(path, key));
    }
  }
}
