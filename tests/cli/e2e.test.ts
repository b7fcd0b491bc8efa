/**
 * End to end through the real CLI: `npx homolab run` on the tiny seed-sweep preset (wasm) into
 * a fresh store, then `homolab export --format csv` and `homolab show`; and the same sweep
 * trained without lockstep gives the same numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { homolab, parseCsv, seriesByRun, tinySpec, tmp, type CliResult } from './helpers';

describe('homolab run → export (tiny seed sweep, wasm)', () => {
  const dir = tmp();
  const db = join(dir, 'lab.sqlite');
  const spec = tinySpec(dir);
  let run: CliResult;
  let rows: Record<string, string>[];
  /** The training worker's command line, read while it runs (Linux /proc). */
  let workerArgv: string[] = [];

  beforeAll(async () => {
    run = await homolab(['run', spec, '--db', db, '--backend', 'wasm', '--json'], {
      npx: true,
      onLine: (l) => {
        if (l.type === 'worker-start' && existsSync(`/proc/${l.pid}/cmdline`))
          workerArgv = readFileSync(`/proc/${l.pid}/cmdline`, 'utf8').split('\0');
      },
    });
    const exp = await homolab([
      'export',
      '--format',
      'csv',
      '--out',
      join(dir, 'm.csv'),
      '--db',
      db,
    ]);
    expect(exp.code, exp.stderr).toBe(0);
    rows = parseCsv(readFileSync(join(dir, 'm.csv'), 'utf8'));
  });

  it('completes every run, exit code 0, JSON lines throughout', () => {
    expect(run.code, run.stderr).toBe(0);
    const result = run.lines.at(-1)!;
    expect(result).toMatchObject({ type: 'result', status: 'completed', exitCode: 0 });
    expect((result.counts as Record<string, number>).completed).toBe(3);
    const types = new Set(run.lines.map((l) => l.type));
    for (const t of ['experiment-created', 'backend', 'group-start', 'run-progress', 'run-end'])
      expect(types.has(t), t).toBe(true);
    // On a CPU with more than one worker every run is its own job; with one worker (a 1-core
    // machine) the three stack into one lockstep job. Either way every run trains once.
    const groups = run.lines.filter((l) => l.type === 'group-start');
    expect(groups.flatMap((g) => g.runIds as number[]).sort()).toEqual([1, 2, 3]);
  });

  it.runIf(process.platform === 'linux')(
    'trains in the worker built next to the CLI bundle',
    () => {
      expect(workerArgv.some((a) => a.endsWith(join('dist', 'cli', 'worker-main.js')))).toBe(true);
    },
  );

  it('exports every run completed with its full metrics', () => {
    const runs = new Set(rows.map((r) => r.run_id));
    expect(runs.size).toBe(3);
    for (const r of rows) expect(r.status).toBe('completed');
    const loss = seriesByRun(rows, 'loss');
    for (const id of runs) {
      expect([...loss.get(id)!.keys()].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
      for (const v of loss.get(id)!.values()) expect(Number.isFinite(v)).toBe(true);
    }
    expect(seriesByRun(rows, 'eval_loss').size).toBe(3);
  });

  it('records equal batch hashes across runs (CSV, show, events)', async () => {
    const h = seriesByRun(rows, 'batch_hash48');
    const perRun = [...h.values()].map((m) => JSON.stringify([...m].sort((a, b) => a[0] - b[0])));
    expect(perRun).toHaveLength(3);
    expect(new Set(perRun).size).toBe(1);
    const show = await homolab(['show', 'exp-1', '--db', db, '--json']);
    expect(show.code).toBe(0);
    const hashes = (show.lines[0].runs as { batchHash: string }[]).map((r) => r.batchHash);
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(hashes).size).toBe(1);
    const ends = run.lines.filter((l) => l.type === 'run-end').map((l) => l.batchHash);
    expect(ends).toEqual([hashes[0], hashes[0], hashes[0]]);
  });

  it('round-trips a JSON bundle through export and import', async () => {
    const bundle = join(dir, 'b.json');
    const exp = await homolab(['export', '--format', 'json', '--out', bundle, '--db', db]);
    expect(exp.code, exp.stderr).toBe(0);
    const other = join(dir, 'other.sqlite');
    const imp = await homolab(['import', bundle, '--db', other, '--json']);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.lines[0]).toMatchObject({ type: 'imported', summary: { counts: { runs: 3 } } });
    const show = await homolab(['show', 'exp-1', '--db', other, '--json']);
    const runs = show.lines[0].runs as { status: string; loss: number }[];
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    const again = await homolab(['import', bundle, '--db', other]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already imported/);
  });

  it('trains each member exactly as alone: lockstep vs --no-lockstep losses equal', async () => {
    const solo = await homolab([
      'run',
      spec,
      '--db',
      join(dir, 'solo.sqlite'),
      '--backend',
      'wasm',
      '--no-lockstep',
      '--json',
    ]);
    expect(solo.code, solo.stderr).toBe(0);
    expect(
      solo.lines
        .filter((l) => l.type === 'group-start')
        .every((g) => (g.runIds as number[]).length === 1),
    ).toBe(true);
    await homolab([
      'export',
      '--format',
      'csv',
      '--out',
      join(dir, 's.csv'),
      '--db',
      join(dir, 'solo.sqlite'),
    ]);
    const soloRows = parseCsv(readFileSync(join(dir, 's.csv'), 'utf8'));
    const a = seriesByRun(rows, 'loss');
    const b = seriesByRun(soloRows, 'loss');
    let worst = 0;
    for (const [id, series] of a)
      for (const [step, v] of series) {
        const w = b.get(id)!.get(step)!;
        worst = Math.max(worst, Math.abs(v - w) / Math.abs(w));
      }
    expect(worst).toBeLessThan(1e-5);
  });
});
