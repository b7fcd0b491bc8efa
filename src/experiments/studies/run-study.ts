/**
 * Running a study end to end: train its experiments, analyse them, build the report from the
 * store, store the report (analysis kind `study-report`) and return it with its HTML.
 */
import type { AnalysisRow } from '../../../db/types';
import { renderReport } from '../../reports';
import { getStudy } from './registry';
import { saveStudyReport } from './report';
import type { StudyContext, StudyResult } from './types';

export interface StudyRun extends StudyResult {
  /** The stored `study-report` analysis. */
  analysis: AnalysisRow;
  /** The standalone HTML report. */
  html: string;
}

export async function runStudy(id: string, ctx: StudyContext): Promise<StudyRun> {
  const study = getStudy(id);
  const result = await study.run(ctx);
  const analysis = saveStudyReport(ctx.store, result);
  return { ...result, analysis, html: renderReport(result.document) };
}
