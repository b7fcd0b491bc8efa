/**
 * Inline SVG charts for standalone reports: line charts (with optional uncertainty bands and
 * vertical markers), bar charts (with optional error bars and a reference line) and heatmaps.
 * Each function takes a plain JSON-able spec and returns an `<svg>` string with no external
 * assets (no fonts, no scripts); hovering a point, bar or cell shows its value via `<title>`.
 */
import { fmtNumber, fmtTick, niceTicks } from './format';
import { escapeHtml, tag } from './html';

/** Categorical palette (colour-blind friendly, Okabe–Ito order). */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#8C6D1F',
  '#000000',
];

export interface LinePoint {
  x: number;
  y: number | null;
  /** Band (e.g. a 95% CI or min–max) drawn around the line. */
  lo?: number | null;
  hi?: number | null;
}

export interface LineSeries {
  name: string;
  points: LinePoint[];
  /** CSS colour (default: the palette in order). */
  color?: string;
  dashed?: boolean;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Vertical lines, e.g. a transition step. */
  markers?: { x: number; label: string; color?: string }[];
  /** Horizontal reference lines, e.g. chance level. */
  references?: { y: number; label: string }[];
  yDomain?: [number, number];
  width?: number;
  height?: number;
}

export interface Bar {
  label: string;
  value: number | null;
  lo?: number | null;
  hi?: number | null;
  color?: string;
}

export interface BarChartSpec {
  title: string;
  yLabel: string;
  bars: Bar[];
  references?: { y: number; label: string }[];
  yDomain?: [number, number];
  width?: number;
  height?: number;
}

export interface HeatmapSpec {
  title: string;
  rowLabels: string[];
  colLabels: string[];
  values: (number | null)[][];
  /** Colour scale domain (default: the data's min and max). */
  domain?: [number, number];
  digits?: number;
  /** Show values inside cells (default: when at most 12×12). */
  annotate?: boolean;
}

const FONT = 'font-family="system-ui,-apple-system,Segoe UI,sans-serif"';
const M = { top: 34, right: 16, bottom: 46, left: 58 };

/** Room for a 14px title (about 8.8 px per bold character) plus margins. */
const titleWidth = (t: string) => Math.ceil(t.length * 8.8 + 24);

const fin = (v: number | null | undefined): v is number =>
  v !== null && v !== undefined && Number.isFinite(v);

function extent(values: number[], fallback: [number, number]): [number, number] {
  const f = values.filter(Number.isFinite);
  if (!f.length) return fallback;
  let lo = Math.min(...f);
  let hi = Math.max(...f);
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  return [lo, hi];
}

function frame(
  w: number,
  h: number,
  title: string,
  body: string,
  xLabel: string,
  yLabel: string,
): string {
  return tag(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${w} ${h}`,
      width: w,
      height: h,
      role: 'img',
      'aria-label': title,
      class: 'chart',
    },
    [
      `<text x="${w / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600" ${FONT}>${escapeHtml(title)}</text>`,
      body,
      `<text x="${M.left + (w - M.left - M.right) / 2}" y="${h - 8}" text-anchor="middle" font-size="12" ${FONT}>${escapeHtml(xLabel)}</text>`,
      `<text transform="translate(14 ${M.top + (h - M.top - M.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${escapeHtml(yLabel)}</text>`,
    ],
  );
}

function yAxis(y0: number, y1: number, sy: (v: number) => number, x0: number, x1: number): string {
  return niceTicks(y0, y1, 5)
    .map(
      (t) =>
        `<line x1="${x0}" x2="${x1}" y1="${sy(t)}" y2="${sy(t)}" stroke="#ddd"/>` +
        `<text x="${x0 - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11" ${FONT}>${fmtTick(t)}</text>`,
    )
    .join('');
}

