/**
 * Every study end to end at the `test` scale (seconds): real worker processes training on
 * wasm into a real store, the real analysis step, and a report whose numbers are re-derived
 * here from the store's own rows. Models this small do not learn, so every verdict must be
 * `inconclusive` with the failing learn gate named, and the gates must sit next to the
 * verdicts in the report JSON. A study report and `compareExperiments` on the same experiment
 * give the same interval for the same quantity.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { compareExperiments } from '../../../src/experiments/compare';
import { pairwiseMean, subMatrix } from '../../../src/experiments/stats';
import {
  listStudyReports,
  parentOf,
  runStudy,
  type StudyContext,
} from '../../../src/experiments/studies';
import { heldOut, modelMatrix } from '../../../src/experiments/studies/read';
import { extractReportData } from '../../../src/reports';
import { studyLab } from './study-lab';

const { dir, dbPath, store, lab } = studyLab('homolab-studies-');

const ctx: StudyContext = { store, lab, scale: 'test' };

type Data = Record<string, unknown>;
type Gates = { name: string; passed: boolean; detail: string; runId?: number }[];

/** Every verdict inconclusive, naming a failed gate that the report lists. */
function expectGated(r: { verdicts: { status: string; evidence: string }[]; gates: Gates }) {
  expect(r.gates.some((g) => !g.passed)).toBe(true);
  for (const v of r.verdicts) {
    expect(v.status).toBe('inconclusive');
    expect(v.evidence).toMatch(/gate failed: /);
  }
}

