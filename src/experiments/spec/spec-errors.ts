/**
 * The one place where a spec's problems are put in words: zod issues and the cross-field rules
 * become one precise line per problem, with the field path as a user would write it
 * (`model.dModel`, `axes.grid["model.dModel"][1]`) and, where there is a closed set, the allowed
 * values or keys. Each issue also carries a stable `code` with its `params`, so the app can say
 * the same thing in the user's language next to the field (the English `message` stays the
 * CLI's and the fallback).
 */
import type { z } from 'zod';

/** Kinds of problems, for translating `message` (params named per code in the comments). */
export const ISSUE_CODES = [
  'blank',
  'at_least', // minimum (numbers)
  'more_than', // minimum
  'at_most', // maximum
  'less_than', // maximum
  'too_short', // minimum (characters)
  'too_long', // maximum
  'too_few', // minimum (items)
  'too_many', // maximum
  'not_integer',
  'wrong_type', // expected
  'one_of', // values
  'unknown_field', // allowed
  'not_divisible', // dModel, nHeads
  'rope_odd_head', // headSize
  'sinusoidal_odd', // dModel
  'one_budget',
  'warmup_too_long', // warmupSteps, steps
  'duplicate_variant', // of
  'too_many_variants', // max
  'other',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

/** One problem with a spec. */
export interface SpecIssue {
  /** Field path, e.g. `training.lr` or `axes.grid["initSeed"][0]`. */
  path: string;
  message: string;
  code?: IssueCode;
  params?: Record<string, string | number>;
}

/** An issue from a code, its params and the English sentence. */
export const issue = (
  path: string,
  code: IssueCode,
  message: string,
  params: Record<string, string | number> = {},
): SpecIssue => ({ path, message, code, params });

/** Thrown by `parseSpec` with every problem found; `message` lists them one per line. */
export class SpecValidationError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(issues.map((i) => `${i.path || '(spec)'}: ${i.message}`).join('\n'));
    this.name = 'SpecValidationError';
  }
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `['axes','grid','model.dModel',1]` → `axes.grid["model.dModel"][1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && IDENT.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

type AnySchema = z.ZodType & { def?: Record<string, unknown>; shape?: Record<string, unknown> };

/** Follows `path` through objects, optionals and defaults to the keys an object accepts there. */
function allowedKeysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] | null {
  let s: AnySchema | undefined = schema;
  const unwrap = () => {
    while (s && s.def && 'innerType' in s.def) s = s.def.innerType as AnySchema;
  };
  unwrap();
  for (const p of path) {
    if (!s?.shape || typeof p !== 'string') return null;
    s = s.shape[p] as AnySchema | undefined;
    unwrap();
  }
  return s?.shape ? Object.keys(s.shape) : null;
}

/** Converts zod issues to `SpecIssue`s, adding the allowed keys for unknown fields. */
export function issuesFromZod(error: z.ZodError, root: z.ZodType): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(root as AnySchema, issue.path);
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          message:
            `unknown field` + (allowed ? `; allowed fields here: ${allowed.join(', ')}` : ''),
          code: 'unknown_field',
          params: { allowed: allowed?.join(', ') ?? '' },
        });
      }
      continue;
    }
    const next = { path: formatPath(issue.path), ...humanIssue(issue) };
    // An empty name fails both its length and its not-blank rule: say it once.
    if (!out.some((o) => o.path === next.path && o.message === next.message)) out.push(next);
  }
  return out;
}

const bound = (v: unknown) => (typeof v === 'bigint' ? Number(v) : Number(v));

/** One zod issue in words, with its code and params (see IssueCode). */
export function humanIssue(issue: z.core.$ZodIssue): Omit<SpecIssue, 'path'> {
  switch (issue.code) {
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return { message: `must be one of ${values}`, code: 'one_of', params: { values } };
    }
    case 'invalid_type':
      if (issue.expected === 'int')
        return { message: 'must be a whole number', code: 'not_integer', params: {} };
      return {
        message: issue.message.replace(/^Invalid input: /, ''),
        code: 'wrong_type',
        params: { expected: issue.expected },
      };
    case 'too_small': {
      const min = bound(issue.minimum);
      if (issue.origin === 'string' && min === 1)
        return { message: 'must not be blank', code: 'blank', params: {} };
      return bounded(issue.origin, min, issue.inclusive ?? true, 'min');
    }
    case 'too_big':
      return bounded(issue.origin, bound(issue.maximum), issue.inclusive ?? true, 'max');
    case 'custom':
      if (issue.params?.code === 'blank')
        return { message: 'must not be blank', code: 'blank', params: {} };
      return { message: issue.message, code: 'other', params: {} };
    default:
      return { message: issue.message, code: 'other', params: {} };
  }
}

/** A bound on a number, a text's length or a list's size, in words. */
function bounded(
  origin: string,
  limit: number,
  inclusive: boolean,
  side: 'min' | 'max',
): Omit<SpecIssue, 'path'> {
  const params = { [side === 'min' ? 'minimum' : 'maximum']: limit };
  if (origin === 'string')
    return side === 'min'
      ? { message: `must have at least ${limit} characters`, code: 'too_short', params }
      : { message: `must have at most ${limit} characters`, code: 'too_long', params };
  if (origin === 'array' || origin === 'set')
    return side === 'min'
      ? { message: `needs at least ${limit} items`, code: 'too_few', params }
      : { message: `takes at most ${limit} items`, code: 'too_many', params };
  if (side === 'min')
    return inclusive
      ? { message: `must be at least ${limit}`, code: 'at_least', params }
      : { message: `must be more than ${limit}`, code: 'more_than', params };
  return inclusive
    ? { message: `must be at most ${limit}`, code: 'at_most', params }
    : { message: `must be less than ${limit}`, code: 'less_than', params };
}
