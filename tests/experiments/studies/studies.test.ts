/**
 * Every study end to end at the `test` scale (seconds): real worker processes training on
 * wasm into a real store, the real analysis step, and a report whose numbers are re-derived
 * here from the store's own rows. The `tiny` scale is the same code with larger designs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import {
  listStudyReports,
  meanOffDiagonal,
  parentOf,
  runStudy,
  type StudyContext,
} from '../../../src/experiments/studies';
import { modelMatrix } from '../../../src/experiments/studies/read';
import { extractReportData } from '../../../src/reports';
import { studyLab } from './study-lab';

const { dir, dbPath, store, lab } = studyLab('homolab-studies-');

const ctx: StudyContext = { store, lab, scale: 'test' };

type Data = Record<string, unknown>;

describe('studies at the test scale', () => {
  it('seed convergence: per-layer CKA comes from the stored analyses', async () => {
    const r = await runStudy('seed-convergence', ctx);
    const data = r.document.data as Data;
    const ids = r.runIds;
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(store.runs.require(id).status).toBe('completed');
    const final = data.finalStep as number;
    const perLayer = data.perLayer as { layer: string; ci: { estimate: number } }[];
    expect(perLayer.map((p) => p.layer)).toEqual(['embed', 'blocks.0', 'blocks.1', 'final_norm']);
    for (const p of perLayer) {
      const m = modelMatrix(store, r.experimentIds[0], 'linear-cka', final, ids, p.layer);
      expect(p.ci.estimate).toBeCloseTo(meanOffDiagonal(m), 12);
      expect(p.ci.estimate).toBeGreaterThan(0);
      expect(p.ci.estimate).toBeLessThanOrEqual(1);
    }
    expect((data.overSteps as unknown[]).length).toBe(2); // checkpoints at 10 and 20
    const li = (data.layerIdentification as { ci: { estimate: number } }).ci.estimate;
    expect(li).toBeGreaterThanOrEqual(0);
    expect(li).toBeLessThanOrEqual(1);
    expect(r.verdicts).toHaveLength(2);

    // Stored as a study-report analysis whose HTML embeds the same numbers.
    const stored = listStudyReports(store, 'seed-convergence');
    expect(stored).toHaveLength(1);
    expect(stored[0].id).toBe(r.analysis.id);
    expect(extractReportData(stored[0].result.html)).toEqual(JSON.parse(JSON.stringify(data)));
    expect(r.html).toContain('Cross-seed linear CKA per layer');
  }, 120_000);

  it('shared base vs scratch: fine-tunes record their parent; κ and H come from the store', async () => {
    const r = await runStudy('shared-base', ctx);
    const data = r.document.data as Data;
    const [downId, baseId] = r.experimentIds;
    const baseRun = store.runs.listByExperiment(baseId)[0];
    const runs = store.runs.listByExperiment(downId);
    expect(runs).toHaveLength(6);
    const parents = runs.map(parentOf);
    expect(
      parents.slice(0, 3).every((p) => p?.runId === baseRun.id && p.runUid === baseRun.uid),
    ).toBe(true);
    expect(parents.slice(3)).toEqual([null, null, null]);
    expect(runs.map((x) => x.name.split(' ')[0])).toEqual([
      'finetune',
      'finetune',
      'finetune',
      'scratch',
      'scratch',
      'scratch',
    ]);
    const step = data.step as number;
    const kappa = modelMatrix(
      store,
      downId,
      'error-consistency',
      step,
      runs.map((x) => x.id),
      'output',
    );
    expect(data.kappa).toEqual(kappa);
    const ft = (data.kappaCi as { sharedBase: { estimate: number } }).sharedBase.estimate;
    const sub = [0, 1, 2].map((i) => [0, 1, 2].map((j) => kappa[i][j]));
    expect(ft).toBeCloseTo(meanOffDiagonal(sub), 12);
    const perm = (data.permutation as { kappa: { method: string; permutations: number } }).kappa;
    expect(perm).toMatchObject({ method: 'exact', permutations: 20 });
    const h = data.homogenization as { sharedBase: { k: number }; scratch: { k: number } };
    expect(h.sharedBase.k).toBe(3);
    expect(h.scratch.k).toBe(3);
    // Fine-tuning from the base makes the group's errors more alike than scratch training.
    expect(ft).toBeGreaterThan(
      (data.kappaCi as { scratch: { estimate: number } }).scratch.estimate,
    );
  }, 180_000);

  it('architecture variants: a matched-loss comparison of every run is stored and reported', async () => {
    const r = await runStudy('architecture-variants', ctx);
    const data = r.document.data as Data;
    expect(data.architectures).toEqual([
      'base',
      'base',
      'width 32',
      'width 32',
      'depth 2',
      'depth 2',
    ]);
    const row = store.analyses.require(data.analysisId as number);
    expect(row.kind).toBe('study-matched-loss');
    expect(row.runIds).toEqual(r.runIds);
    const matched = row.result as {
      target: number;
      selections: { runId: number; step: number; evalLoss: number }[];
      notLearned: number[];
    };
    expect(data.matched).toEqual(matched);
    // Every run is compared at a checkpoint at (or, failing that, nearest) the target loss.
    // (runs that did not learn are compared at their best checkpoint instead).
    for (const s of matched.selections) {
      expect(store.checkpoints.atStep(s.runId, s.step)).not.toBeNull();
      if (!matched.notLearned.includes(s.runId))
        expect(s.evalLoss).toBeLessThanOrEqual(matched.target + 1e-9);
    }
    const summary = data.summary as { key: string; permutation: { permutations: number } }[];
    expect(summary.map((s) => s.key)).toEqual([
      'cka:embed',
      'cka:head input',
      'agreement',
      'jsd',
      'kappa',
    ]);
    expect(summary[0].permutation.permutations).toBe(90); // 6! / (2!·2!·2!)
  }, 120_000);

  it('emergence via the CLI: `homolab study emergence --scale test --out` writes the report', async () => {
    const out = join(dir, 'emergence.html');
    const lines: string[] = [];
    const io = {
      stdout: Object.assign(new (await import('node:stream')).PassThrough(), { isTTY: false }),
      stderr: new (await import('node:stream')).PassThrough(),
    };
    io.stdout.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
    const code = await main(
      [
        'study',
        'emergence',
        '--scale',
        'test',
        '--backend',
        'wasm',
        '--db',
        dbPath,
        '--out',
        out,
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    const result = JSON.parse(lines[lines.length - 1]) as {
      type: string;
      study: string;
      analysisId: number;
      experimentIds: number[];
    };
    expect(result).toMatchObject({ type: 'result', study: 'emergence' });
    const data = extractReportData(readFileSync(out, 'utf8')) as Data;
    const perRun = data.perRun as { runId: number; accuracy: { step: number; value: number }[] }[];
    expect(perRun).toHaveLength(2);
    for (const p of perRun) {
      const s = store.metrics.series(p.runId, 'eval_accuracy');
      expect(p.accuracy.map((q) => q.value)).toEqual(s.values);
    }
    expect(store.analyses.require(result.analysisId).kind).toBe('study-report');
    // Listing needs no store.
    lines.length = 0;
    expect(await main(['study', '--json'], io)).toBe(0);
    expect(
      (JSON.parse(lines[0]) as { studies: { id: string }[] }).studies.map((s) => s.id),
    ).toEqual(['seed-convergence', 'shared-base', 'architecture-variants', 'emergence']);
    expect(await main(['study', 'nope', '--db', dbPath], io)).toBe(4);
  }, 120_000);
});
