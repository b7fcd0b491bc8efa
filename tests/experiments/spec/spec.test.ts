import { describe, expect, it } from 'vitest';
import { checkSpec, parseSpec, parseSpecText } from '../../../src/experiments/spec/parse-spec';
import { PRESETS } from '../../../src/experiments/spec/presets';
import { SpecValidationError } from '../../../src/experiments/spec/spec-errors';
import { experimentSpecJsonSchema } from '../../../src/experiments/spec/spec';

const base = () => PRESETS[0].spec('tiny') as Record<string, unknown>;

function issuesOf(input: unknown) {
  const r = checkSpec(input);
  if (r.ok) throw new Error('expected the spec to be rejected');
  return r.issues;
}

describe('experiment spec validation', () => {
  it('accepts every preset at both sizes and fills defaults', () => {
    for (const p of PRESETS)
      for (const size of ['tiny', 'full'] as const) {
        const r = checkSpec(p.spec(size));
        expect(r.ok, `${p.id}/${size}: ${r.ok ? '' : JSON.stringify(r.issues)}`).toBe(true);
      }
    const { spec } = parseSpec(base());
    expect(spec.training.beta2).toBe(0.999);
    expect(spec.model.normPlacement).toBe('pre');
    expect(spec.analysis.checkpoints).toBe('final');
  });

  it('rejects an unknown field naming its path and the allowed fields', () => {
    const s = base();
    (s.model as Record<string, unknown>).dmodel = 32;
    const issues = issuesOf(s);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('model.dmodel');
    expect(issues[0].message).toMatch(/unknown field; allowed fields here: .*dModel/);
    const top = issuesOf({ ...base(), colour: 'red' });
    expect(top[0].path).toBe('colour');
  });

  it('rejects a wrong type with the field path', () => {
    const s = base();
    (s.training as Record<string, unknown>).lr = '0.001';
    const issues = issuesOf(s);
    expect(issues).toMatchObject([
      { path: 'training.lr', message: 'expected number, received string', code: 'wrong_type' },
    ]);
  });

  it('rejects a name of only spaces, and puts bounds in words', () => {
    expect(issuesOf({ ...base(), name: '   ' })).toEqual([
      { path: 'name', message: 'must not be blank', code: 'blank', params: {} },
    ]);
    const s = base();
    s.training = { ...(s.training as object), lr: 0 };
    s.model = { ...(s.model as object), nLayers: 2.5 };
    expect(issuesOf(s).map((i) => [i.path, i.message])).toEqual([
      ['model.nLayers', 'must be a whole number'],
      ['training.lr', 'must be more than 0'],
    ]);
  });

  it('names the allowed values of an enum', () => {
    const s = base();
    (s.model as Record<string, unknown>).normPlacement = 'middle';
    expect(issuesOf(s)).toMatchObject([
      { path: 'model.normPlacement', message: 'must be one of "pre", "post"', code: 'one_of' },
    ]);
  });

  it('rejects dModel not divisible by nHeads, in the base and in an axis variant', () => {
    const s = base();
    s.model = { ...(s.model as object), dModel: 30, nHeads: 4 };
    const issues = issuesOf(s);
    expect(issues[0]).toEqual({
      path: 'model.dModel',
      message: 'd_model must be divisible by the number of heads: 30 is not divisible by 4',
      code: 'not_divisible',
      params: { dModel: 30, nHeads: 4 },
    });
    const a = base();
    a.axes = { grid: { 'model.nHeads': [2, 3] } };
    const ai = issuesOf(a);
    expect(ai).toHaveLength(1);
    expect(ai[0].path).toBe('axes → variant 1 (nHeads=3)');
    expect(ai[0].message).toBe(
      'd_model must be divisible by the number of heads: 16 is not divisible by 3',
    );
  });

  it('rejects rope with an odd head size', () => {
    const s = base();
    s.model = { ...(s.model as object), dModel: 6, nHeads: 2, positionalEncoding: 'rope' };
    expect(issuesOf(s)[0].message).toMatch(/'rope' needs an even head size.*got 3/);
  });

  it('checks axis fields and values', () => {
    const s = base();
    s.axes = { grid: { 'model.width': [1], 'model.activation': ['relu', 'swish'] } };
    const issues = issuesOf(s);
    expect(issues.map((i) => i.path)).toEqual([
      'axes.grid["model.width"]',
      'axes.grid["model.activation"][1]',
    ]);
    expect(issues[0].message).toMatch(
      /unknown axis field "model.width"; allowed: initSeed, dataSeed/,
    );
    expect(issues[1].message).toBe('must be one of "relu", "gelu", got "swish"');
  });

  it('requires exactly one budget and reports duplicate variants', () => {
    const s = base();
    s.training = { ...(s.training as object), tokens: 1000 };
    expect(issuesOf(s)[0]).toMatchObject({
      path: 'training',
      message: 'give exactly one of training.steps or training.tokens',
    });
    const d = base();
    d.axes = { list: [{ initSeed: 1 }, { initSeed: 1 }] };
    expect(issuesOf(d)[0].message).toMatch(/duplicate of variant 0/);
  });

  it('reports bad dataset fields through the data schema', () => {
    const s = base();
    s.dataset = { kind: 'copy-reverse', mode: 'sideways' };
    const issues = issuesOf(s);
    expect(issues[0].path).toBe('dataset.mode');
    expect(issues[0].message).toMatch(/"copy", "reverse", "mixed"/);
  });

  it('throws SpecValidationError with one line per problem, and handles bad JSON', () => {
    expect(() => parseSpecText('{')).toThrow(SpecValidationError);
    try {
      parseSpec({ ...base(), training: { steps: 0 } });
    } catch (e) {
      expect(e).toBeInstanceOf(SpecValidationError);
      expect((e as Error).message).toMatch(/^training\.steps: /);
    }
  });

  it('publishes a JSON Schema that forbids unknown fields', () => {
    const js = experimentSpecJsonSchema() as {
      additionalProperties: boolean;
      properties: Record<string, { additionalProperties?: boolean }>;
    };
    expect(js.additionalProperties).toBe(false);
    expect(js.properties.model.additionalProperties).toBe(false);
    expect(Object.keys(js.properties)).toContain('axes');
  });
});

describe('published JSON Schema', () => {
  it('docs/experiment-spec.schema.json is up to date (npm run schema:spec)', async () => {
    const { readFileSync } = await import('node:fs');
    const file = new URL('../../../docs/experiment-spec.schema.json', import.meta.url);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(experimentSpecJsonSchema())),
    );
  });
});
