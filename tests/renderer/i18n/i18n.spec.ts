/**
 * 简体中文 is complete and nothing visible bypasses i18n: every key in both languages with the
 * same placeholders; a message for every status, issue, reason, field, choice, category, scale,
 * format, tokenizer and dataset the app can show; Chinese names for every measure, preset and
 * study; and no user-visible text hard-coded in a template (text, visible attributes, string
 * literals in bindings), checked by parsing every .vue file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from '@vue/compiler-sfc';
import { en } from '../../../renderer/src/i18n/en';
import { zh } from '../../../renderer/src/i18n/zh';
import { ZH_MEASURES, ZH_PRESETS, ZH_STUDIES } from '../../../renderer/src/i18n/zh-names';
import { FORM_FIELDS } from '../../../renderer/src/new-experiment/spec-issues';
import { CURVE_AXES, AXES_CHOICES } from '../../../renderer/src/shared/chart-axes';
import { STUDY_SCALES } from '../../../renderer/src/studies/studies-store';
import { MEASURE_IDS } from '../../../src/api/contract';
import { ISSUE_CODES } from '../../../src/experiments/spec/spec-errors';
import { WAIT_REASON_CODES } from '../../../src/api/summaries';
import { COST_ISSUE_CODES } from '../../../src/experiments/spec/cost-gate';
import { PRESETS } from '../../../src/experiments/spec/presets';
import { STUDIES } from '../../../src/experiments/studies';
import { DATASET_KINDS } from '../../../src/core/data/spec';

const RENDERER = join(process.cwd(), 'renderer', 'src');
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('locales', () => {
  it('have the same keys, none empty, with the same placeholders', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(en)) {
      const z = zh[k as keyof typeof en];
      expect(z.trim(), k).not.toBe('');
      expect(placeholders(z), k).toEqual(placeholders(v));
    }
  });

  it('word everything the app shows from the lab', () => {
    const need = [
      ...[
        'draft',
        'queued',
        'running',
        'paused',
        'completed',
        'failed',
        'cancelled',
        'diverged',
        'interrupted',
      ].map((s) => `status.${s}`),
      ...[...ISSUE_CODES.filter((c) => c !== 'other'), ...COST_ISSUE_CODES].map(
        (c) => `issue.${c}`,
      ),
      ...WAIT_REASON_CODES.map((c) => `reason.${c}`),
      ...FORM_FIELDS.map((f) => `field.${f}`),
      ...[
        'learned',
        'sinusoidal',
        'rope',
        'none',
        'pre',
        'post',
        'layernorm',
        'rmsnorm',
        'relu',
        'gelu',
      ].map((c) => `choice.${c}`),
      ...['data', 'architecture', 'budget', 'seeds', 'axes', 'analysis', 'other'].map(
        (c) => `category.${c}`,
      ),
      ...['reproduced', 'not-reproduced', 'inconclusive'].map((v) => `verdict.${v}`),
      ...[...STUDY_SCALES, 'tiny', 'full'].map((s) => `scale.${s}`),
      ...CURVE_AXES.map((a) => `axis.${a}`),
      ...AXES_CHOICES.map((a) => `chart.axes.${a}`),
      ...['csv', 'json', 'parquet'].map((f) => `transfer.format.${f}`),
      ...['char', 'bpe'].map((tk) => `tokenizer.${tk}`),
      ...DATASET_KINDS.map((d) => `dataset.${d}`),
    ];
    const missing = need.filter((k) => !(k in en));
    expect(missing).toEqual([]);
  });

  it('name every measure, preset and study in 简体中文', () => {
    expect(Object.keys(ZH_MEASURES).sort()).toEqual([...MEASURE_IDS].sort());
    expect(PRESETS.map((p) => p.id).filter((id) => !ZH_PRESETS[id])).toEqual([]);
    expect(STUDIES.map((s) => s.id).filter((id) => !ZH_STUDIES[id])).toEqual([]);
    for (const m of Object.values(ZH_MEASURES))
      expect(m.label && m.short && m.summary).toBeTruthy();
  });
});

// ---- hard-coded text in templates ----------------------------------------------------------

/** Attributes a user sees or hears (screen readers), static or bound. */
const VISIBLE_ATTRS = new Set([
  'title',
  'placeholder',
  'aria-label',
  'alt',
  'label',
  'x-label',
  'y-label',
  'description',
  'message',
  'confirm-label',
]);
/** Words, in Latin or Chinese script (symbols such as —, ×, Δ, ▲ are fine). */
const WORDY = /[A-Za-z]{2,}|[\u4e00-\u9fff]/;

