/**
 * A report document: a JSON-able description (title, sections of blocks, and the data every
 * number came from) rendered to one standalone HTML file — inline CSS, inline SVG charts, the
 * data embedded as `<script type="application/json" id="report-data">`, no external assets and
 * no scripts that run. Because the document itself is plain JSON, an app can store it and
 * render the same blocks natively instead of (or besides) showing the HTML.
 */
import {
  barChart,
  heatmap,
  lineChart,
  type BarChartSpec,
  type HeatmapSpec,
  type LineChartSpec,
} from './charts';
import { fmtNumber } from './format';
import { escapeHtml, jsonForScript, tag } from './html';

export type Cell = string | number | null;

/** Outcome of checking an expectation: green, red or grey in the report. */
export type VerdictStatus = 'reproduced' | 'not-reproduced' | 'inconclusive';

export type ReportBlock =
  | { kind: 'text'; text: string }
  | { kind: 'verdict'; status: VerdictStatus; title: string; text: string }
  | {
      kind: 'table';
      caption?: string;
      columns: string[];
      rows: Cell[][];
      /** Decimals for numeric cells (default 3). */
      digits?: number;
    }
  | { kind: 'key-values'; items: [string, Cell][] }
  | ({ kind: 'line-chart' } & LineChartSpec)
  | ({ kind: 'bar-chart' } & BarChartSpec)
  | ({ kind: 'heatmap' } & HeatmapSpec);

export interface ReportSection {
  heading: string;
  blocks: ReportBlock[];
}

export interface ReportDocument {
  title: string;
  subtitle?: string;
  /** Shown under the title (e.g. created, scale, backend, store file). */
  meta?: Record<string, string | number>;
  sections: ReportSection[];
  /** Every number the report shows, embedded as JSON (schema is the report's own). */
  data: unknown;
}

const CSS = `
:root{color-scheme:light dark;--fg:#1d1f23;--bg:#fff;--muted:#5f6570;--line:#e3e5e8;--ok:#137a3a;--bad:#b3261e;--neutral:#6b6f76}
@media (prefers-color-scheme:dark){:root{--fg:#e6e7ea;--bg:#17181b;--muted:#a0a4ab;--line:#33363c}svg.chart{background:#fff;border-radius:6px}}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);max-width:980px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
.subtitle{color:var(--muted);margin:0 0 .6rem}.meta{color:var(--muted);font-size:.85rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid var(--line);padding:.25rem .55rem;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}caption{caption-side:top;text-align:left;color:var(--muted);padding-bottom:.25rem}
.verdict{border-left:5px solid var(--neutral);padding:.5rem .8rem;margin:.8rem 0;background:rgba(127,127,127,.08)}
.verdict.reproduced{border-color:var(--ok)}.verdict.not-reproduced{border-color:var(--bad)}
.verdict .status{font-weight:700;text-transform:uppercase;font-size:.8rem;letter-spacing:.04em}
.verdict.reproduced .status{color:var(--ok)}.verdict.not-reproduced .status{color:var(--bad)}.verdict.inconclusive .status{color:var(--neutral)}
figure{margin:.8rem 0;overflow-x:auto}p{white-space:pre-line}
footer{margin-top:3rem;color:var(--muted);font-size:.8rem}
`;

const STATUS_TEXT: Record<VerdictStatus, string> = {
  reproduced: 'reproduced',
  'not-reproduced': 'not reproduced',
  inconclusive: 'inconclusive',
};

function renderCell(c: Cell, digits: number): string {
  if (typeof c === 'number' || c === null)
    return tag('td', { class: 'num' }, escapeHtml(fmtNumber(c, digits)));
  return tag('td', {}, escapeHtml(c));
}

/** Renders one block to HTML. */
export function renderBlock(b: ReportBlock): string {
  switch (b.kind) {
    case 'text':
      return tag('p', {}, escapeHtml(b.text));
    case 'verdict':
      return tag('div', { class: `verdict ${b.status}` }, [
        tag('div', { class: 'status' }, escapeHtml(STATUS_TEXT[b.status])),
        tag('strong', {}, escapeHtml(b.title)),
        tag('p', {}, escapeHtml(b.text)),
      ]);
    case 'table': {
      const digits = b.digits ?? 3;
      return tag('table', {}, [
        b.caption ? tag('caption', {}, escapeHtml(b.caption)) : '',
        tag(
          'thead',
          {},
          tag(
            'tr',
            {},
            b.columns.map((c) => tag('th', {}, escapeHtml(c))),
          ),
        ),
        tag(
          'tbody',
          {},
          b.rows.map((r) =>
            tag(
              'tr',
              {},
              r.map((c) => renderCell(c, digits)),
            ),
          ),
        ),
      ]);
    }
    case 'key-values':
      return tag(
        'table',
        {},
        tag(
          'tbody',
          {},
          b.items.map(([k, v]) => tag('tr', {}, [tag('th', {}, escapeHtml(k)), renderCell(v, 4)])),
        ),
      );
    case 'line-chart':
      return tag('figure', {}, lineChart(b));
    case 'bar-chart':
      return tag('figure', {}, barChart(b));
    case 'heatmap':
      return tag('figure', {}, heatmap(b));
  }
}

/** Renders the document to a standalone HTML page. */
export function renderReport(doc: ReportDocument): string {
  const meta = Object.entries(doc.meta ?? {})
    .map(([k, v]) => `${escapeHtml(k)}: ${escapeHtml(String(v))}`)
    .join(' · ');
  const body = [
    tag('h1', {}, escapeHtml(doc.title)),
    doc.subtitle ? tag('p', { class: 'subtitle' }, escapeHtml(doc.subtitle)) : '',
    meta ? tag('div', { class: 'meta' }, meta) : '',
    ...doc.sections.map((s) =>
      tag('section', {}, [tag('h2', {}, escapeHtml(s.heading)), ...s.blocks.map(renderBlock)]),
    ),
    tag(
      'footer',
      {},
      'Every number in this report is embedded as JSON in the element <code>#report-data</code> of this file.',
    ),
    `<script type="application/json" id="report-data">${jsonForScript(doc.data)}</script>`,
  ];
  return (
    '<!doctype html>\n' +
    tag('html', { lang: 'en' }, [
      tag('head', {}, [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        // No network, no scripts: the page only renders what it holds.
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
        tag('title', {}, escapeHtml(doc.title)),
        tag('style', {}, CSS),
      ]),
      tag('body', {}, body),
    ]) +
    '\n'
  );
}

/** Reads the embedded data back out of a rendered report (for tests and tools). */
export function extractReportData(html: string): unknown {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no #report-data element in this HTML');
  return JSON.parse(m[1]);
}
