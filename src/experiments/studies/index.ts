/**
 * Built-in homogenization studies (seed convergence, shared base vs scratch, architecture
 * variants, emergence): designs per scale, their analysis and standalone reports, plus the
 * statistics they use and fine-tuning as a run kind. See docs/studies.md.
 */
export type {
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
export { createFineTuneExperiment, parentRef, parentOf, type ParentRef } from './fine-tune';
export { matchLoss, storeMatchedLossComparison, MATCHED_LOSS_KIND } from './matched-loss';
export { findTransition, crossing, type Transition } from './transition';
export * from './stats';
