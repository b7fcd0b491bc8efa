/**
 * Standalone HTML reports: describe a report as a `ReportDocument` (sections of text, verdicts,
 * tables, line/bar charts, heatmaps, plus the data behind every number) and render it with
 * `renderReport` to one self-contained file. See docs/studies.md ("Report toolkit").
 */
export type { Cell, ReportBlock, ReportDocument, ReportSection, VerdictStatus } from './document';
export { renderReport, renderBlock, extractReportData } from './document';
export type {
  Bar,
  BarChartSpec,
  HeatmapSpec,
  LineChartSpec,
  LinePoint,
  LineSeries,
} from './charts';
export { lineChart, barChart, heatmap, viridis, PALETTE } from './charts';
export { fmtNumber, fmtInterval, fmtTick, niceTicks } from './format';
export { escapeHtml, escapeAttr, jsonForScript, tag } from './html';
