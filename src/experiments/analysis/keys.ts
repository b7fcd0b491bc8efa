/**
 * Identity of a stored analysis, so the same analysis is computed once and reused: a hash of
 * everything its value depends on — kind, view, step, the runs compared (in order), the probe
 * set's hash and the measure options, plus a version bumped when a computation changes. Stored
 * as `params.key`; every row of one (kind, view, step) group shares the key and is written in
 * one transaction, so one row present means the whole group is.
 */
import { createHash } from 'node:crypto';
import type { Json } from '../../../db/types';

/** Bump when a stored result's meaning or computation changes. */
export const ANALYSIS_VERSION = 1;

export interface KeyParts {
  kind: string;
  view: string;
  step: number | null;
  runIds: readonly number[];
  probe: string;
  options: Json;
}

export function analysisKey(p: KeyParts): string {
  const text = JSON.stringify([
    ANALYSIS_VERSION,
    p.kind,
    p.view,
    p.step,
    [...p.runIds],
    p.probe,
    p.options,
  ]);
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}
