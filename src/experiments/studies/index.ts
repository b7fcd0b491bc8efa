/**
 * Built-in homogenization studies (seed convergence, shared base, architecture variants,
 * emergence): designs per scale with learn gates and nulls, their analysis and standalone
 * reports, and fine-tuning lineage. Statistics: src/experiments/stats. See docs/studies.md.
 */
export type {
  ExpectedTime,
  StudyContext,
  StudyDefinition,
  StudyEvent,
  StudyResult,
  StudyScale,
  Verdict,
} from './types';
export { STUDY_SCALES } from './types';
export { STUDIES, getStudy } from './registry';
export { runStudy, type StudyRun } from './run-study';
export {
  STUDY_REPORT_KIND,
  STUDY_REPORT_VERSION,
  listStudyReports,
  saveStudyReport,
  type StoredStudyReport,
} from './report';
export { parentRef, parentOf, type ParentRef } from './fine-tune';
export type { Gate, LearnCriterion } from './gates';
export { matchLoss, storeMatchedLossComparison, MATCHED_LOSS_KIND } from './matched-loss';
export { findTransition, crossing, type Transition } from './transition';