/** String literals in an expression that are not i18n keys or dynamic-key prefixes. */
function literalText(expr: string): string[] {
  const stripped = expr
    // t('key'), tOr(`key.${x}`, …), t(cond ? 'a' : 'b'): keys, not text.
    .replace(/\b(?:t|tOr)\(\s*(['`])[\w.-]*(?:\$\{[^}]*\}[\w.-]*)*\1/g, '')
    .replace(/\?\s*'[\w.-]+'\s*:\s*(?:[\w.-]+\s*\?\s*'[\w.-]+'\s*:\s*)*'[\w.-]+'/g, '');
  const found: string[] = [];
  for (const m of stripped.matchAll(/'([^']*)'|"([^"]*)"|`([^`]*)`/g)) {
    const s = (m[1] ?? m[2] ?? m[3] ?? '').replace(/\$\{[^}]*\}/g, '');
    // Identifiers and keys (status names, view ids, element ids, CSS values) are not text.
    if (/^[\w.:/#-]*$/.test(s)) continue;
    if (WORDY.test(s)) found.push(s);
  }
  return found;
}

interface AstNode {
  type: number;
  tag?: string;
  content?: string | { content?: string };
  children?: AstNode[];
  props?: {
    type: number;
    name: string;
    value?: { content: string };
    arg?: { content?: string };
    exp?: { content?: string };
  }[];
  loc: { start: { line: number } };
}

/** Every hard-coded user-visible string of a template, as "line: text". */
export function hardCoded(template: string): string[] {
  const { descriptor } = parse(`<template>${template}</template>`, { filename: 'x.vue' });
  const out: string[] = [];
  const walk = (n: AstNode) => {
    if (n.type === 2 && typeof n.content === 'string' && WORDY.test(n.content))
      out.push(`${n.loc.start.line}: ${n.content.trim()}`);
    if (n.type === 5 && typeof n.content === 'object')
      for (const s of literalText(n.content.content ?? '')) out.push(`${n.loc.start.line}: ${s}`);
    for (const p of n.props ?? []) {
      if (p.type === 6 && VISIBLE_ATTRS.has(p.name) && p.value && WORDY.test(p.value.content))
        out.push(`${n.loc.start.line}: ${p.name}="${p.value.content}"`);
      if (p.type === 7 && p.name === 'bind' && VISIBLE_ATTRS.has(p.arg?.content ?? ''))
        for (const s of literalText(p.exp?.content ?? ''))
          out.push(`${n.loc.start.line}: :${p.arg?.content} ${s}`);
    }
    for (const c of n.children ?? []) walk(c);
  };
  for (const c of (descriptor.template?.ast?.children ?? []) as AstNode[]) walk(c);
  return out;
}

function vueFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? vueFiles(p) : p.endsWith('.vue') ? [p] : [];
  });
}

describe('templates', () => {
  it('the checker finds text, visible attributes and literals, and lets keys through', () => {
    expect(hardCoded('<button>Save</button>')).toHaveLength(1);
    expect(hardCoded('<p>保存</p>')).toHaveLength(1);
    expect(hardCoded('<input placeholder="Your name" />')).toHaveLength(1);
    expect(hardCoded(`<span>{{ ok ? '' : ' (not available)' }}</span>`)).toHaveLength(1);
    expect(hardCoded(`<x :title="'Pick one'" />`)).toHaveLength(1);
    expect(hardCoded(`<b>{{ t('common.save') }} · {{ t(\`status.\${s}\`) }} — ▲</b>`)).toEqual([]);
    expect(hardCoded(`<b :data-x="'abc def'" :class="{ 'a b': x }">{{ n }}</b>`)).toEqual([]);
  });

  it('show no user-visible text that bypasses i18n', () => {
    const found = vueFiles(RENDERER).flatMap((file) => {
      const src = readFileSync(file, 'utf8');
      const m = /<template>([\s\S]*)<\/template>/.exec(src);
      return m ? hardCoded(m[1]).map((h) => `${relative(RENDERER, file)}:${h}`) : [];
    });
    expect(found).toEqual([]);
  });
});
