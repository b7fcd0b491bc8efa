/**
 * Loading a user's corpus file: UTF-8 `.txt`, or `.jsonl` with one JSON object per line whose
 * `text` field (configurable) is a document.
 *
 * Every failure is a `CorpusError` with a `code`, the file path, the line or byte offset where
 * it applies, and a sentence telling the user what to do. The size limit is checked with
 * `stat` before reading, so a huge file is refused without loading it.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { formatBytes } from '../text/bytes';
import { utf8DecodeStrict, Utf8Error } from './utf8';

/** Default largest corpus file accepted: 256 MiB. */
export const DEFAULT_MAX_CORPUS_BYTES = 256 * 1024 * 1024;

export type CorpusFormat = 'txt' | 'jsonl';

export type CorpusErrorCode =
  'not-found' | 'not-a-file' | 'too-large' | 'empty' | 'not-utf8' | 'bad-json' | 'bad-text-field';

export class CorpusError extends Error {
  constructor(
    readonly code: CorpusErrorCode,
    readonly path: string,
    message: string,
    readonly where: { line?: number; offset?: number } = {},
  ) {
    super(`${path}: ${message}`);
    this.name = 'CorpusError';
  }
}

export interface LoadCorpusOptions {
  /** Overrides the format inferred from the extension (`.jsonl`/`.ndjson` → jsonl, anything else → txt). */
  format?: CorpusFormat;
  /** Largest file accepted, in bytes (default `DEFAULT_MAX_CORPUS_BYTES`). */
  maxBytes?: number;
  /** JSONL field holding each document's text (default `text`). */
  textField?: string;
}

export interface LoadedCorpus {
  format: CorpusFormat;
  /** One entry for `.txt`; one per non-blank line for `.jsonl`. */
  documents: string[];
  /** File size in bytes. */
  bytes: number;
  /** sha256 of the raw file bytes, hex. */
  sha256: string;
}

export function inferCorpusFormat(path: string): CorpusFormat {
  const ext = extname(path).toLowerCase();
  return ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'txt';
}

export async function loadCorpusFile(
  path: string,
  opts: LoadCorpusOptions = {},
): Promise<LoadedCorpus> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_CORPUS_BYTES;
  const format = opts.format ?? inferCorpusFormat(path);
  const textField = opts.textField ?? 'text';
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new CorpusError(
      'not-found',
      path,
      'file not found; check the path and that the file is readable',
    );
  }
  if (!info.isFile())
    throw new CorpusError('not-a-file', path, 'not a regular file; choose a .txt or .jsonl file');
  if (info.size > maxBytes)
    throw new CorpusError(
      'too-large',
      path,
      `file is ${formatBytes(info.size)}, above the ${formatBytes(maxBytes)} limit; use a smaller sample of the corpus (e.g. its first ${formatBytes(maxBytes)})`,
    );
  if (info.size === 0)
    throw new CorpusError('empty', path, 'file is empty; choose a file that contains text');
  const raw = await readFile(path);
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  let text: string;
  try {
    text = utf8DecodeStrict(bytes);
  } catch (e) {
    const offset = e instanceof Utf8Error ? e.offset : 0;
    throw new CorpusError(
      'not-utf8',
      path,
      `not valid UTF-8 (first bad byte 0x${bytes[offset]?.toString(16).padStart(2, '0')} at byte offset ${offset}); re-save the file as UTF-8 (e.g. \`iconv -f <encoding> -t UTF-8\`)`,
      { offset },
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const documents = format === 'txt' ? [text] : parseJsonl(text, path, textField);
  if (documents.every((d) => d.trim().length === 0))
    throw new CorpusError(
      'empty',
      path,
      format === 'txt'
        ? 'file contains only whitespace; choose a file that contains text'
        : `no line has a non-empty "${textField}"; each line should look like {"${textField}": "..."}`,
    );
  return { format, documents, bytes: info.size, sha256 };
}

function parseJsonl(text: string, path: string, field: string): string[] {
  const docs: string[] = [];
  const lines = text.split('\n');
  lines.forEach((rawLine, i) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim().length === 0) return; // blank lines (e.g. a trailing newline) are allowed
    const lineNo = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new CorpusError(
        'bad-json',
        path,
        `line ${lineNo} is not valid JSON (${(e as Error).message}); each line must be one JSON object like {"${field}": "..."}`,
        { line: lineNo },
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new CorpusError(
        'bad-text-field',
        path,
        `line ${lineNo} is not a JSON object; each line must look like {"${field}": "..."}`,
        { line: lineNo },
      );
    const t = (value as Record<string, unknown>)[field];
    if (t === undefined)
      throw new CorpusError(
        'bad-text-field',
        path,
        `line ${lineNo} has no "${field}" field; add it, or choose the field that holds the text`,
        { line: lineNo },
      );
    if (typeof t !== 'string')
      throw new CorpusError(
        'bad-text-field',
        path,
        `line ${lineNo}: "${field}" is ${t === null ? 'null' : typeof t}, not a string; every "${field}" must be a JSON string`,
        { line: lineNo },
      );
    docs.push(t);
  });
  return docs;
}
