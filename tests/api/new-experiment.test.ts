/**
 * What the New-experiment form needs from the API, over a real store: corpus uploads checked
 * as the CLI checks files; field-level issues with codes; the cost gate's verdict with codes (a
 * confirmation above an hour of training, a refusal naming the field when a model cannot fit).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/experiments/spec/presets';
import { CorpusError, loadCorpusFile } from '../../src/core/data/corpus-file';
import { openTestLab, type TestLab } from './test-lab';

let t: TestLab;
let lab: TestLab['lab'];
let dir: string;
const call: TestLab['call'] = (name, input) => t.call(name, input);
const failure: TestLab['failure'] = (name, input) => t.failure(name, input);
const spec = () => getPreset('seed-sweep').spec('tiny') as Record<string, unknown>;

beforeAll(() => {
  t = openTestLab('homolab-api-form-');
  lab = t.lab;
  dir = t.dir;
});
afterAll(() => t.dispose());

describe('corpus upload', () => {
  it('refuses a Latin-1 file with the words the CLI uses, and stores a UTF-8 one intact', async () => {
    const latin1 = Buffer.from('caf\xe9 na\xefve\n', 'latin1');
    const cliPath = join(dir, 'latin1.txt');
    writeFileSync(cliPath, latin1);
    const cli = await loadCorpusFile(cliPath).catch((e: CorpusError) => e.message);
    const err = await failure('uploadCorpus', {
      filename: 'latin1.txt',
      base64: latin1.toString('base64'),
    });
    expect(err.code).toBe('invalid_input');
    expect(err.message).toBe(String(cli).replace(cliPath, 'latin1.txt'));
    expect(err.message).toMatch(
      /latin1\.txt: not valid UTF-8 \(first bad byte 0xe9 at byte offset 3\)/,
    );
    const ok = await call('uploadCorpus', {
      filename: 'utf8.txt',
      base64: Buffer.from('café naïve\n').toString('base64'),
    });
    expect((await loadCorpusFile(ok.path)).documents).toEqual(['café naïve\n']);
  });
});

describe('field-level issues', () => {
  it('name the field, say the problem in words and carry a code for translation', async () => {
    const blank = await failure('estimateCost', { spec: { ...spec(), name: '   ' } });
    expect(blank.issues).toEqual([
      { path: 'spec.name', message: 'must not be blank', code: 'blank', params: {} },
    ]);
    const s = spec();
    s.model = { ...(s.model as object), dModel: 16, nHeads: 3 };
    const heads = await failure('estimateCost', { spec: s });
    expect(heads.issues?.[0]).toMatchObject({
      path: 'spec.model.dModel',
      message: 'd_model must be divisible by the number of heads: 16 is not divisible by 3',
      code: 'not_divisible',
      params: { dModel: 16, nHeads: 3 },
    });
    const name = await failure('createExperiment', { name: '  ', spec: spec(), start: false });
    expect(name.issues).toEqual([
      { path: 'name', message: 'must not be blank', code: 'blank', params: {} },
    ]);
  });
});

describe('cost gate, as the form shows it', () => {
  it('refuses d_model 100000 at the field, and a model that cannot fit with a code to word it', async () => {
    const huge = spec();
    huge.model = { ...(huge.model as object), dModel: 100_000 };
    const bound = await failure('estimateCost', { spec: huge });
    expect(bound.issues).toContainEqual(
      expect.objectContaining({
        path: 'spec.model.dModel',
        code: 'at_most',
        params: { maximum: 16384 },
      }),
    );
    const s = spec();
    s.model = { ...(s.model as object), dModel: 16384, dFF: 65536, nLayers: 24, nHeads: 2 };
    const e = await call('estimateCost', { spec: s });
    expect(e.fits).toBe(false);
    // Not timed on a worker: calibrating what cannot fit would allocate it.
    expect(e.calibrated).toBe(false);
    expect((await call('getLabStatus', {})).workers.alive).toBe(0);
    expect(e.issues).toContainEqual(
      expect.objectContaining({ path: 'model.dModel', code: 'memory_parameters' }),
    );
    const err = await failure('createExperiment', { name: 'huge', spec: s, confirmCost: true });
    expect(err.code).toBe('over_capacity');
    expect(err.message).not.toMatch(/RangeError|\bat \//);
    expect(lab.store.experiments.list().some((x) => x.name === 'huge')).toBe(false);
  });

  it('refuses 10⁹ steps at the field and asks to confirm a long training from an hour on', async () => {
    const billion = spec();
    billion.training = { ...(billion.training as object), steps: 1e9 };
    expect((await failure('estimateCost', { spec: billion })).issues?.[0]).toMatchObject({
      path: 'spec.training.steps',
      code: 'at_most',
    });
    const s = spec();
    s.training = { ...(s.training as object), steps: 1e7 };
    const e = await call('estimateCost', { spec: s });
    expect(e.fits).toBe(true);
    expect(e.needsConfirmation).toBe(true);
    expect(e.issues).toContainEqual(
      expect.objectContaining({ path: 'training.steps', code: 'long_training' }),
    );
    // The API itself asks from a day on (homolab run --yes); the form from an hour.
    const day = spec();
    day.model = { ...(day.model as object), dModel: 512, dFF: 2048, nLayers: 8 };
    day.training = { ...(day.training as object), steps: 1e7 };
    expect((await failure('createExperiment', { name: 'long', spec: day })).code).toBe(
      'needs_confirmation',
    );
    const tiny = await call('estimateCost', { spec: spec() });
    expect([tiny.fits, tiny.needsConfirmation]).toEqual([true, false]);
  });
});

describe('study estimate, as the picker shows it', () => {
  it("times a study's experiments on this machine and counts its runs", async () => {
    const e = await call('estimateStudy', { study: 'shared-base', scale: 'test' });
    // Bases (K + 1) and three downstream arms of K: at the test scale K = 3.
    const { getStudy } = await import('../../src/experiments/studies');
    const specs = getStudy('shared-base').trainingSpecs('test');
    expect(specs).toHaveLength(2);
    expect(e.runs).toBe(4 + 9);
    expect(e.calibrated).toBe(true);
    expect(e.seconds).toBeGreaterThan(0);
    const medium = await call('estimateStudy', { study: 'seed-convergence', scale: 'medium' });
    expect(medium.runs).toBe(8);
    expect(medium.seconds).toBeGreaterThan(e.seconds);
    expect((await failure('estimateStudy', { study: 'nope', scale: 'tiny' })).code).toBe(
      'not_found',
    );
  }, 120_000);
});
