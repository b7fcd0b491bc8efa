/**
 * Validating an experiment spec end to end: schema (types, ranges, unknown fields), then the
 * axes and every expanded variant (impossible configs such as dModel % nHeads ≠ 0).
 */
import { experimentSpecSchema, type ExperimentSpec } from './spec';
import { issuesFromZod, SpecValidationError, type SpecIssue } from './spec-errors';
import { expandVariants, type Variant } from './variants';

export type SpecCheck =
  { ok: true; spec: ExperimentSpec; variants: Variant[] } | { ok: false; issues: SpecIssue[] };

/** Validates `input` (parsed JSON); never throws. */
export function checkSpec(input: unknown): SpecCheck {
  const r = experimentSpecSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: issuesFromZod(r.error, experimentSpecSchema) };
  const ex = expandVariants(r.data);
  if (!ex.ok) return ex;
  return { ok: true, spec: r.data, variants: ex.variants };
}

/** Validates `input`; throws `SpecValidationError` listing every problem. */
export function parseSpec(input: unknown): { spec: ExperimentSpec; variants: Variant[] } {
  const r = checkSpec(input);
  if (!r.ok) throw new SpecValidationError(r.issues);
  return { spec: r.spec, variants: r.variants };
}

/** Parses spec text (JSON); a syntax error becomes a `SpecValidationError` too. */
export function parseSpecText(text: string): { spec: ExperimentSpec; variants: Variant[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SpecValidationError([
      { path: '', message: `not valid JSON: ${(e as Error).message}` },
    ]);
  }
  return parseSpec(json);
}
