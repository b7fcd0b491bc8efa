/**
 * UI state: the current view (kept in the URL hash so reloads and the back button work), the
 * theme, the lab's options and transient notices.
 */
import { defineStore } from 'pinia';
import { ref, computed } from 'vue';
import type { LabOptions } from '../../../src/api/types';
import { getClient } from '../transport';

export const VIEWS = [
  'experiments',
  'new',
  'live',
  'runs',
  'comparison',
  'similarity',
  'reports',
  'export',
] as const;
export type View = (typeof VIEWS)[number];
export type Theme = 'light' | 'dark';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

/** Hashes of earlier versions, still accepted so old bookmarks open the same view. */
const OLD_VIEW_NAMES: Record<string, View> = { compare: 'runs', versus: 'comparison' };

/**
 * Parses '#/runs/12' → { view: 'runs', experimentId: 12, experimentIds: [12] } and
 * '#/comparison/3,5' → { view: 'comparison', experimentId: 3, experimentIds: [3, 5] }.
 */
export function parseHash(hash: string): {
  view: View;
  experimentId: number | null;
  experimentIds: number[];
} {
  const [, raw, id] = hash.replace(/^#/, '').split('/');
  const view = OLD_VIEW_NAMES[raw] ?? raw;
  const v = (VIEWS as readonly string[]).includes(view) ? (view as View) : 'experiments';
  const ids = (id ?? '')
    .split(',')
    .map(Number)
    .filter((n, i, all) => Number.isInteger(n) && n > 0 && all.indexOf(n) === i);
  return { view: v, experimentId: ids[0] ?? null, experimentIds: ids };
}

export const useUiStore = defineStore('ui', () => {
  const initial = parseHash(globalThis.location?.hash ?? '');
  const view = ref<View>(initial.view);
  const experimentId = ref<number | null>(initial.experimentId);
  /** The experiments side by side in the 'comparison' view, in pane order. */
  const experimentIds = ref<number[]>(initial.view === 'comparison' ? initial.experimentIds : []);
  const saved = globalThis.localStorage?.getItem('homolab.theme');
  const prefersDark = globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  const theme = ref<Theme>(
    saved === 'dark' || saved === 'light' ? saved : prefersDark ? 'dark' : 'light',
  );
  const options = ref<LabOptions | null>(null);
  const notices = ref<Notice[]>([]);
  let noticeId = 0;

  const host = computed(() => options.value?.host ?? 'serve');

  function navigate(v: View, id: number | null = experimentId.value): void {
    if (v === 'comparison') return compareExperiments(experimentIds.value);
    view.value = v;
    experimentId.value = id;
    const hash = `#/${v}${id ? `/${id}` : ''}`;
    if (globalThis.location && globalThis.location.hash !== hash) globalThis.location.hash = hash;
  }

  /** Opens the experiment comparison with these experiments (in this order). */
  function compareExperiments(ids: number[]): void {
    const unique = [...new Set(ids)];
    experimentIds.value = unique;
    view.value = 'comparison';
    const hash = `#/comparison${unique.length ? `/${unique.join(',')}` : ''}`;
    if (globalThis.location && globalThis.location.hash !== hash) globalThis.location.hash = hash;
  }

  function syncFromHash(): void {
    const p = parseHash(globalThis.location?.hash ?? '');
    view.value = p.view;
    if (p.view === 'comparison') experimentIds.value = p.experimentIds;
    else if (p.experimentId !== null) experimentId.value = p.experimentId;
  }

  function setTheme(t: Theme): void {
    theme.value = t;
    globalThis.localStorage?.setItem('homolab.theme', t);
    if (globalThis.document) document.documentElement.dataset.theme = t;
  }

  function notify(kind: Notice['kind'], text: string): void {
    const id = ++noticeId;
    notices.value.push({ id, kind, text });
    setTimeout(() => dismiss(id), kind === 'error' ? 15_000 : 5_000);
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  async function loadOptions(): Promise<void> {
    options.value = await getClient().call('getOptions', {});
  }

  return {
    view,
    experimentId,
    experimentIds,
    compareExperiments,
    theme,
    options,
    notices,
    host,
    navigate,
    syncFromHash,
    setTheme,
    notify,
    dismiss,
    loadOptions,
  };
});
