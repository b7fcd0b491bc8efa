/**
 * Shared parts of study reports: the header section (question, expectation, design), verdict
 * blocks, interval cells, and storing a finished report in the store as an analysis of kind
 * `study-report` (so the app can list and show it) together with its rendered HTML.
 */
import type { Store } from '../../../db/store';
import type { AnalysisRow, Json, JsonObject } from '../../../db/types';
import {
  renderReport,
  type ReportBlock,
  type ReportDocument,
  type ReportSection,
} from '../../reports';
import { finite, type Estimate } from '../stats';
import type { Gate } from './gates';
import type { StudyContext, StudyDefinition, StudyResult, Verdict } from './types';

export const STUDY_REPORT_KIND = 'study-report';
/** Bump when the stored report's layout changes (2: gates, the stats module's intervals). */
export const STUDY_REPORT_VERSION = 2;

/** A bar of a bar chart from an estimate (no whisker without an interval). */
export function bar(label: string, e: Estimate) {
  return { label, value: e.value, lo: e.interval.lower, hi: e.interval.upper };
}

/** The gates section: every gate with its figures, failures first. */
export function gatesSection(gates: readonly Gate[]): ReportSection {
  const sorted = [...gates].sort((a, b) => Number(a.passed) - Number(b.passed));
  return {
    heading: 'Gates (what the verdicts rest on)',
    blocks: [
      {
        kind: 'text',
        text: 'A run counts in the tests only if it passed its learn gate; a verdict is reproduced only if every gate below passed. Runs that failed are listed with their figures.',
      },
      {
        kind: 'table',
        columns: ['gate', 'run / arm', 'passed', 'figures'],
        rows: sorted.map((g) => [
          g.name,
          g.runId !== undefined ? `run-${g.runId}${g.arm ? ` (${g.arm})` : ''}` : (g.arm ?? '—'),
          g.passed ? 'yes' : 'NO',
          g.detail,
        ]),
      },
    ],
  };
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
          'Uncertainty: 95% intervals from the jackknife over models (leave one run out; Student t ' +
          'with K − 1 degrees of freedom; for a difference of two sets of models, Welch). Tests are ' +
          'two-sided permutation tests that relabel models, never pair values, exact when there are ' +
          'at most 20,000 relabellings. No interval is given where it would be degenerate (the ' +
          'reason is shown instead).',
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
  gates: Gate[],
  sections: ReportSection[],
  data: Record<string, unknown>,
  experimentIds: number[],
): ReportDocument {
  return {
    title: `Study: ${def.name}`,
    subtitle: def.question,
    meta: {
      scale: ctx.scale,
      backend: ctx.lab.resolvedBackend ?? ctx.lab.backend,
      experiments: experimentIds.map((id) => `exp-${id}`).join(', '),
      created: new Date().toISOString(),
    },
    sections: [headerSection(def, ctx, verdicts), gatesSection(gates), ...sections],
    data: {
      study: def.id,
      scale: ctx.scale,
      version: STUDY_REPORT_VERSION,
      verdicts,
      gates,
      ...data,
    },
  };
}

/** What a `study-report` analysis row's `result` holds. */
export interface StoredStudyReport {
  study: string;
  scale: string;
  version: number;
  verdicts: Verdict[];
  gates: Gate[];
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
    gates: result.gates,
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
export const num = finite;

/** Interval text for a table cell. */
export function ci(e: Pick<Estimate, 'interval'>): string {
  const { lower, upper, reason } = e.interval;
  return lower === null || upper === null
    ? `no interval (${reason})`
    : `[${lower.toFixed(3)}, ${upper.toFixed(3)}]`;
}
