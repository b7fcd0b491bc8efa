/**
 * `homolab measure` on files written by NumPy (skipped cleanly when /usr/bin/python3 has no
 * numpy) as a real child process, and in-process (the CLI's `main`, real files) on files from
 * our own .npy writer, JSON rows, and bad input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matrixToNpy } from '../../src/core/npy';
import { Rng } from '../../src/core/rng';
import { linearCka } from '../../src/core/similarity/cka';
import type { Matrix } from '../../src/core/similarity/matrix';
import { toRows } from '../../src/core/similarity/matrix';
import { MEASURE_NAMES } from '../../src/core/similarity/registry';
import { homolab, tmp } from './helpers';
import { runCli } from './in-process';

const PY = '/usr/bin/python3';
const hasNumpy =
  existsSync(PY) && spawnSync(PY, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

function random(rows: number, cols: number, rng: Rng): Matrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows, cols, data };
}

describe('homolab measure', () => {
  it.skipIf(!hasNumpy)('reads float32 and float64 .npy files written by NumPy', async () => {
    const dir = tmp();
    const seed = Math.floor(Math.random() * 1e6);
    // B = 3·A·Q + 1 with Q orthogonal (float64); A saved as float32: linear CKA = 1.
    const py = spawnSync(
      PY,
      [
        '-c',
        `import numpy as np
rng = np.random.default_rng(${seed})
a = rng.standard_normal((300, 12))
q, _ = np.linalg.qr(rng.standard_normal((12, 12)))
np.save('${join(dir, 'a.npy')}', a.astype(np.float32))
np.save('${join(dir, 'b.npy')}', 3 * a.astype(np.float32).astype(np.float64) @ q + 1)
np.save('${join(dir, 'c.npy')}', np.asfortranarray(rng.standard_normal((300, 5))))
np.save('${join(dir, 'bad.npy')}', np.zeros((300, 2, 2)))`,
      ],
      { encoding: 'utf8' },
    );
    expect(py.status, py.stderr).toBe(0);
    const r = await homolab([
      'measure',
      'linear-cka',
      join(dir, 'a.npy'),
      join(dir, 'b.npy'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0); // a real child process, as a user runs it
    expect(r.lines[0]).toMatchObject({ measure: 'linear-cka', warnings: [] });
    expect(r.lines[0].value as number).toBeCloseTo(1, 6);
    const p = await runCli([
      'measure',
      'procrustes',
      join(dir, 'a.npy'),
      join(dir, 'b.npy'),
      '--json',
    ]);
    expect(p.lines[0].value as number).toBeCloseTo(0, 5);
    // Fortran-ordered, different width: fine (columns may differ).
    const c = await runCli([
      'measure',
      'debiased-cka',
      join(dir, 'a.npy'),
      join(dir, 'c.npy'),
      '--json',
    ]);
    expect(c.code, c.stderr).toBe(0);
    expect(Math.abs(c.lines[0].value as number)).toBeLessThan(0.2);
    const bad = await runCli(['measure', 'linear-cka', join(dir, 'a.npy'), join(dir, 'bad.npy')]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/2-D/);
  });

  it('reads our own .npy files and JSON rows, matching the library value', async () => {
    const dir = tmp();
    const rng = new Rng(Math.floor(Math.random() * 1e6));
    const a = random(80, 6, rng);
    const b = random(80, 4, rng);
    writeFileSync(join(dir, 'a.npy'), matrixToNpy(a, 'float64'));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(toRows(b)));
    const r = await runCli([
      'measure',
      'linear-cka',
      join(dir, 'a.npy'),
      join(dir, 'b.json'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines[0]).toMatchObject({ measure: 'linear-cka', rows: 80, colsA: 6, colsB: 4 });
    expect(r.lines[0].value as number).toBeCloseTo(linearCka(a, b), 12);
    // Options reach the measure; the human form prints one line.
    const k = await runCli([
      'measure',
      'mutual-knn',
      join(dir, 'a.npy'),
      join(dir, 'a.npy'),
      '--k',
      '3',
    ]);
    expect(k.code, k.stderr).toBe(0);
    expect(k.stdout.trim()).toBe('mutual-knn = 1');
  });

  it('fails clearly on shape mismatch, bad files and unknown measures', async () => {
    const dir = tmp();
    const rng = new Rng(3);
    writeFileSync(join(dir, 'a.npy'), matrixToNpy(random(10, 3, rng), 'float32'));
    writeFileSync(join(dir, 'b.npy'), matrixToNpy(random(11, 3, rng), 'float32'));
    writeFileSync(join(dir, 'ragged.json'), '[[1,2],[3]]');
    writeFileSync(join(dir, 'text.json'), '[[1,"x"]]');
    writeFileSync(join(dir, 'junk.npy'), 'not numpy');
    const f = (n: string) => join(dir, n);

    const shape = await runCli(['measure', 'linear-cka', f('a.npy'), f('b.npy'), '--json']);
    expect(shape.code).toBe(3);
    expect(shape.lines[0].message).toMatch(/shape mismatch: .*10×3 .*11×3/);

    const unknown = await runCli(['measure', 'cosine', f('a.npy'), f('a.npy')]);
    expect(unknown.code).toBe(2);
    for (const m of MEASURE_NAMES) expect(unknown.stderr).toContain(m);

    for (const [file, msg] of [
      ['ragged.json', /row 1 has 1 values/],
      ['text.json', /row 0, column 1 is not a number/],
      ['junk.npy', /junk\.npy/],
    ] as const) {
      const r = await runCli(['measure', 'linear-cka', f(file), f(file)]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(msg);
    }
    const missing = await runCli(['measure', 'linear-cka', f('none.npy'), f('a.npy')]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/no such file/);
    const badK = await runCli(['measure', 'mutual-knn', f('a.npy'), f('a.npy'), '--k', '0']);
    expect(badK.code).toBe(2);
  });
});
