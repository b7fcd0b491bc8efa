import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../../src/core/data/build-dataset';
import {
  exampleAnswerMask,
  exampleTokens,
  type ExampleSource,
} from '../../../src/core/data/sources';
import { tokenizerFromJSON } from '../../../src/core/data/tokenizer-json';

const dir = mkdtempSync(join(tmpdir(), 'homolab-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small = {
  modular: { kind: 'modular', p: 13, ops: ['+', '/'] },
  copy: { kind: 'copy-reverse', mode: 'mixed', numTrain: 500, numValidation: 50 },
  dyck: { kind: 'dyck', numTrain: 500, numValidation: 50 },
  pcfg: { kind: 'pcfg', numSentences: 300 },
  pcfgBpe: { kind: 'pcfg', numSentences: 300, tokenizer: { kind: 'bpe', vocabSize: 300 } },
};

describe('buildDataset', () => {
  it.each(Object.entries(small))(
    '%s: same spec ⇒ same data and hash; other seed ⇒ other hash',
    async (_n, spec) => {
      const a = await buildDataset(spec);
      const b = await buildDataset(JSON.parse(JSON.stringify(spec)));
      expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(b.contentHash).toBe(a.contentHash);
      expect(b.train.tokens).toEqual(a.train.tokens);
      const c = await buildDataset({ ...spec, seed: 1 });
      expect(c.contentHash).not.toBe(a.contentHash);
      expect(c.train.tokens).not.toEqual(a.train.tokens);
      // The description is plain JSON and rebuilds the tokenizer.
      const desc = JSON.parse(JSON.stringify(a.description));
      expect(desc.contentHash).toBe(a.contentHash);
      expect(tokenizerFromJSON(desc.tokenizer).vocabSize).toBe(a.vocabSize);
    },
  );

  it('gives the same hashes as every earlier build (golden values; bump DATASET_HASH_VERSION on purpose)', async () => {
    const golden: [unknown, string][] = [
      [
        { kind: 'modular', p: 7 },
        '92a9159aa8a3126c02e13eb22be0f5d0f81fc87e02e8afee2a446338ca18b3f6',
      ],
      [
        { kind: 'copy-reverse', numTrain: 20, numValidation: 5 },
        '69ffe426f81aecd17c004c3c356444bcb1baf378648da6af9711827ba9c2950b',
      ],
      [
        { kind: 'pcfg', numSentences: 20, tokenizer: { kind: 'bpe', vocabSize: 270 } },
        '18e3162667eef90169c2b76080872a1ed78dcb239a422a5837a8fd1041ebde9f',
      ],
    ];
    for (const [spec, hash] of golden) expect((await buildDataset(spec)).contentHash).toBe(hash);
  });

  it('changes the hash when the tokenizer changes', async () => {
    const a = await buildDataset({ kind: 'pcfg', numSentences: 300 });
    const b = await buildDataset({
      kind: 'pcfg',
      numSentences: 300,
      tokenizer: { kind: 'bpe', vocabSize: 300 },
    });
    expect(a.contentHash).not.toBe(b.contentHash);
  });

  it('modular examples decode to correct equations with the answer tokens marked', async () => {
    for (const tokenizer of [{ kind: 'char' }, { kind: 'bpe', vocabSize: 280 }]) {
      const d = await buildDataset({ kind: 'modular', p: 11, ops: ['-', '*'], tokenizer, seed: 4 });
      const src = d.train as ExampleSource;
      expect(src.kind).toBe('examples');
      for (let i = 0; i < src.count; i++) {
        const ids = Array.from(exampleTokens(src, i));
        const mask = exampleAnswerMask(src, i);
        const prompt = d.tokenizer.decode(ids.filter((_, j) => mask[j] === 0));
        const answer = d.tokenizer.decode(ids.filter((_, j) => mask[j] === 1));
        const m = /^(\d\d)([-*])(\d\d)=$/.exec(prompt)!;
        expect(m, prompt).not.toBeNull();
        const [a, b] = [Number(m[1]), Number(m[3])];
        expect(Number(answer)).toBe(m[2] === '-' ? (((a - b) % 11) + 11) % 11 : (a * b) % 11);
        // Answer tokens come last and are contiguous.
        expect(Array.from(mask).join('')).toMatch(/^0+1+$/);
      }
    }
  });

  it('char-tokenized modular examples all have the same length (fixed-length format)', async () => {
    const d = await buildDataset({ kind: 'modular', p: 97 });
    const src = d.train as ExampleSource;
    expect(src.maxLength).toBe(8); // "aa+bb=cc"
    expect(src.tokens.length).toBe(8 * src.count);
    expect(d.minContextLength).toBe(7);
  });

  it('loads a user .txt corpus; the hash follows the content, not the path', async () => {
    const text = Array.from(
      { length: 200 },
      (_, i) => `Line ${i}: the cat sat on the mat. 猫が座った 🐈`,
    ).join('\n');
    writeFileSync(join(dir, 'a.txt'), text);
    writeFileSync(join(dir, 'b.txt'), text);
    writeFileSync(join(dir, 'c.txt'), text.replace('Line 7', 'Line 8'));
    const a = await buildDataset({ kind: 'text-file', path: join(dir, 'a.txt') });
    const b = await buildDataset({ kind: 'text-file', path: 'b.txt' }, { baseDir: dir });
    const c = await buildDataset({ kind: 'text-file', path: join(dir, 'c.txt') });
    expect(a.train.kind).toBe('stream');
    expect(a.tokenizer.decode(a.train.tokens) + a.tokenizer.decode(a.validation.tokens)).toBe(text);
    expect(b.contentHash).toBe(a.contentHash);
    expect(c.contentHash).not.toBe(a.contentHash);
    expect(a.description.stats.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    const bpe = await buildDataset({
      kind: 'text-file',
      path: join(dir, 'a.txt'),
      tokenizer: { kind: 'bpe', vocabSize: 400 },
    });
    expect(
      bpe.tokenizer.decode(bpe.train.tokens) + bpe.tokenizer.decode(bpe.validation.tokens),
    ).toBe(text);
    expect(bpe.contentHash).not.toBe(a.contentHash);
  });

  it('loads a .jsonl corpus and passes loader errors through', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ text: `document ${i}` }));
    writeFileSync(join(dir, 'd.jsonl'), lines.join('\n'));
    const d = await buildDataset({
      kind: 'text-file',
      path: join(dir, 'd.jsonl'),
      validationFraction: 0.2,
    });
    const val = d.tokenizer.decode(d.validation.tokens).split('\n\n');
    expect(val).toHaveLength(6);
    writeFileSync(join(dir, 'e.jsonl'), '{"text":"x"}\n{oops}\n');
    await expect(buildDataset({ kind: 'text-file', path: join(dir, 'e.jsonl') })).rejects.toThrow(
      /line 2 is not valid JSON/,
    );
    writeFileSync(join(dir, 'big.txt'), 'y'.repeat(5000));
    await expect(
      buildDataset({ kind: 'text-file', path: join(dir, 'big.txt') }, { maxFileBytes: 4096 }),
    ).rejects.toThrow(/above the 4 KiB limit/);
    writeFileSync(join(dir, 'tiny.txt'), 'a');
    await expect(buildDataset({ kind: 'text-file', path: join(dir, 'tiny.txt') })).rejects.toThrow(
      /too little text/,
    );
  });
});
