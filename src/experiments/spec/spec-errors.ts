/**
 * Turns zod issues into one precise line per problem: the field path as a user would write it
 * (`model.dModel`, `axes.grid["model.dModel"][1]`) and, where there is a closed set, the allowed
 * values or keys.
 */
import type { z } from 'zod';

/** One problem with a spec. */
export interface SpecIssue {
  /** Field path, e.g. `training.lr` or `axes.grid["initSeed"][0]`. */
  path: string;
  message: string;
}

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
        });
      }
      continue;
    }
    out.push({ path: formatPath(issue.path), message: humanMessage(issue) });
  }
  return out;
}

function humanMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return issue.message.replace(/^Invalid input: /, '');
    default:
      return issue.message;
  }
}
