import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorpusError, loadCorpusFile } from '../../../src/core/data/corpus-file';

const dir = mkdtempSync(join(tmpdir(), 'homolab-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function failure(promise: Promise<unknown>): Promise<CorpusError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(CorpusError);
    return e as CorpusError;
  }
  throw new Error('expected a CorpusError');
}

describe('loadCorpusFile', () => {
  it('loads a UTF-8 .txt file whole, with its size and sha256', async () => {
    const p = file('ok.txt', '\uFEFFhello 世界\n🎉\n');
    const c = await loadCorpusFile(p);
    expect(c.format).toBe('txt');
    expect(c.documents).toEqual(['hello 世界\n🎉\n']); // BOM dropped
    expect(c.bytes).toBe(Buffer.byteLength('\uFEFFhello 世界\n🎉\n'));
    expect(c.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('loads .jsonl documents, skipping blank lines and accepting CRLF', async () => {
    const p = file('ok.jsonl', '{"text":"one"}\r\n\n{"text":"two","id":2}\n   \n{"text":"three"}');
    expect((await loadCorpusFile(p)).documents).toEqual(['one', 'two', 'three']);
    const q = file('field.jsonl', '{"body":"x"}\n');
    expect((await loadCorpusFile(q, { textField: 'body' })).documents).toEqual(['x']);
  });

  it('reports invalid UTF-8 with the byte offset', async () => {
    const bytes = Buffer.concat([
      Buffer.from('hello wörld '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' more'),
    ]);
    const e = await failure(loadCorpusFile(file('latin.txt', bytes)));
    expect(e.code).toBe('not-utf8');
    expect(e.where.offset).toBe(Buffer.byteLength('hello wörld '));
    expect(e.message).toMatch(/byte offset 13.*re-save the file as UTF-8/);
  });

  it('rejects an empty file and a whitespace-only file', async () => {
    expect((await failure(loadCorpusFile(file('empty.txt', '')))).code).toBe('empty');
    const e = await failure(loadCorpusFile(file('blank.txt', ' \n\t\n')));
    expect(e.code).toBe('empty');
    expect(e.message).toMatch(/only whitespace/);
    expect((await failure(loadCorpusFile(file('blank.jsonl', '\n\n')))).code).toBe('empty');
  });

  it('rejects a file above the size limit before reading it', async () => {
    const p = file('big.txt', 'x'.repeat(2048));
    const e = await failure(loadCorpusFile(p, { maxBytes: 1024 }));
    expect(e.code).toBe('too-large');
    expect(e.message).toMatch(/2 KiB, above the 1 KiB limit; use a smaller sample/);
    await expect(loadCorpusFile(p, { maxBytes: 2048 })).resolves.toBeTruthy();
  });

  it('names the line of malformed JSON', async () => {
    const e = await failure(loadCorpusFile(file('bad.jsonl', '{"text":"a"}\n\n{"text": "b",}\n')));
    expect(e.code).toBe('bad-json');
    expect(e.where.line).toBe(3);
    expect(e.message).toMatch(/line 3 is not valid JSON/);
  });

  it('names the line of a missing or non-string text field', async () => {
    const missing = await failure(
      loadCorpusFile(file('missing.jsonl', '{"text":"a"}\n{"txt":"b"}\n')),
    );
    expect(missing.code).toBe('bad-text-field');
    expect(missing.where.line).toBe(2);
    expect(missing.message).toMatch(/line 2 has no "text" field/);
    const number = await failure(
      loadCorpusFile(file('num.jsonl', '{"text":"a"}\n{"text":"b"}\n{"text":7}\n')),
    );
    expect(number.where.line).toBe(3);
    expect(number.message).toMatch(/"text" is number, not a string/);
    const arr = await failure(loadCorpusFile(file('arr.jsonl', '["a"]\n')));
    expect(arr.message).toMatch(/line 1 is not a JSON object/);
  });

  it('reports a missing path and a directory', async () => {
    expect((await failure(loadCorpusFile(join(dir, 'nope.txt')))).code).toBe('not-found');
    mkdirSync(join(dir, 'sub.txt'));
    expect((await failure(loadCorpusFile(join(dir, 'sub.txt')))).code).toBe('not-a-file');
  });
});
