import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { matrixToNpy, npyToMatrix, parseNpy, readNpyMatrix, writeNpy } from '../../src/core/npy';
import { itRandom, randn, between } from './similarity/random';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '../fixtures/npy');
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(fixtures, name)));

/** The array all committed fixtures hold: arange(12).reshape(3, 4) / 8 − 0.5. */
const EXPECTED = Array.from({ length: 12 }, (_, i) => i / 8 - 0.5);

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe('.npy reading of files written by numpy (committed fixtures)', () => {
  for (const name of [
    'f8-c-v1.npy',
    'f4-c-v1.npy',
    'f8-fortran.npy',
    'f4-big-endian.npy',
    'f8-v2.npy',
    'f8-v3.npy',
  ]) {
    it(name, () => {
      const a = parseNpy(read(name));
      expect(a.shape).toEqual([3, 4]);
      expect(a.dtype).toBe(name.startsWith('f4') ? 'float32' : 'float64');
      expect(Array.from(a.data)).toEqual(EXPECTED);
      const m = readNpyMatrix(read(name));
      expect([m.rows, m.cols]).toEqual([3, 4]);
      expect(m.data).toBeInstanceOf(Float64Array);
    });
  }

  it('rejects unsupported dtypes and ranks with clear messages', () => {
    expect(() => parseNpy(read('i8-unsupported.npy'))).toThrow(
      /unsupported dtype '<i8' \(signed integer/,
    );
    const threeD = parseNpy(read('f8-3d.npy'));
    expect(threeD.shape).toEqual([2, 3, 4]);
    expect(() => npyToMatrix(threeD)).toThrow(/expected a 2-D array.*\(2, 3, 4\)/);
    expect(() => parseNpy(new TextEncoder().encode('{"not": "npy"}'))).toThrow(/magic/);
    const ok = read('f8-c-v1.npy');
    expect(() => parseNpy(ok.subarray(0, ok.length - 8))).toThrow(/truncated/);
  });
});

describe('.npy round trip (fresh random inputs)', () => {
  itRandom('every version × order × endianness × dtype', (rng) => {
    const shape = [between(rng, 0, 6), between(rng, 1, 7)];
    if (rng.next() < 0.3) shape.push(between(rng, 1, 4));
    const count = shape.reduce((a, b) => a * b, 1);
    const f64 = randn(rng, 1, count).data;
    for (const version of [1, 2, 3] as const)
      for (const fortranOrder of [false, true])
        for (const bigEndian of [false, true])
          for (const data of [f64, Float32Array.from(f64)]) {
            const bytes = writeNpy({ shape, data }, { version, fortranOrder, bigEndian });
            expect(bytes[6]).toBe(version);
            const headerEnd =
              version === 1 ? 10 + (bytes[8] | (bytes[9] << 8)) : 12 + (bytes[8] | (bytes[9] << 8));
            expect(headerEnd % 64).toBe(0);
            const back = parseNpy(bytes);
            expect(back.shape).toEqual(shape);
            expect(back.data.constructor).toBe(data.constructor);
            expect(Array.from(back.data)).toEqual(Array.from(data));
          }
  });

  itRandom('matrix helpers', (rng) => {
    const m = randn(rng, between(rng, 1, 9), between(rng, 1, 9));
    expect(readNpyMatrix(matrixToNpy(m))).toEqual(m);
    const f32 = readNpyMatrix(matrixToNpy(m, 'float32'));
    for (let i = 0; i < m.data.length; i++) expect(f32.data[i]).toBeCloseTo(m.data[i], 6);
  });
});

describe.skipIf(!hasNumpy)(
  '.npy interoperability with a live numpy (python3 + numpy present)',
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'homolab-npy-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    itRandom('numpy reads what we write and we read what numpy writes', (rng) => {
      const m = randn(rng, between(rng, 1, 20), between(rng, 1, 20));
      const ours = path.join(dir, 'ours.npy');
      writeFileSync(ours, matrixToNpy(m, 'float64', { fortranOrder: true, bigEndian: true }));
      const theirs = path.join(dir, 'theirs.npy');
      const script = [
        'import numpy as np, sys',
        'a = np.load(sys.argv[1])',
        'np.save(sys.argv[2], np.asfortranarray((a * 2).astype(np.float32)))',
        'print(repr(float(a.sum())))',
      ].join('\n');
      const r = spawnSync('python3', ['-c', script, ours, theirs], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(Number(r.stdout.trim())).toBeCloseTo(
        m.data.reduce((s, v) => s + v, 0),
        10,
      );
      const back = readNpyMatrix(new Uint8Array(readFileSync(theirs)));
      expect([back.rows, back.cols]).toEqual([m.rows, m.cols]);
      for (let i = 0; i < m.data.length; i++) expect(back.data[i]).toBeCloseTo(2 * m.data[i], 5);
    });
  },
);
