import { describe, expect, it } from 'vitest';
import { DatasetSpecError, parseDatasetSpec } from '../../../src/core/data/spec';

function errorOf(input: unknown): string {
  try {
    parseDatasetSpec(input);
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetSpecError);
    return (e as Error).message;
  }
  throw new Error('expected a DatasetSpecError');
}

describe('parseDatasetSpec', () => {
  it('fills documented defaults', () => {
    expect(parseDatasetSpec({ kind: 'modular' })).toEqual({
      kind: 'modular',
      p: 97,
      ops: ['+'],
      trainFraction: 0.5,
      seed: 0,
      tokenizer: { kind: 'char', unknown: 'unk' },
    });
    expect(parseDatasetSpec({ kind: 'pcfg', tokenizer: { kind: 'bpe' } }).tokenizer).toEqual({
      kind: 'bpe',
      vocabSize: 1024,
      minFrequency: 2,
    });
  });

  it('survives a JSON round trip unchanged (it is the stored form)', () => {
    const spec = parseDatasetSpec({ kind: 'dyck', k: 3, task: 'lm' });
    expect(parseDatasetSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it.each([
    [
      { kind: 'mnist' },
      /dataset\.kind: expected one of "modular", "pcfg", "dyck", "copy-reverse", "text-file", got "mnist"/,
    ],
    [null, /dataset\.kind/],
    [{ kind: 'modular', p: 1000 }, /dataset\.p: Too big/],
    [{ kind: 'modular', p: 91, ops: ['/'] }, /dataset\.p: division \("\/"\) needs a prime p/],
    [
      { kind: 'modular', ops: ['^'] },
      /dataset\.ops\.0: Invalid option: expected one of "\+"\|"-"\|"\*"\|"\/"/,
    ],
    [{ kind: 'modular', ops: ['+', '+'] }, /dataset\.ops: each op may appear only once/],
    [{ kind: 'modular', trainFraction: 1 }, /dataset\.trainFraction/],
    [
      { kind: 'copy-reverse', mode: 'sort' },
      /dataset\.mode: Invalid option: expected one of "copy"\|"reverse"\|"mixed"/,
    ],
    [
      { kind: 'copy-reverse', minLength: 9, maxLength: 3 },
      /dataset\.minLength: must be ≤ maxLength/,
    ],
    [{ kind: 'dyck', k: 5 }, /dataset\.k: Too big/],
    [{ kind: 'dyck', seed: -1 }, /dataset\.seed/],
    [
      { kind: 'pcfg', tokenizer: { kind: 'wordpiece' } },
      /dataset\.tokenizer\.kind.*'char' \| 'bpe'/,
    ],
    [
      { kind: 'pcfg', tokenizer: { kind: 'bpe', vocabSize: 100 } },
      /dataset\.tokenizer\.vocabSize: Too small/,
    ],
    [{ kind: 'text-file' }, /dataset\.path/],
    [
      { kind: 'text-file', path: 'a.txt', format: 'csv' },
      /dataset\.format: Invalid option: expected one of "txt"\|"jsonl"/,
    ],
    [{ kind: 'modular', pp: 3 }, /Unrecognized key: "pp"/],
  ])('rejects %j naming the field', (input, message) => {
    expect(errorOf(input)).toMatch(message);
  });
});
