/**
 * Sizes bounded by what the machine can hold: the spec's upper bounds refuse absurd sizes as
 * input; the memory estimate and the cost gate refuse a job that cannot fit (naming the number
 * and the field to change) and ask before a very long one; the API and `homolab run` apply the
 * gate before anything is stored.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/api/lab';
import { tempLab } from '../../api/temp-lab';
import { checkSpec } from '../../../src/experiments/spec/parse-spec';
import {
  costGate,
  CostGateError,
  enforceCostGate,
  WASM_HEAP_BYTES,
  type MachineMemory,
} from '../../../src/experiments/spec/cost-gate';
import { estimateTrainingMemory } from '../../../src/experiments/spec/memory-estimate';
import { countParameters } from '../../../src/experiments/spec/estimate';
import { main } from '../../../src/cli/main';
import { EXIT } from '../../../src/cli/exit-codes';
import { openStore } from '../../../db/store';

const GiB = 1024 ** 3;
const machine16: MachineMemory = { totalBytes: 16 * GiB, availableBytes: 12 * GiB, gpuBytes: null };
const dataset = { kind: 'copy-reverse', numTrain: 64, numValidation: 16 };

function variantsOf(model: Record<string, unknown>, training: Record<string, unknown> = {}) {
  const r = checkSpec({
    name: 't',
    dataset,
    model,
    training: { steps: 10, ...training },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.variants;
}

describe('spec upper bounds', () => {
  it('refuses d_model 2^20 and contextLength 1e9 as input, naming the field', () => {
    for (const [field, value] of [
      ['dModel', 2 ** 20],
      ['contextLength', 1e9],
      ['nLayers', 10_000],
      ['dFF', 2 ** 24],
    ] as const) {
      const r = checkSpec({
        name: 'x',
        dataset,
        model: { [field]: value },
        training: { steps: 1 },
      });
      expect(r.ok, field).toBe(false);
      if (!r.ok) expect(r.issues.map((i) => i.path)).toContain(`model.${field}`);
    }
    const tokens = checkSpec({ name: 'x', dataset, training: { tokens: 1e15, batchSize: 1 } });
    expect(tokens.ok).toBe(false);
    const steps = checkSpec({ name: 'x', dataset, training: { steps: 2 ** 53 - 1 } });
    expect(steps.ok).toBe(false);
    const named = checkSpec({ name: 'evil\u001b[2J', dataset, training: { steps: 1 } });
    expect(named.ok).toBe(false);
  });
});

describe('memory estimate', () => {
  it('counts float32 weights, gradients, AdamW moments, a checkpoint copy and activations', () => {
    const model = {
      ...variantsOf({ dModel: 64, nHeads: 4, nLayers: 2, dFF: 256, contextLength: 32 })[0].model,
      vocabSize: 64,
    };
    const P = countParameters(model).total;
    const one = estimateTrainingMemory(model, { batchSize: 16 });
    expect(one.stateBytes).toBe(16 * P);
    expect(one.checkpointBytes).toBe(12 * P);
    // Activations: per layer (10·64 + 2·256)·16·32 + 2·4·32²·16 floats, plus embeddings/logits,
    // three times over at the backward pass's peak.
    const perLayer = (10 * 64 + 2 * 256) * 16 * 32 + 2 * 4 * 32 * 32 * 16;
    expect(one.activationBytes).toBe(3 * 4 * (2 * perLayer + 16 * 32 * (64 + 3 * 64)));
    const four = estimateTrainingMemory(model, { batchSize: 16 }, 4);
    expect(four.totalBytes - four.overheadBytes).toBe(4 * (one.totalBytes - one.overheadBytes));
  });
});

describe('cost gate', () => {
  it('refuses a model too big for the machine, naming the number and the parameter fields', () => {
    const v = variantsOf({ dModel: 8192, nHeads: 64, nLayers: 48, dFF: 32768 });
    const g = costGate({ variants: v, vocabSize: 256, backend: 'cpu', machine: machine16 });
    expect(g.fits).toBe(false);
    expect(g.summary).toMatch(
      /needs about [\d.]+ [GT]iB of memory for training, more than 90 % of this machine's 16 GiB/,
    );
    expect(g.issues.map((i) => i.path)).toContain('model.dModel');
    expect(() => enforceCostGate(g, true)).toThrow(CostGateError);
  });

  it('names batch and context when activations dominate, and lockstep when members stack', () => {
    const v = variantsOf({ dModel: 256, nHeads: 8, contextLength: 8192 }, { batchSize: 256 });
    const g = costGate({ variants: v, vocabSize: 256, backend: 'cpu', machine: machine16 });
    expect(g.fits).toBe(false);
    expect(g.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['model.contextLength', 'training.batchSize']),
    );
    const seeds = checkSpec({
      name: 's',
      dataset,
      model: { dModel: 256, nHeads: 8, contextLength: 512 },
      training: { steps: 10, batchSize: 64 },
      axes: { grid: { initSeed: [1, 2, 3, 4, 5, 6, 7, 8] } },
    });
    if (!seeds.ok) throw new Error('spec');
    const stacked = costGate({
      variants: seeds.variants,
      vocabSize: 256,
      backend: 'cpu',
      machine: machine16,
    });
    expect(stacked.fits).toBe(false);
    expect(stacked.issues.map((i) => i.path)).toContain('lockstep');
    const alone = costGate({
      variants: seeds.variants,
      vocabSize: 256,
      backend: 'cpu',
      machine: machine16,
      maxGroupSize: 1,
    });
    expect(alone.fits).toBe(true);
  });

  it("caps wasm at its 4 GiB heap, and uses the GPU's memory when known", () => {
    const v = variantsOf({ dModel: 2048, nHeads: 16, nLayers: 24, dFF: 8192 });
    const big: MachineMemory = {
      totalBytes: 256 * GiB,
      availableBytes: 200 * GiB,
      gpuBytes: 8 * GiB,
    };
    const wasm = costGate({ variants: v, vocabSize: 256, backend: 'wasm', machine: big });
    expect(wasm.limitBytes).toBe(WASM_HEAP_BYTES);
    expect(wasm.fits).toBe(false);
    expect(costGate({ variants: v, vocabSize: 256, backend: 'cpu', machine: big }).fits).toBe(true);
    const gpu = costGate({ variants: v, vocabSize: 256, backend: 'webgpu', machine: big });
    expect(gpu.limitSource).toMatch(/GPU/);
    expect(gpu.fits).toBe(false);
  });

  it('asks for confirmation past 24 h (or the UI threshold), and lets a confirmed job through', () => {
    const v = variantsOf({}, { steps: 10_000_000 });
    const g = costGate({ variants: v, vocabSize: 64, backend: 'cpu', machine: machine16 });
    expect(g.fits).toBe(true);
    expect(g.seconds).toBeGreaterThan(24 * 3600);
    expect(g.needsConfirmation).toBe(true);
    expect(g.issues.map((i) => i.path)).toContain('training.steps');
    expect(() => enforceCostGate(g, false)).toThrow(/Confirm to go ahead/);
    expect(() => enforceCostGate(g, true)).not.toThrow();
    const small = variantsOf({}, { steps: 100 });
    expect(
      costGate({ variants: small, vocabSize: 64, backend: 'cpu', machine: machine16 })
        .needsConfirmation,
    ).toBe(false);
  });
});

describe('the gate at the API and the CLI, before anything is stored', () => {
  let t: ReturnType<typeof tempLab>;
  let lab: Lab;
  let dir: string;
  const dispatch = (name: string, input: unknown) =>
    lab.dispatcher.dispatch(name, input, { transport: 'direct' });

  beforeAll(() => {
    t = tempLab('homolab-gate-');
    ({ lab, dir } = t);
  });
  afterAll(() => t.close());

  const huge = {
    dataset,
    model: { dModel: 16384, nHeads: 128, nLayers: 256, dFF: 65536 },
    training: { steps: 10 },
  };
  const long = { dataset, training: { steps: 10_000_000 } };

  it('createExperiment: absurd sizes are invalid input, a job too big is over_capacity, a long one needs confirmation', async () => {
    const absurd = await dispatch('createExperiment', {
      name: 'absurd',
      spec: { dataset, model: { dModel: 2 ** 20, contextLength: 1e9 }, training: { steps: 1 } },
      start: false,
    });
    expect(absurd).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const big = await dispatch('createExperiment', { name: 'big', spec: huge, start: false });
    expect(big).toMatchObject({ ok: false, error: { code: 'over_capacity' } });
    if (!big.ok) {
      expect(big.error.message).toMatch(/needs about [\d.]+ TiB of memory/);
      expect(big.error.issues?.map((i) => i.path)).toContain('model.dModel');
    }
    const slow = await dispatch('createExperiment', { name: 'slow', spec: long, start: false });
    expect(slow).toMatchObject({ ok: false, error: { code: 'needs_confirmation' } });
    expect(lab.store.experiments.list()).toEqual([]);
    const confirmed = await dispatch('createExperiment', {
      name: 'slow',
      spec: long,
      start: false,
      confirmCost: true,
    });
    expect(confirmed.ok).toBe(true);
    // Starting it asks again (the estimate is the same), unless confirmed.
    const id = (confirmed as { result: { id: number } }).result.id;
    expect(await dispatch('startExperiment', { id })).toMatchObject({
      ok: false,
      error: { code: 'needs_confirmation' },
    });
    lab.store.experiments.delete(id);
  });

  it('estimateCost carries the verdict for the UI', async () => {
    const r = await dispatch('estimateCost', { spec: { name: 'huge', ...huge } });
    expect(r).toMatchObject({ ok: true, result: { fits: false } });
    const ok = await dispatch('estimateCost', {
      spec: { name: 'small', dataset, training: { steps: 5 } },
    });
    expect(ok).toMatchObject({ ok: true, result: { fits: true, needsConfirmation: false } });
  });

  it('homolab run refuses before creating anything; a long job needs --yes', async () => {
    const db = join(dir, 'cli.sqlite');
    const out: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) && true } as never,
      stderr: { write: (s: string) => out.push(s) && true } as never,
    };
    const write = (name: string, spec: object) => {
      const f = join(dir, `${name}.json`);
      writeFileSync(f, JSON.stringify({ name, ...spec }));
      return f;
    };
    expect(await main(['run', write('huge', huge), '--db', db], io)).toBe(EXIT.BACKEND);
    expect(out.join('')).toMatch(/does not fit this machine/);
    expect(await main(['run', write('long', long), '--db', db], io)).toBe(EXIT.NEEDS_CONFIRMATION);
    expect(out.join('')).toMatch(/--yes/);
    if (existsSync(db)) {
      const s = openStore(db);
      expect(s.experiments.list()).toEqual([]);
      s.close();
    }
    expect(readFileSync(join(dir, 'long.json'), 'utf8')).toContain('10000000');
  });

  it('homolab resume refuses runs stored before the limits that cannot fit, leaving them as they are', async () => {
    const db = join(dir, 'old.sqlite');
    const s = openStore(db);
    const e = s.experiments.create({ name: 'old', spec: { dataset } });
    const r = s.runs.create({
      experimentId: e.id,
      name: 'huge',
      variant: {
        index: 0,
        axes: {},
        model: { ...huge.model, contextLength: 1_000_000_000, vocabSize: 64 },
        training: { steps: 10, batchSize: 16 },
      },
      initSeed: 1,
      dataSeed: 1,
    });
    s.runs.start(r.id);
    s.runs.transition(r.id, 'interrupted', { reason: 'killed by the OOM killer' });
    s.close();
    const out: string[] = [];
    const io = {
      stdout: { write: (x: string) => out.push(x) && true } as never,
      stderr: { write: (x: string) => out.push(x) && true } as never,
    };
    expect(await main(['resume', `exp-${e.id}`, '--db', db], io)).toBe(EXIT.BACKEND);
    expect(out.join('')).toMatch(/does not fit this machine/);
    const after = openStore(db);
    expect(after.runs.require(r.id).status).toBe('interrupted');
    after.close();
  });
});
