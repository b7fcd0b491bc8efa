/**
 * `homolab compare` through the real CLI and a real store: two tiny seed sweeps trained by the
 * runner (real worker processes), then compared with --analyze, --json, --out report.html and --csv in a child
 * process (as a user runs it). The cheaper follow-ups — listing and reopening the saved
 * comparison, the human summary, usage and not-found errors — call the same CLI entry point
 * (`main`) in-process, because each child process costs seconds of start-up on a shared CPU.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store';
import { main } from '../../src/cli/main';
import { createExperiment } from '../../src/experiments/spec/create';
import { ExperimentRunner } from '../../src/experiments/execution/runner';
import { nodeWorkerFactory } from '../../src/experiments/execution/worker/node-host';
import { extractReportData } from '../../src/reports';
import type { Comparison } from '../../src/experiments/compare';
import { getPreset } from '../../src/experiments/spec/presets';
import { homolab, parseCsv, tmp, type CliResult } from './helpers';

/** Runs the CLI in this process, capturing its output. */
async function cli(args: string[]) {
  const out = { stdout: '', stderr: '' };
  const sink = (k: 'stdout' | 'stderr') =>
    ({ write: (t: string) => ((out[k] += t), true) }) as unknown as NodeJS.WriteStream;
  const code = await main(args, { stdout: sink('stdout'), stderr: sink('stderr') });
  const lines = out.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, ...out, lines };
}

describe('homolab compare', () => {
  const dir = tmp();
  const db = join(dir, 'lab.sqlite');
  const report = join(dir, 'report.html');
  const csv = join(dir, 'summary.csv');
  let res: CliResult;
  let c: Comparison;

  beforeAll(async () => {
    // Training is not what is tested here: the runner trains in-process (a worker per session).
    const store = openStore(db);
    const runner = new ExperimentRunner({
      store,
      dbPath: db,
      workerFactory: nodeWorkerFactory(),
      backend: 'wasm',
    });
    for (const [name, model] of [
      ['post-norm relu', { normPlacement: 'post', activation: 'relu' }],
      ['pre-norm gelu', { normPlacement: 'pre', activation: 'gelu' }],
    ] as const) {
      const spec = getPreset('seed-sweep').spec('tiny');
      spec.name = name;
      spec.model = { ...spec.model, ...model };
      const { experiment } = createExperiment(store, spec);
      expect((await runner.start(experiment.id)).status).toBe('completed');
    }
    store.close();
    res = await homolab([
      'compare',
      'exp-1',
      '2',
      '--analyze',
      '--backend',
      'wasm',
      '--json',
      '--out',
      report,
      '--csv',
      csv,
      '--save',
      'relu vs gelu',
      '--resamples',
      '300',
      '--db',
      db,
    ]);
    expect(res.code, res.stderr).toBe(0);
    c = res.lines.at(-1)!.comparison as Comparison;
  });

  it('prints the comparison as JSON after the analysis progress', () => {
    const last = res.lines.at(-1)!;
    expect(last.type).toBe('comparison');
    expect(res.lines.some((l) => l.type === 'analysis-progress')).toBe(true);
    expect(c.experimentIds).toEqual([1, 2]);
    for (const e of c.experiments) {
      expect(e.profile?.overall.value).toEqual(expect.any(Number));
      expect(e.outputs?.['top1-agreement']?.value).toEqual(expect.any(Number));
    }
    expect(c.specDiff.map((d) => d.path)).toContain('model.activation');
    expect(last.files).toEqual({ html: report, csv });
  });

  it('writes a standalone HTML report holding the same numbers', () => {
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('model.activation');
    expect(extractReportData(html)).toEqual(c);
  });

  it('writes CSV that reads back with one row per experiment', () => {
    const rows = parseCsv(readFileSync(csv, 'utf8'));
    expect(rows.map((r) => r.experiment_id)).toEqual(['1', '2']);
    expect(rows.map((r) => r.name)).toEqual(['post-norm relu', 'pre-norm gelu']);
    expect(rows[1]['spec:model.activation']).toBe('gelu');
    expect(Number(rows[1]['linear-cka'])).toBeCloseTo(
      c.summary[1].measures['linear-cka'].value!,
      12,
    );
  });

  it('lists and reopens the saved comparison', async () => {
    const list = await cli(['compare', '--list-saved', '--json', '--db', db]);
    expect(list.code, list.stderr).toBe(0);
    const saved = (list.lines[0].comparisons as { id: number; name: string }[])[0];
    expect(saved.name).toBe('relu vs gelu');
    const open = await cli(['compare', '--saved', String(saved.id), '--json', '--db', db]);
    expect(open.code, open.stderr).toBe(0);
    expect(open.lines[0].comparison).toEqual(c);
  });

  it('prints a readable summary without --json', async () => {
    const human = await cli(['compare', 'exp-1', 'exp-2', '--resamples', '100', '--db', db]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/EXPERIMENT/);
    expect(human.stdout).toMatch(/What differs:/);
    expect(human.stdout).toMatch(/model\.normPlacement\s+post\s+pre/);
    expect(human.stdout).toMatch(/linear-cka/);
  });

  it('fails with documented exit codes', async () => {
    const missing = await cli(['compare', 'exp-1', 'exp-99', '--db', db]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/99/);
    const json = await cli(['compare', 'exp-1', 'exp-99', '--json', '--db', db]);
    expect(json.lines[0]).toMatchObject({ type: 'error', code: 4 });
    expect((await cli(['compare', 'exp-1', 'run-2', '--db', db])).code).toBe(2);
    expect((await cli(['compare', '--db', db])).code).toBe(2);
    expect((await cli(['compare', 'exp-1', '--step', 'x', '--db', db])).code).toBe(2);
    expect((await cli(['compare', 'exp-1', '--reference', '3', '--db', db])).code).toBe(2);
    expect((await cli(['compare', 'exp-1', '--db', join(dir, 'nope.sqlite')])).code).toBe(4);
  });
});
