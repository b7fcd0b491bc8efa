/**
 * The study that is running (started here or elsewhere), from the lab's study events: its
 * phases so far, so Live and Study reports show its progress from the start and not only its
 * end.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { StudyProgressEvent } from '../../../src/api/contract';
import type { StudyInfo } from '../../../src/api/types';
import { getClient } from '../transport';
import { studyText } from '../i18n/names';

export interface StudyProgress {
  study: string;
  phase: string;
  message: string;
  error: string | null;
  done: boolean;
  reportId: number | null;
  /** Every phase so far, oldest first. */
  phases: { phase: string; message: string }[];
}

export type StudyScale = 'test' | 'tiny' | 'medium' | 'full';
export const STUDY_SCALES: readonly StudyScale[] = ['test', 'tiny', 'medium', 'full'];

export const useStudiesStore = defineStore('studies', () => {
  const current = ref<StudyProgress | null>(null);
  const studies = ref<StudyInfo[]>([]);
  let loading: Promise<void> | null = null;

  /** The built-in studies (read once). */
  function load(): Promise<void> {
    loading ??= getClient()
      .call('listStudies', {})
      .then((l) => {
        studies.value = l;
      })
      .catch((e: unknown) => {
        loading = null;
        throw e;
      });
    return loading;
  }

  /** A study's name in the user's language (its id until the list is read). */
  function nameOf(id: string): string {
    const s = studies.value.find((x) => x.id === id);
    if (!s) void load().catch(() => {});
    return s ? studyText(s, 'name') : id;
  }

  function apply(e: StudyProgressEvent): void {
    const same = current.value?.study === e.study && !current.value.done;
    const phases = same ? [...current.value!.phases] : [];
    phases.push({ phase: e.phase, message: e.message });
    current.value = {
      study: e.study,
      phase: e.phase,
      message: e.message,
      error: e.error,
      done: e.done,
      reportId: e.reportId,
      phases,
    };
  }

  /** Starts a study; its progress arrives as events (the first before this returns). */
  async function run(study: string, scale: StudyScale): Promise<void> {
    await getClient().call('runStudy', { study, scale });
  }

  return { current, studies, apply, run, load, nameOf };
});
