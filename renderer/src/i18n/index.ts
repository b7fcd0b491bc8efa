/**
 * A small typed i18n: English and Simplified Chinese dictionaries with identical keys, a
 * reactive locale, and `t(key, params)` with `{name}` placeholders.
 */
import { ref } from 'vue';
import { en, type MessageKey } from './en';
import { zh } from './zh';

export type Locale = 'en' | 'zh-CN';
export const LOCALES: { id: Locale; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh-CN', label: '简体中文' },
];

const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zh };

function initialLocale(): Locale {
  const saved = globalThis.localStorage?.getItem('homolab.locale');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return globalThis.navigator?.language?.startsWith('zh') ? 'zh-CN' : 'en';
}

export const locale = ref<Locale>(initialLocale());

export function setLocale(l: Locale): void {
  locale.value = l;
  globalThis.localStorage?.setItem('homolab.locale', l);
  if (globalThis.document) document.documentElement.lang = l;
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = dictionaries[locale.value][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

export type { MessageKey };
