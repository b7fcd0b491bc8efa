/**
 * Crash and resume through the real CLI, with one worker (so both runs share it; the pool's
 * per-worker crash handling is tests/experiments/execution/pool.test.ts): SIGKILL the training
 * worker mid-run → the runs are
 * `interrupted` with the reason and the CLI exits 6 → `homolab resume exp-1` continues from the
 * last checkpoints → the loss history equals an uninterrupted run's exactly (wasm).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homolab, parseCsv, seriesByRun, tinySpec, tmp } from './helpers';

const STEPS = 60;

describe('worker SIGKILL → interrupted → homolab resume', () => {
  it('resumes from the last checkpoint and ends with the uninterrupted losses', async () => {
    const dir = tmp();
    const spec = tinySpec(dir, (s) => {
      s.axes = { grid: { initSeed: [0, 1] } };
      s.training = { ...s.training, steps: STEPS, checkpointEvery: 5, evalEvery: 20 };
    });
    const ref = join(dir, 'ref.sqlite');
    const crash = join(dir, 'crash.sqlite');

    let pid = 0;
    let killedAt = -1;
    const [reference, crashed] = await Promise.all([
      homolab(['run', spec, '--db', ref, '--backend', 'wasm', '--workers', '1', '--json']),
      homolab(['run', spec, '--db', crash, '--backend', 'wasm', '--workers', '1', '--json'], {
        onLine: (l) => {
          if (l.type === 'worker-start') pid = l.pid as number;
          if (l.type === 'run-progress' && killedAt < 0 && (l.step as number) >= 8) {
            killedAt = l.step as number;
            process.kill(pid, 'SIGKILL');
          }
        },
      }),
    ]);
    expect(reference.code, reference.stderr).toBe(0);
    expect(killedAt).toBeGreaterThan(0);
    expect(crashed.code).toBe(6);
    const result = crashed.lines.at(-1)!;
    expect(result).toMatchObject({ type: 'result', status: 'interrupted' });
    expect(result.message).toMatch(new RegExp(`training worker ${pid} was killed by SIGKILL`));

    const shown = await homolab(['show', 'exp-1', '--db', crash, '--json']);
    const runs = shown.lines[0].runs as { status: string; statusReason: string; step: number }[];
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'interrupted']);
    expect(runs[0].statusReason).toMatch(/killed by SIGKILL/);
    expect(runs[0].step).toBeLessThan(STEPS);

    const resumed = await homolab([
      'resume',
      'exp-1',
      '--db',
      crash,
      '--backend',
      'wasm',
      '--workers',
      '1',
      '--json',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const start = resumed.lines.find((l) => l.type === 'group-start')!;
    expect(start.startStep).toBeGreaterThan(0);
    expect((start.startStep as number) % 5).toBe(0);

    const csv = async (db: string, name: string) => {
      const out = join(dir, name);
      const r = await homolab(['export', '--format', 'csv', '--out', out, '--db', db]);
      expect(r.code, r.stderr).toBe(0);
      return parseCsv(readFileSync(out, 'utf8'));
    };
    const a = await csv(ref, 'ref.csv');
    const b = await csv(crash, 'crash.csv');
    for (const metric of ['loss', 'eval_loss', 'batch_hash48']) {
      const x = seriesByRun(a, metric);
      const y = seriesByRun(b, metric);
      for (const id of ['1', '2']) {
        const sx = [...x.get(id)!].sort((p, q) => p[0] - q[0]);
        const sy = [...y.get(id)!].sort((p, q) => p[0] - q[0]);
        expect(sy, `${metric} of run ${id}`).toEqual(sx);
      }
    }
    expect(b.every((r) => r.status === 'completed')).toBe(true);
  });
});
