/**
 * What the API says, for people: field issues and reasons in the user's language (by their
 * code; the English message otherwise), and errors without stack traces or source paths.
 */
import type { ApiIssue } from '../../../src/api/contract';
import type { Reason } from '../../../src/api/types';
import { ApiCallError } from '../../../src/api/client';
import { tOr, fieldLabel } from '../i18n/names';

/** A field issue in words (the field is named by where the message is shown). */
export function issueText(issue: Pick<ApiIssue, 'code' | 'message' | 'params'>): string {
  return issue.code ? tOr(`issue.${issue.code}`, issue.message, issue.params) : issue.message;
}

/** An issue shown away from its field (e.g. in the list under the form). */
export function issueLine(issue: ApiIssue): string {
  const path = issue.path.replace(/^spec\./, '');
  return `${fieldLabel(path)}: ${issueText(issue)}`;
}

export function reasonText(r: Reason): string {
  return tOr(`reason.${r.code}`, r.message, r.params);
}

/**
 * An error's message as a user should see it: the first lines, without stack frames
 * ("    at f (/src/…:12:3)") or absolute source paths.
 */
export function humanError(err: unknown): string {
  const raw = err instanceof ApiCallError || err instanceof Error ? err.message : String(err ?? '');
  return stripStack(raw);
}

export function stripStack(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\s+at\s/.test(l) && !/^\s*at .*:\d+:\d+\)?$/.test(l))
    .map((l) => l.replace(/\((?:file:\/\/)?\/[^)]*:\d+:\d+\)/g, '').replace(/\s+$/, ''))
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n')
    .trim();
}

/** The API's issues of a failed call, or none. */
export const issuesOf = (err: unknown): ApiIssue[] =>
  err instanceof ApiCallError && err.error.issues ? err.error.issues : [];
