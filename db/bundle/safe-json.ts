/**
 * Defensive JSON reading for untrusted bundles: size limit before reading, nesting depth limit
 * before parsing (a linear scan, so hostile nesting cannot exhaust the stack), and a walk after
 * parsing that rejects prototype-polluting keys and non-finite numbers (JSON.parse turns 1e309
 * into Infinity), each error naming the JSON path of the first problem.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

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

/** Reads a UTF-8 file if it is at most `maxBytes`; checks the size before reading anything. */
export function readLimited(file: string, maxBytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
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
    return buf.toString('utf8', 0, off);
  } finally {
    closeSync(fd);
  }
}

/** Throws if arrays/objects nest deeper than `maxDepth` (scans outside strings only). */
export function checkDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth)
        throw new BundleError(`nesting deeper than ${maxDepth} levels at character ${i}`);
    } else if (c === 0x7d || c === 0x5d) depth--;
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

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Rejects `__proto__`/`constructor`/`prototype` keys and non-finite numbers anywhere. */
export function checkValues(value: unknown, path = '$'): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new BundleError(
        `number out of range (${value}); only finite numbers are allowed`,
        path,
      );
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      // Fast path for the long numeric arrays of metric series.
      if (typeof v === 'number' ? !Number.isFinite(v) : typeof v === 'object' && v !== null)
        checkValues(v, `${path}[${i}]`);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key))
        throw new BundleError(`forbidden key ${JSON.stringify(key)}`, keyPath(path, key));
      checkValues((value as Record<string, unknown>)[key], keyPath(path, key));
    }
  }
}
