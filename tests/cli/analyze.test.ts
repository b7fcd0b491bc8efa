/**
 * `homolab analyze` on a store with a trained tiny experiment — as a real child process (JSON
 * progress lines, analyses stored, the second call reuses them) and in-process through the
 * CLI's `main` (human output, errors for unknown experiments and measures).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { trainedLab, type TrainedLab } from '../experiments/analysis/helpers';
import { homolab } from './helpers';
import { runCli } from './in-process';

let lab: TrainedLab;
beforeAll(async () => {
  lab = await trainedLab((s) => {
    s.axes = { grid: { initSeed: [0, 1] } };
  });
  lab.store.close(); // the CLI opens the file itself
});

describe('homolab analyze', () => {
  it('computes, stores and then reuses analyses, with progress', async () => {
    const args = [
      'analyze',
      `exp-${lab.experimentId}`,
      '--db',
      lab.dbPath,
      '--backend',
      'wasm',
      '--measures',
      'linear-cka,jsd,spectra',
      '--steps',
      'all',
      '--json',
    ];
    const first = await homolab(args);
    expect(first.code, first.stderr).toBe(0);
    const types = first.lines.map((l) => l.type);
    expect(types[0]).toBe('analysis-start');
    expect(types.filter((t) => t === 'analysis-progress').length).toBeGreaterThan(3);
    const result = first.lines.at(-1)!;
    expect(result).toMatchObject({ type: 'analysis-result', steps: [6, 12], runIds: lab.runIds });
    expect(result.created as number).toBeGreaterThan(0);

    const second = await homolab(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.lines.at(-1)).toMatchObject({ type: 'analysis-result', created: 0 });
    expect(second.lines.at(-1)!.reused as number).toBeGreaterThan(0);

    const human = await runCli(args.slice(0, -1));
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/0 analyses stored, \d+ reused/);
  });

  it('reports unknown experiments and measures', async () => {
    const missing = await runCli(['analyze', 'exp-99', '--db', lab.dbPath]);
    expect(missing.code).toBe(4);
    const bad = await runCli(['analyze', 'exp-1', '--db', lab.dbPath, '--measures', 'cka']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown measure 'cka'; allowed: linear-cka/);
    const steps = await runCli(['analyze', 'exp-1', '--db', lab.dbPath, '--steps', 'last']);
    expect(steps.code).toBe(2);
  });
});