describe('studies at the test scale', () => {
  it('seed convergence: step-0 baseline, gates per run, same interval as compare', async () => {
    const r = await runStudy('seed-convergence', ctx);
    const data = r.document.data as Data;
    const ids = r.runIds;
    const expId = r.experimentIds[0];
    expect(ids).toHaveLength(3);
    // Step 0 is checkpointed and analysed.
    for (const id of ids)
      expect(store.checkpoints.list(id).map((c) => c.step)).toEqual([0, 10, 20]);
    expect(data.steps).toEqual([0, 10, 20]);
    // One learn gate per run with its held-out figures, plus the arm gate.
    const scores = heldOut(store, expId, 20, ids);
    const runGates = r.gates.filter((g) => g.name === 'learned');
    expect(runGates.map((g) => g.runId)).toEqual(ids);
    runGates.forEach((g, i) => {
      expect(g.passed).toBe(scores.exactMatch[i] >= 0.9);
      expect(g.detail).toContain(scores.exactMatch[i].toFixed(3));
    });
    expectGated(r);
    expect((data as { gates: unknown }).gates).toEqual(JSON.parse(JSON.stringify(r.gates)));

    // A study report and a comparison of the same experiment: the same interval for the
    // final-norm CKA (when every run is kept; otherwise on the kept sub-matrix).
    const learned = data.learnedRunIds as number[];
    const m = modelMatrix(store, expId, 'linear-cka', 20, ids, 'final_norm');
    const keep = learned.map((id) => ids.indexOf(id));
    const mine = pairwiseMean(subMatrix(m, keep), undefined, { range: [0, 1] });
    const perLayer = data.perLayer as { layer: string; final: { value: number | null } }[];
    expect(perLayer.find((p) => p.layer === 'final_norm')!.final.value).toEqual(mine.value);
    const c = await compareExperiments(store, [expId], { step: 20 });
    const fromCompare = c.experiments[0].profile!.layers.find((l) => l.layer === 'final_norm')!;
    const all = pairwiseMean(m, undefined, { range: [0, 1] });
    expect(fromCompare.value).toBeCloseTo(all.value!, 12);
    expect(fromCompare.interval).toEqual(all.interval);

    const stored = listStudyReports(store, 'seed-convergence');
    expect(stored[0].id).toBe(r.analysis.id);
    expect(stored[0].result.gates).toEqual(JSON.parse(JSON.stringify(r.gates)));
    expect(extractReportData(stored[0].result.html)).toEqual(JSON.parse(JSON.stringify(data)));
    expect(r.html).toContain('Gates (what the verdicts rest on)');
  }, 180_000);

  it('shared base: three arms at equal budgets, lineage in the parent column', async () => {
    const r = await runStudy('shared-base', ctx);
    const data = r.document.data as Data;
    const [downId, baseId] = r.experimentIds;
    const bases = store.runs.listByExperiment(baseId);
    const runs = store.runs.listByExperiment(downId);
    expect(bases).toHaveLength(4);
    expect(runs).toHaveLength(9);
    expect(data.arms).toEqual([
      ...Array(3).fill('shared base'),
      ...Array(3).fill('independent bases'),
      ...Array(3).fill('scratch'),
    ]);
    // Arm 1: all from base 0; arm 2: one base each; arm 3: no parent and the whole budget.
    expect(runs.slice(0, 3).map((x) => x.parentRunId)).toEqual([
      bases[0].id,
      bases[0].id,
      bases[0].id,
    ]);
    expect(runs.slice(3, 6).map((x) => x.parentRunId)).toEqual(bases.slice(1).map((b) => b.id));
    expect(runs.slice(6).map((x) => x.parentRunId)).toEqual([null, null, null]);
    expect(parentOf(runs[0])).toMatchObject({ runId: bases[0].id, runUid: bases[0].uid, step: 16 });
    const lastStep = (id: number) => store.checkpoints.list(id).at(-1)!.step;
    expect(runs.slice(0, 6).map((x) => lastStep(x.id))).toEqual(Array(6).fill(8));
    expect(runs.slice(6).map((x) => lastStep(x.id))).toEqual([24, 24, 24]);
    // Fine-tunes start (step 0) at their parent's weights.
    const p = store.checkpoints.atStep(bases[0].id, 16)!.weights;
    const f = store.checkpoints.atStep(runs[0].id, 0)!.weights;
    expect(Array.from(f['param/tok_emb'].data)).toEqual(Array.from(p['param/tok_emb'].data));
    expect(r.gates.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'shared base learned its pretraining task',
        'learned',
        'enough learned runs',
        'fine-tunes moved from their parent',
      ]),
    );
    expect(r.verdicts).toHaveLength(2);
    expectGated(r);
  }, 240_000);

  it('architecture variants: non-learners left out and listed', async () => {
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
    const learned = data.learnedRunIds as number[];
    const failed = r.gates.filter((g) => g.name === 'learned' && !g.passed).map((g) => g.runId);
    expect([...learned, ...failed].sort((a, b) => a! - b!)).toEqual(r.runIds);
    expectGated(r);
  }, 180_000);

  it('emergence via the CLI: exact match and log-likelihood per checkpoint, gates in --json', async () => {
    const out = join(dir, 'emergence.html');
    const lines: string[] = [];
    const { PassThrough } = await import('node:stream');
    const io = {
      stdout: Object.assign(new PassThrough(), { isTTY: false }),
      stderr: new PassThrough(),
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
      verdicts: { status: string }[];
      gates: Gates;
    };
    expect(result).toMatchObject({ type: 'result', study: 'emergence' });
    expect(result.gates.length).toBeGreaterThan(0);
    expectGated(result as never);
    const data = extractReportData(readFileSync(out, 'utf8')) as Data;
    const perRun = data.perRun as {
      runId: number;
      exactMatch: { step: number }[];
      logLikelihood: unknown[];
    }[];
    expect(perRun).toHaveLength(2);
    for (const p of perRun) {
      expect(p.exactMatch.map((q) => q.step)).toEqual([0, 10, 20, 30]);
      expect(p.logLikelihood).toHaveLength(4);
    }
    lines.length = 0;
    expect(await main(['study', '--json'], io)).toBe(0);
    const listed = (
      JSON.parse(lines[0]) as {
        studies: { id: string; expectedMinutes: Record<string, { cpu2: number }> }[];
      }
    ).studies;
    expect(listed.map((s) => s.id)).toEqual([
      'seed-convergence',
      'shared-base',
      'architecture-variants',
      'emergence',
    ]);
    // Each with its expected time at every scale (the listing prints medium's).
    for (const s of listed)
      expect(Object.keys(s.expectedMinutes)).toEqual(['test', 'tiny', 'medium', 'full']);
  }, 180_000);
});
