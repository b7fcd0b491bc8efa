/**
 * Names of catalogued things in the user's language: measures (from the measure catalogue),
 * presets, studies, metrics, scales, spec-diff categories and the cost estimate's notes.
 * English is the catalogues' own text; 简体中文 comes from zh-names.ts, falling back to
 * English for anything not (yet) translated.
 */
import { isMeasureId, MEASURE_CATALOGUE, type MeasureId } from '../../../src/api/contract';
import type { PresetInfo, StudyInfo } from '../../../src/api/types';
import { locale, t, type MessageKey } from './index';
import { en } from './en';
import { ZH_MEASURES, ZH_PRESETS, ZH_STUDIES } from './zh-names';

const zh = () => locale.value === 'zh-CN';

/** A dynamic key (`status.${s}`) when the dictionary has it, else the fallback text. */
export function tOr(key: string, fallback: string, params?: Record<string, string | number>) {
  return key in en ? t(key as MessageKey, params) : fallback;
}

export function measureName(id: string): string {
  if (!isMeasureId(id)) return id;
  return zh() ? ZH_MEASURES[id].label : MEASURE_CATALOGUE[id].label;
}

export function measureShort(id: MeasureId): string {
  return zh() ? ZH_MEASURES[id].short : MEASURE_CATALOGUE[id].short;
}

/** One-sentence explanation (English keeps the formula and invariances the API adds). */
export function measureSummary(id: string, english: string): string {
  return zh() && isMeasureId(id) ? ZH_MEASURES[id].summary : english;
}

export const presetName = (p: Pick<PresetInfo, 'id' | 'name'>) =>
  (zh() && ZH_PRESETS[p.id]?.name) || p.name;
export const presetDescription = (p: Pick<PresetInfo, 'id' | 'description'>) =>
  (zh() && ZH_PRESETS[p.id]?.description) || p.description;

export function studyText(s: StudyInfo, field: 'name' | 'question' | 'expected'): string {
  return (zh() && ZH_STUDIES[s.id]?.[field]) || s[field];
}
export const studyNameById = (id: string, english: string) =>
  (zh() && ZH_STUDIES[id]?.name) || english;

/** 'loss', 'evalLoss' and the store's 'eval_loss' are one thing each, named once. */
export function metricLabel(name: string): string {
  if (name === 'loss' || name === 'train_loss') return t('metric.loss');
  if (name === 'evalLoss' || name === 'eval_loss') return t('metric.evalLoss');
  return name;
}

/** Preset sizes and study scales ('tiny', 'full', …). */
export const scaleLabel = (s: string) => tOr(`scale.${s}`, s);

/** Spec-diff categories of Compare experiments. */
export const categoryLabel = (c: string) => tOr(`category.${c}`, c);

/** Field labels of spec paths ('model.dModel' → "Model width (d_model)"). */
export const fieldLabel = (path: string) => tOr(`field.${path}`, path);

/** The cost estimate's notes: the known ones translated, others as the API wrote them. */
export function estimateNote(note: string): string {
  const m = /^time from a rough throughput model for (\w+) \(([^)]*)\)/.exec(note);
  if (m) return t('note.roughTime', { backend: m[1], source: m[2] });
  if (/^backend auto: time shown for wasm/.test(note)) return t('note.autoBackend');
  const timed =
    /^time from (\d+) job\(s\) of steps timed on this machine \((\w+)\) on (\d+) worker\(s\)/.exec(
      note,
    );
  if (timed) return t('note.timedHere', { jobs: timed[1], backend: timed[2], workers: timed[3] });
  if (/^every worker is busy: calibration waits/.test(note)) return t('note.workersBusy');
  const other = /^the lab trains on (\w+): not calibrated here/.exec(note);
  if (other) return t('note.notCalibratedHere', { backend: other[1] });
  return note;
}

/** Compare experiments' footnotes: the known ones translated, others as the API wrote them. */
export function comparisonNote(note: string): string {
  if (/^Intervals:/.test(note)) return t('note.intervals');
  const m = /^profiles are read at different steps \(([^)]*)\)/.exec(note);
  if (m) return t('note.profileSteps', { steps: m[1] });
  const d = /^profiles use different measures: (.*)$/.exec(note);
  if (d) return t('note.profileMeasures', { measures: d[1] });
  return note;
}
