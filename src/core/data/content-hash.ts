/**
 * Content hash of a dataset: sha256 over a canonical encoding of the spec (minus where a file
 * lives), the tokenizer, the tokenized splits and, for user files, the raw file bytes' sha256.
 * Same spec + same file content ⇒ same hash on any machine; any change in data, tokenization
 * or parameters ⇒ a different hash. Moving or renaming a file does not change it.
 */
import { createHash, type Hash } from 'node:crypto';
import type { DataSource } from './sources';
import type { SerializedTokenizer } from './types';

export const DATASET_HASH_VERSION = 'homolab-dataset-v1';

/** JSON with object keys sorted at every level and no whitespace: one string per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface HashInput {
  /** The parsed spec; a `path` field is left out of the hash. */
  spec: Record<string, unknown>;
  tokenizer: SerializedTokenizer;
  train: DataSource;
  validation: DataSource;
  /** sha256 of the raw file, for user corpora. */
  fileSha256?: string;
}

export function datasetContentHash(input: HashInput): string {
  const h = createHash('sha256');
  const specForHash: Record<string, unknown> = { ...input.spec };
  delete specForHash.path;
  writeString(h, DATASET_HASH_VERSION);
  writeString(h, canonicalJson(specForHash));
  writeString(h, canonicalJson(input.tokenizer));
  writeString(h, input.fileSha256 ?? '');
  writeSource(h, input.train);
  writeSource(h, input.validation);
  return h.digest('hex');
}

function writeString(h: Hash, s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  writeU32(h, bytes.length);
  h.update(bytes);
}

function writeU32(h: Hash, n: number): void {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  h.update(b);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Typed arrays are hashed as little-endian bytes regardless of the host's byte order: on a
 * little-endian host straight from their memory (no copy of a corpus-sized array), elsewhere
 * through a small reused buffer.
 */
function writeInt32s(h: Hash, a: Int32Array): void {
  writeU32(h, a.length);
  if (LITTLE_ENDIAN) {
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return;
  }
  const block = Buffer.alloc(1 << 16);
  for (let from = 0; from < a.length; from += block.length / 4) {
    const n = Math.min(block.length / 4, a.length - from);
    for (let i = 0; i < n; i++) block.writeInt32LE(a[from + i], i * 4);
    h.update(block.subarray(0, n * 4));
  }
}

function writeSource(h: Hash, s: DataSource): void {
  writeString(h, s.kind);
  writeInt32s(h, s.tokens);
  if (s.kind === 'examples') {
    writeInt32s(h, s.offsets);
    writeU32(h, s.answerMask.length);
    h.update(s.answerMask);
  }
}
