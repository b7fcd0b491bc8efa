/**
 * Studies in the app: list the built-in studies, run one in the background (its training and
 * analysis go through the lab service like any other, so they show in the queue and Live view;
 * its phases arrive as study events), and
 * list and show the stored study reports. A report is re-rendered from its stored document (the
 * report module escapes every text), never taken as stored HTML: a bundle from elsewhere could
 * carry anything. The studies module is loaded on first use: it brings the training and
 * analysis code (and tfjs) with it, which a lab that never runs a study need not load.
 */
import { renderBlock, renderReport } from '../../reports';
import type {
  ExpectedTime,
  StoredStudyReport,
  StudyDefinition,
  StudyEvent,
  StudyScale,
} from '../../experiments/studies';
import type { AnalysisRow, JsonObject } from '../../../db/types';
import type { Handlers } from '../dispatcher';
import { ApiFailure, notFound } from '../errors';
import type { LabContext } from '../lab-context';
import { groupLockstep } from '../../experiments/spec/variants';
import type { StudyEstimate, StudyInfo, StudyReportSummary, StudyReportView } from '../types';
import { validSpec, vocabSizeOf } from './experiments';

type ReportRow = AnalysisRow & { result: StoredStudyReport };

/** Stored as analyses of this kind (src/experiments/studies/report.ts). */
const STUDY_REPORT_KIND = 'study-report';
const SCALES: readonly StudyScale[] = ['test', 'tiny', 'medium', 'full'];
const studiesModule = () => import('../../experiments/studies');

function summaryOf(row: ReportRow, studies: readonly StudyDefinition[]): StudyReportSummary {
  const p = row.params as JsonObject;
  const study = String(p.study ?? row.result.study ?? '');
  const def = studies.find((s) => s.id === study);
  return {
    id: row.id,
    study,
    name: def?.name ?? row.result.document?.title ?? study,
    scale: String(p.scale ?? row.result.scale ?? ''),
    experimentIds: Array.isArray(p.experimentIds) ? p.experimentIds.map(Number) : [],
    createdAt: new Date(row.createdAt).toISOString(),
    verdicts: Array.isArray(row.result.verdicts) ? row.result.verdicts : [],
    gates: Array.isArray(row.result.gates) ? row.result.gates : [],
  };
}

export function studyHandlers(
  ctx: LabContext,
): Pick<
  Handlers,
  'listStudies' | 'runStudy' | 'estimateStudy' | 'listStudyReports' | 'getStudyReport'
> {
  let running: string | null = null;

  const emitStudy = (
    study: string,
    phase: string,
    message: string,
    extra: { done?: boolean; error?: string | null; reportId?: number | null } = {},
  ) =>
    ctx.events.emit({
      type: 'study.progress',
      study,
      phase,
      message,
      done: extra.done ?? false,
      error: extra.error ?? null,
      reportId: extra.reportId ?? null,
    });

  /**
   * A study trains and analyses through the lab service, whose events already reach the bus
   * (Live view, analysis progress); only its phases are the study's own.
   */
  const relay = (e: StudyEvent) => {
    if (e.type !== 'study-phase') return;
    emitStudy(e.study, e.phase, e.message);
    ctx.events.emit({ type: 'experiments.changed' });
  };

  return {
    listStudies: async (): Promise<StudyInfo[]> =>
      (await studiesModule()).STUDIES.map((s) => ({
        id: s.id,
        name: s.name,
        question: s.question,
        expected: s.expected,
        references: [...s.references],
        designs: Object.fromEntries(SCALES.map((sc) => [sc, s.describe(sc)])) as Record<
          StudyScale,
          string
        >,
        expectedMinutes: Object.fromEntries(SCALES.map((sc) => [sc, s.expectedTime(sc)])) as Record<
          StudyScale,
          ExpectedTime
        >,
      })),

    estimateStudy: async ({ study, scale }): Promise<StudyEstimate> => {
      const { STUDIES } = await studiesModule();
      const def = STUDIES.find((s) => s.id === study);
      if (!def) throw notFound('Study', study);
      const out: StudyEstimate = {
        study,
        scale,
        runs: 0,
        seconds: 0,
        calibrated: true,
        backend: '',
        workers: 0,
      };
      // The experiments train one after another, each on the pool's workers.
      for (const input of def.trainingSpecs(scale)) {
        const { spec, variants } = validSpec(input);
        const e = await ctx.lab.estimate(groupLockstep(variants), await vocabSizeOf(spec.dataset));
        out.runs += variants.length;
        out.seconds += e.seconds;
        out.calibrated &&= e.calibrated;
        out.backend = e.backend;
        out.workers = e.workers;
      }
      return out;
    },

    runStudy: async ({ study, scale }) => {
      // Claimed before the first await, so two quick calls cannot both start a study.
      if (running)
        throw new ApiFailure('conflict', `The study '${running}' is running; one at a time.`);
      running = study;
      const { STUDIES, getStudy, runStudy } = await studiesModule();
      if (!STUDIES.some((s) => s.id === study)) {
        running = null;
        throw new ApiFailure(
          'invalid_input',
          `Unknown study '${study}'; known: ${STUDIES.map((s) => s.id).join(', ')}`,
        );
      }
      emitStudy(study, 'start', `starting ${getStudy(study).name} at scale '${scale}'`);
      void runStudy(study, { store: ctx.store, lab: ctx.lab, scale, onEvent: relay, origin: 'app' })
        .then((r) =>
          emitStudy(study, 'done', `report stored (${r.verdicts.length} verdicts)`, {
            done: true,
            reportId: r.analysis.id,
          }),
        )
        .catch((err: unknown) => {
          const msg = err instanceof Error ? err.message : String(err);
          ctx.log(`homolab: study ${study} failed: ${msg}`);
          emitStudy(study, 'failed', 'the study stopped', { done: true, error: msg });
        })
        .finally(() => {
          running = null;
          ctx.events.emit({ type: 'experiments.changed' });
        });
      return { ok: true };
    },

    listStudyReports: async () => {
      const { listStudyReports, STUDIES } = await studiesModule();
      return (listStudyReports(ctx.store) as ReportRow[])
        .map((r) => summaryOf(r, STUDIES))
        .sort((a, b) => b.id - a.id);
    },

    getStudyReport: async ({ id }): Promise<StudyReportView> => {
      const { STUDIES } = await studiesModule();
      const row = ctx.store.analyses.get(id) as ReportRow | undefined;
      if (!row || row.kind !== STUDY_REPORT_KIND) throw notFound('Study report', String(id));
      const doc = row.result.document;
      if (!doc || !Array.isArray(doc.sections))
        throw new ApiFailure('invalid_input', `Study report ${id} has no report document.`);
      const summary = summaryOf(row, STUDIES);
      return {
        ...summary,
        title: doc.title,
        subtitle: doc.subtitle ?? null,
        meta: doc.meta ?? {},
        sections: doc.sections.map((s) => ({
          heading: s.heading,
          blocks: s.blocks.map((b) => ({ kind: b.kind, html: renderBlock(b) })),
        })),
        file: {
          filename: `homolab-study-${summary.study}-${id}.html`,
          mime: 'text/html',
          encoding: 'utf8',
          data: renderReport(doc),
        },
      };
    },
  };
}
