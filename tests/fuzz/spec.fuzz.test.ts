/**
 * Experiment specs under property-based fuzzing: specs built from the real fields with
 * boundary and hostile values (and arbitrary junk). Properties: validation never throws; a
 * spec that validates has every size within the limits and the cost gate gives a finite
 * verdict for it; through the API (createExperiment, not started) the answer is a result or a
 * 4xx error code — never an internal error — and a refusal stores nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_STATUS } from '../../src/api/errors';
import type { Lab } from '../../src/api/lab';
import { tempLab } from '../api/temp-lab';
import { LIMITS } from '../../src/core/limits';
import { costGate, type MachineMemory } from '../../src/experiments/spec/cost-gate';
import { checkSpec } from '../../src/experiments/spec/parse-spec';
import { edgeNumber, fuzzSeed, hostileString, storeFingerprint } from './fuzz-setup';

export const SPEC_CASES = 1200;
export const API_SPEC_CASES = 300;

const GiB = 1024 ** 3;
const machine: MachineMemory = { totalBytes: 16 * GiB, availableBytes: 8 * GiB, gpuBytes: null };
/** Mostly a valid value, sometimes a boundary or hostile one. */
const or = <T, U>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: bad });
const size = (n: number) => or(fc.integer({ min: 1, max: n }), edgeNumber);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });

const datasets = or(
  fc.constantFrom<Record<string, unknown>>(
    { kind: 'copy-reverse', numTrain: 64, numValidation: 16 },
    { kind: 'modular', p: 13, trainFraction: 0.5 },
  ),
  fc.constantFrom<Record<string, unknown>>(
    { kind: 'copy-reverse', numTrain: -1 },
    { kind: 'text-file', path: '/nonexistent/corpus.txt' },
    { kind: 'nope' },
  ),
);
const model = fc.record(
  {
    contextLength: or(fc.constantFrom(16, 32), edgeNumber),
    dModel: or(fc.constantFrom(16, 32, 64), edgeNumber),
    nHeads: or(fc.constantFrom(1, 2, 4), edgeNumber),
    nLayers: size(4),
    dFF: size(256),
    positionalEncoding: or(fc.constantFrom('learned', 'sinusoidal', 'rope', 'none'), hostileString),
    normPlacement: or(fc.constantFrom('pre', 'post'), hostileString),
    dropout: or(fc.constantFrom(0, 0.1), edgeNumber),
  },
  { requiredKeys: [] },
);
const training = fc.record(
  {
    steps: size(50),
    batchSize: size(8),
    lr: or(fc.constantFrom(1e-3, 0.01), edgeNumber),
    warmupSteps: or(fc.integer({ min: 0, max: 5 }), edgeNumber),
    checkpointEvery: or(fc.integer({ min: 0, max: 10 }), edgeNumber),
    keepCheckpoints: size(5),
    keepCheckpointEvery: or(fc.integer({ min: 0, max: 10 }), edgeNumber),
  },
  { requiredKeys: ['steps'] },
);
const axes = fc.record(
  {
    grid: fc.dictionary(
      fc.constantFrom('initSeed', 'model.dModel', 'training.lr', 'dataSeed', 'model.nope'),
      fc.array(or(fc.integer({ min: 0, max: 1000 }), fc.oneof(edgeNumber, hostileString)), {
        minLength: 1,
        maxLength: 4,
      }),
      { maxKeys: 2 },
    ),
  },
  { requiredKeys: [] },
);
const analysis = fc.record(
  {
    checkpoints: or(
      fc.constantFrom('final', 'all'),
      fc.oneof(fc.constant('some'), fc.array(edgeNumber, { maxLength: 4 })),
    ),
    probeSize: size(64),
  },
  { requiredKeys: [] },
);
const spec = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record(
      {
        name: or(fc.constantFrom('fuzz', 'seed sweep ✓'), hostileString),
        notes: maybe(hostileString),
        dataset: datasets,
        model: maybe(model),
        training,
        initSeed: maybe(or(fc.integer({ min: 0, max: 10 }), edgeNumber)),
        axes: maybe(axes),
        analysis: maybe(analysis),
      },
      { requiredKeys: ['name', 'dataset', 'training'] },
    ),
  },
  { weight: 1, arbitrary: fc.anything() },
);

describe('spec fuzz', () => {
  it(`validates ${SPEC_CASES} specs without throwing; valid ones are bounded and gate cleanly`, () => {
    let valid = 0;
    fc.assert(
      fc.property(spec, (s) => {
        const r = checkSpec(s);
        if (!r.ok) {
          expect(r.issues.length).toBeGreaterThan(0);
          return;
        }
        valid++;
        for (const v of r.variants) {
          expect(v.model.dModel).toBeLessThanOrEqual(LIMITS.dModel);
          expect(v.model.contextLength).toBeLessThanOrEqual(LIMITS.contextLength);
          expect(v.training.steps).toBeLessThanOrEqual(LIMITS.steps);
          expect(v.initSeed >= 0 && v.initSeed <= LIMITS.seed).toBe(true);
        }
        const g = costGate({ variants: r.variants, vocabSize: 64, backend: 'cpu', machine });
        expect(Number.isFinite(g.memory.totalBytes) && g.memory.totalBytes > 0).toBe(true);
        expect(Number.isFinite(g.seconds) && g.seconds >= 0).toBe(true);
        if (g.fits) expect(g.memory.totalBytes).toBeLessThanOrEqual(g.limitBytes);
        else expect(g.issues.length).toBeGreaterThan(0);
      }),
      fuzzSeed('specs', SPEC_CASES),
    );
    console.log(`fuzz specs: ${valid} valid of ${SPEC_CASES}`);
    expect(valid).toBeGreaterThan(0);
  });
});

describe('createExperiment fuzz (API)', () => {
  let t: ReturnType<typeof tempLab>;
  let lab: Lab;
  beforeAll(() => {
    t = tempLab('homolab-fuzz-api-');
    lab = t.lab;
  });
  afterAll(() => t.close());

  it(`answers ${API_SPEC_CASES} createExperiment calls with a result or a 4xx code; refusals store nothing`, async () => {
    let created = 0;
    await fc.assert(
      fc.asyncProperty(spec, or(fc.constant('fuzz'), hostileString), async (s, name) => {
        const before = storeFingerprint(lab.store);
        const r = await lab.dispatcher.dispatch(
          'createExperiment',
          { name, spec: s, start: false },
          { transport: 'direct' },
        );
        if (r.ok) {
          created++;
          return;
        }
        expect(r.error.code).not.toBe('internal');
        expect(HTTP_STATUS[r.error.code]).toBeGreaterThanOrEqual(400);
        expect(HTTP_STATUS[r.error.code]).toBeLessThan(500);
        expect(storeFingerprint(lab.store)).toBe(before);
      }),
      fuzzSeed('createExperiment', API_SPEC_CASES),
    );
    console.log(`fuzz createExperiment: ${created} created of ${API_SPEC_CASES}`);
  });
});
