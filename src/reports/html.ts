/**
 * Minimal HTML building: escaping and a tag helper. Everything a report renders goes through
 * `escapeHtml` (text) or `escapeAttr` (attribute values), so user-chosen names (experiment and
 * run labels) cannot inject markup into a report file.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

export const escapeAttr = escapeHtml;

export type Attrs = Record<string, string | number | boolean | null | undefined>;

function attrText(attrs: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    out += v === true ? ` ${k}` : ` ${k}="${escapeAttr(String(v))}"`;
  }
  return out;
}

/**
 * `<name attrs>children</name>`; `children` are already-rendered HTML strings (escape text
 * with `escapeHtml` first). Void elements when `children` is null.
 */
export function tag(
  name: string,
  attrs: Attrs = {},
  children: string | string[] | null = '',
): string {
  if (children === null) return `<${name}${attrText(attrs)}/>`;
  const inner = Array.isArray(children) ? children.join('') : children;
  return `<${name}${attrText(attrs)}>${inner}</${name}>`;
}

/**
 * JSON for embedding inside `<script type="application/json">`: `<` is written as `\u003c`
 * so the text can never close the script element, and U+2028/2029 are escaped too.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, null, 1)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
