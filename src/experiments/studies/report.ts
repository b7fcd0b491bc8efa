/**
 * Shared parts of study reports: the header section (question, expectation, design), verdict
 * blocks, interval cells, and storing a finished report in the store as an analysis of kind
 * `study-report` (so the app can list and show it) together with its rendered HTML.
 */
import type { Store } from '../../../db/store';
import type { AnalysisRow, Json, JsonObject } from '../../../db/types';
import {
  fmtInterval,
  renderReport,
  type ReportBlock,
  type ReportDocument,
  type ReportSection,
} from '../../reports';
import type { Interval } from './stats';
import type { StudyContext, StudyDefinition, StudyResult, Verdict } from './types';
import { backendsUsed } from './origin';

export const STUDY_REPORT_KIND = 'study-report';
/** Bump when the stored report's layout changes. */
export const STUDY_REPORT_VERSION = 1;

/** An interval as JSON (NaN → null). */
export function intervalJson(ci: Interval): JsonObject {
  const n = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    estimate: n(ci.estimate),
    lower: n(ci.lower),
    upper: n(ci.upper),
    level: ci.level,
    resamples: ci.resamples,
  };
}

export function intervalText(ci: Interval, digits = 3): string {
  return fmtInterval(ci.estimate, ci.lower, ci.upper, digits);
}

export function verdictBlocks(verdicts: Verdict[]): ReportBlock[] {
  return verdicts.map((v) => ({
    kind: 'verdict',
    status: v.status,
    title: v.expectation,
    text: v.evidence,
  }));
}

/** The opening section every study report has. */
export function headerSection(
  def: StudyDefinition,
  ctx: StudyContext,
  verdicts: Verdict[],
): ReportSection {
  return {
    heading: 'Question and answer',
    blocks: [
      { kind: 'text', text: def.question },
      { kind: 'text', text: `Expected (published): ${def.expected}` },
      ...verdictBlocks(verdicts),
      { kind: 'text', text: `Design at scale '${ctx.scale}': ${def.describe(ctx.scale)}` },
      {
        kind: 'text',
        text:
          'Uncertainty: 95% percentile bootstrap intervals resample seeds (models) with replacement, ' +
          '2,000 resamples; pairwise statistics average over pairs of distinct resampled models. ' +
          'Group comparisons use two-sided permutation tests of model labels, exact when there are ' +
          'at most 20,000 relabellings.',
      },
      { kind: 'text', text: `References: ${def.references.join('; ')}` },
    ],
  };
}

/** Assembles the study's document (header first). */
export function studyDocument(
  def: StudyDefinition,
  ctx: StudyContext,
  verdicts: Verdict[],
  sections: ReportSection[],
  data: Record<string, unknown>,
  experimentIds: number[],
): ReportDocument {
  return {
    title: `Study: ${def.name}`,
    subtitle: def.question,
    meta: {
      scale: ctx.scale,
      // What training ran on, not the 'auto' that was asked for.
      backend: backendsUsed(ctx.store, experimentIds) ?? ctx.backend,
      experiments: experimentIds.map((id) => `exp-${id}`).join(', '),
      created: new Date().toISOString(),
    },
    sections: [headerSection(def, ctx, verdicts), ...sections],
    data: { study: def.id, scale: ctx.scale, version: STUDY_REPORT_VERSION, verdicts, ...data },
  };
}

/** What a `study-report` analysis row's `result` holds. */
export interface StoredStudyReport {
  study: string;
  scale: string;
  version: number;
  verdicts: Verdict[];
  headline: Record<string, number | string | null>;
  document: ReportDocument;
  /** The standalone HTML page (renderReport(document)). */
  html: string;
}

/** Stores a finished study report (kind `study-report`) on its primary experiment. */
export function saveStudyReport(store: Store, result: StudyResult): AnalysisRow {
  const stored: StoredStudyReport = {
    study: result.study,
    scale: result.scale,
    version: STUDY_REPORT_VERSION,
    verdicts: result.verdicts,
    headline: result.headline,
    document: result.document,
    html: renderReport(result.document),
  };
  return store.analyses.create({
    experimentId: result.experimentIds[0] ?? null,
    kind: STUDY_REPORT_KIND,
    runIds: result.runIds,
    step: null,
    layers: null,
    params: {
      study: result.study,
      scale: result.scale,
      version: STUDY_REPORT_VERSION,
      experimentIds: result.experimentIds,
    },
    result: JSON.parse(JSON.stringify(stored)) as Json,
  });
}

/** Every stored study report (newest last), optionally of one study. */
export function listStudyReports(
  store: Pick<Store, 'analyses'>,
  study?: string,
): (AnalysisRow & { result: StoredStudyReport })[] {
  return store.analyses
    .list({ kind: STUDY_REPORT_KIND })
    .filter((a) => !study || (a.params as JsonObject).study === study) as never;
}

/** A finite number or null, for JSON. */
export const num = (v: number | null | undefined): number | null =>
  v !== null && v !== undefined && Number.isFinite(v) ? v : null;

/** A p-value for text: `= 0.034`, or `< 0.001`. */
export const fmtP = (p: number): string => (p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`);
