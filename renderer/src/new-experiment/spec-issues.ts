/**
 * Where a spec problem is shown: next to its field when the form has one (the API's paths are
 * `spec.model.dModel`, `name`, `filename`, …), else in the list under the form.
 */
import type { ApiIssue } from '../../../src/api/contract';

/** The form's fields, by the spec path they edit. */
export const FORM_FIELDS = [
  'name',
  'dataset',
  'dataset.path',
  'dataset.tokenizer',
  'model.contextLength',
  'model.dModel',
  'model.nHeads',
  'model.nLayers',
  'model.dFF',
  'model.dropout',
  'model.positionalEncoding',
  'model.normPlacement',
  'model.normType',
  'model.activation',
  'training.steps',
  'training.batchSize',
  'training.lr',
  'axes',
] as const;

/** The form field an issue belongs to, or null when none shows it. */
export function fieldOf(issue: ApiIssue): string | null {
  const path = issue.path.replace(/^spec\./, '').replace(/^spec$/, '');
  if (path === 'filename') return 'dataset.path';
  if (path.startsWith('axes')) return 'axes';
  let best: string | null = null;
  for (const f of FORM_FIELDS)
    if (
      (path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`)) &&
      f.length > (best?.length ?? 0)
    )
      best = f;
  return best;
}

/** Issues by field, and the rest. */
export function placeIssues(issues: readonly ApiIssue[]): {
  byField: Record<string, ApiIssue[]>;
  general: ApiIssue[];
} {
  const byField: Record<string, ApiIssue[]> = {};
  const general: ApiIssue[] = [];
  for (const i of issues) {
    const f = fieldOf(i);
    if (f) (byField[f] ??= []).push(i);
    else general.push(i);
  }
  return { byField, general };
}

/**
 * The form's "start from" text: `run-N` (its last checkpoint) or `run-N@step`; null when
 * empty (train from scratch), undefined when it is neither.
 */
export function parseFrom(text: string): { runId: number; step?: number } | null | undefined {
  const s = text.trim();
  if (!s) return null;
  const m = /^run-(\d+)(?:@(\d+))?$/.exec(s);
  if (!m) return undefined;
  return m[2] === undefined ? { runId: Number(m[1]) } : { runId: Number(m[1]), step: Number(m[2]) };
}