function legend(
  items: { name: string; color: string; dashed?: boolean }[],
  x: number,
  y: number,
): string {
  return items
    .map(
      (s, i) =>
        `<line x1="${x}" x2="${x + 18}" y1="${y + i * 15}" y2="${y + i * 15}" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>` +
        `<text x="${x + 23}" y="${y + i * 15 + 4}" font-size="11" ${FONT}>${escapeHtml(s.name)}</text>`,
    )
    .join('');
}

/** A line chart; series share the x axis (numbers, e.g. steps or layer indices). */
export function lineChart(spec: LineChartSpec): string {
  const legendW = spec.series.length > 1 ? 150 : 0;
  const w = spec.width ?? Math.max(560 + legendW, titleWidth(spec.title));
  const h = spec.height ?? 300;
  const xs = spec.series.flatMap((s) => s.points.map((p) => p.x));
  for (const m of spec.markers ?? []) xs.push(m.x);
  const ys = spec.series.flatMap((s) => s.points.flatMap((p) => [p.y, p.lo, p.hi].filter(fin)));
  for (const r of spec.references ?? []) ys.push(r.y);
  const [x0, x1] = extent(xs, [0, 1]);
  const [y0, y1] = spec.yDomain ?? extent(ys, [0, 1]);
  const px0 = M.left;
  const px1 = w - M.right - legendW;
  const py0 = h - M.bottom;
  const py1 = M.top;
  const sx = (v: number) => +(px0 + ((v - x0) / (x1 - x0)) * (px1 - px0)).toFixed(2);
  const sy = (v: number) => +(py0 - ((v - y0) / (y1 - y0)) * (py0 - py1)).toFixed(2);
  const parts: string[] = [yAxis(y0, y1, sy, px0, px1)];
  for (const t of niceTicks(x0, x1, 6))
    parts.push(
      `<text x="${sx(t)}" y="${py0 + 16}" text-anchor="middle" font-size="11" ${FONT}>${fmtTick(t)}</text>`,
    );
  parts.push(`<line x1="${px0}" x2="${px1}" y1="${py0}" y2="${py0}" stroke="#888"/>`);
  for (const r of spec.references ?? [])
    parts.push(
      `<line x1="${px0}" x2="${px1}" y1="${sy(r.y)}" y2="${sy(r.y)}" stroke="#999" stroke-dasharray="2 3"/>` +
        `<text x="${px1 - 2}" y="${sy(r.y) - 3}" text-anchor="end" font-size="10" fill="#666" ${FONT}>${escapeHtml(r.label)}</text>`,
    );
  const colors = spec.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]);
  spec.series.forEach((s, i) => {
    const band = s.points.filter((p) => fin(p.lo) && fin(p.hi));
    if (band.length > 1) {
      const upper = band.map((p) => `${sx(p.x)},${sy(p.hi!)}`);
      const lower = band.map((p) => `${sx(p.x)},${sy(p.lo!)}`).reverse();
      parts.push(
        `<polygon points="${[...upper, ...lower].join(' ')}" fill="${colors[i]}" fill-opacity="0.15" stroke="none"/>`,
      );
    }
  });
  spec.series.forEach((s, i) => {
    // Undefined values break the line into segments.
    const segs: string[][] = [];
    let seg: string[] = [];
    for (const p of s.points) {
      if (fin(p.y)) seg.push(`${sx(p.x)},${sy(p.y)}`);
      else if (seg.length) {
        segs.push(seg);
        seg = [];
      }
    }
    if (seg.length) segs.push(seg);
    for (const g of segs)
      parts.push(
        `<polyline points="${g.join(' ')}" fill="none" stroke="${colors[i]}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      );
    for (const p of s.points)
      if (fin(p.y))
        parts.push(
          `<circle cx="${sx(p.x)}" cy="${sy(p.y)}" r="2.5" fill="${colors[i]}"><title>${escapeHtml(
            `${s.name}: x=${fmtTick(p.x)}, y=${fmtNumber(p.y, 4)}${fin(p.lo) && fin(p.hi) ? ` [${fmtNumber(p.lo, 4)}, ${fmtNumber(p.hi, 4)}]` : ''}`,
          )}</title></circle>`,
        );
  });
  for (const m of spec.markers ?? [])
    parts.push(
      `<line x1="${sx(m.x)}" x2="${sx(m.x)}" y1="${py0}" y2="${py1}" stroke="${m.color ?? '#444'}" stroke-dasharray="4 3"><title>${escapeHtml(m.label)}</title></line>`,
    );
  if (legendW)
    parts.push(
      legend(
        spec.series.map((s, i) => ({ name: s.name, color: colors[i], dashed: s.dashed })),
        px1 + 14,
        py1 + 6,
      ),
    );
  return frame(w, h, spec.title, parts.join(''), spec.xLabel, spec.yLabel);
}

/** A bar chart with optional error bars (lo/hi) and horizontal reference lines. */
export function barChart(spec: BarChartSpec): string {
  const n = Math.max(1, spec.bars.length);
  const w = spec.width ?? Math.max(360, M.left + M.right + n * 64, titleWidth(spec.title));
  const h = spec.height ?? 300;
  const ys = spec.bars.flatMap((b) => [b.value, b.lo, b.hi].filter(fin));
  for (const r of spec.references ?? []) ys.push(r.y);
  ys.push(0);
  const [y0, y1] = spec.yDomain ?? extent(ys, [0, 1]);
  const px0 = M.left;
  const px1 = w - M.right;
  const py0 = h - M.bottom;
  const py1 = M.top;
  const sy = (v: number) => +(py0 - ((v - y0) / (y1 - y0)) * (py0 - py1)).toFixed(2);
  const slot = (px1 - px0) / n;
  const parts: string[] = [yAxis(y0, y1, sy, px0, px1)];
  spec.bars.forEach((b, i) => {
    const cx = px0 + slot * (i + 0.5);
    const bw = Math.min(48, slot * 0.7);
    const color = b.color ?? PALETTE[i % PALETTE.length];
    if (fin(b.value)) {
      const top = sy(Math.max(b.value, Math.max(y0, 0)));
      const base = sy(Math.min(Math.max(y0, 0), b.value));
      const ci = fin(b.lo) && fin(b.hi) ? ` [${fmtNumber(b.lo, 4)}, ${fmtNumber(b.hi, 4)}]` : '';
      parts.push(
        `<rect x="${(cx - bw / 2).toFixed(2)}" y="${Math.min(top, base)}" width="${bw.toFixed(2)}" height="${Math.abs(base - top).toFixed(2)}" fill="${color}" fill-opacity="0.8"><title>${escapeHtml(`${b.label}: ${fmtNumber(b.value, 4)}${ci}`)}</title></rect>`,
      );
    }
    if (fin(b.lo) && fin(b.hi))
      parts.push(
        `<path d="M${cx} ${sy(b.lo)}V${sy(b.hi)}M${cx - 6} ${sy(b.lo)}h12M${cx - 6} ${sy(b.hi)}h12" stroke="#222" stroke-width="1.5" fill="none"/>`,
      );
    parts.push(
      `<text x="${cx}" y="${py0 + 14}" text-anchor="middle" font-size="10.5" ${FONT}>${escapeHtml(b.label)}</text>`,
    );
  });
  parts.push(`<line x1="${px0}" x2="${px1}" y1="${py0}" y2="${py0}" stroke="#888"/>`);
  for (const r of spec.references ?? [])
    parts.push(
      `<line x1="${px0}" x2="${px1}" y1="${sy(r.y)}" y2="${sy(r.y)}" stroke="#999" stroke-dasharray="2 3"/>` +
        `<text x="${px1 - 2}" y="${sy(r.y) - 3}" text-anchor="end" font-size="10" fill="#666" ${FONT}>${escapeHtml(r.label)}</text>`,
    );
  return frame(w, h, spec.title, parts.join(''), '', spec.yLabel);
}

// Viridis stops, interpolated linearly in RGB.
const VIRIDIS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];

function hexToRgb(h: string): number[] {
  return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
}

/** Viridis colour of t in [0, 1]. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const a = hexToRgb(VIRIDIS[i]);
  const b = hexToRgb(VIRIDIS[i + 1]);
  const f = x - i;
  return `rgb(${a.map((v, k) => Math.round(v + f * (b[k] - v))).join(',')})`;
}

/** A heatmap (rows × columns), viridis colour scale, null cells grey. */
export function heatmap(spec: HeatmapSpec): string {
  const R = spec.rowLabels.length;
  const C = spec.colLabels.length;
  const cell = Math.max(18, Math.min(48, Math.floor(420 / Math.max(R, C, 1))));
  const left = 8 + 7 * Math.max(4, ...spec.rowLabels.map((l) => l.length));
  const top = 40;
  const bottom = 10 + 6.5 * Math.max(4, ...spec.colLabels.map((l) => l.length));
  const scaleW = 70;
  const w = Math.max(left + C * cell + scaleW + 10, titleWidth(spec.title));
  const h = top + R * cell + bottom;
  const flat = spec.values.flat().filter(fin);
  const [d0, d1] = spec.domain ?? extent(flat, [0, 1]);
  const t = (v: number) => (d1 === d0 ? 0.5 : (v - d0) / (d1 - d0));
  const annotate = spec.annotate ?? (R <= 12 && C <= 12);
  const digits = spec.digits ?? 2;
  const parts: string[] = [
    `<text x="${w / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600" ${FONT}>${escapeHtml(spec.title)}</text>`,
  ];
  for (let i = 0; i < R; i++) {
    parts.push(
      `<text x="${left - 5}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="11" ${FONT}>${escapeHtml(spec.rowLabels[i])}</text>`,
    );
    for (let j = 0; j < C; j++) {
      const v = spec.values[i]?.[j] ?? null;
      const x = left + j * cell;
      const y = top + i * cell;
      const fill = fin(v) ? viridis(t(v)) : '#ccc';
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"><title>${escapeHtml(`${spec.rowLabels[i]} × ${spec.colLabels[j]}: ${fmtNumber(v, 4)}`)}</title></rect>`,
      );
      if (annotate && fin(v))
        parts.push(
          `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" font-size="${cell < 30 ? 8 : 10}" fill="${t(v) > 0.6 ? '#000' : '#fff'}" ${FONT}>${fmtNumber(v, digits)}</text>`,
        );
    }
  }
  for (let j = 0; j < C; j++) {
    const x = left + j * cell + cell / 2;
    const y = top + R * cell + 6;
    parts.push(
      `<text transform="translate(${x + 4} ${y}) rotate(60)" font-size="11" ${FONT}>${escapeHtml(spec.colLabels[j])}</text>`,
    );
  }
  // Colour scale.
  const sx = left + C * cell + 16;
  const sh = Math.max(60, R * cell);
  for (let k = 0; k < 20; k++)
    parts.push(
      `<rect x="${sx}" y="${(top + sh - ((k + 1) * sh) / 20).toFixed(2)}" width="12" height="${(sh / 20 + 0.5).toFixed(2)}" fill="${viridis((k + 0.5) / 20)}"/>`,
    );
  parts.push(
    `<text x="${sx + 16}" y="${top + 8}" font-size="10" ${FONT}>${fmtTick(d1)}</text>`,
    `<text x="${sx + 16}" y="${top + sh}" font-size="10" ${FONT}>${fmtTick(d0)}</text>`,
  );
  return tag(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${w} ${Math.max(h, top + sh + 10)}`,
      width: w,
      height: Math.max(h, top + sh + 10),
      role: 'img',
      'aria-label': spec.title,
      class: 'chart',
    },
    parts.join(''),
  );
}
