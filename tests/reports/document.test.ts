/**
 * The report toolkit renders a self-contained page: no external references, escaped text,
 * the data embedded and readable back, and charts that place values where they belong.
 */
import { describe, expect, it } from 'vitest';
import {
  barChart,
  extractReportData,
  heatmap,
  lineChart,
  niceTicks,
  renderReport,
  viridis,
  type ReportDocument,
} from '../../src/reports';

const doc: ReportDocument = {
  title: 'Study <x> & "y"',
  subtitle: 'subtitle',
  meta: { scale: 'tiny' },
  sections: [
    {
      heading: 'Results',
      blocks: [
        { kind: 'text', text: 'a <script>alert(1)</script> b' },
        { kind: 'verdict', status: 'not-reproduced', title: 'Shape', text: 'no' },
        {
          kind: 'table',
          columns: ['layer', 'CKA'],
          rows: [
            ['embed', 0.91234],
            ['blocks.0', null],
          ],
        },
        { kind: 'key-values', items: [['p', 0.05]] },
        {
          kind: 'line-chart',
          title: 'CKA over steps',
          xLabel: 'step',
          yLabel: 'CKA',
          series: [
            {
              name: 'embed',
              points: [
                { x: 0, y: 0.2, lo: 0.1, hi: 0.3 },
                { x: 10, y: 0.8, lo: 0.7, hi: 0.9 },
              ],
            },
            {
              name: 'out',
              points: [
                { x: 0, y: 0.1 },
                { x: 5, y: null },
                { x: 10, y: 0.5 },
              ],
            },
          ],
          markers: [{ x: 5, label: 'transition' }],
        },
        {
          kind: 'bar-chart',
          title: 'κ',
          yLabel: 'κ',
          bars: [{ label: 'a', value: 0.5, lo: 0.4, hi: 0.6 }],
        },
        {
          kind: 'heatmap',
          title: 'm',
          rowLabels: ['a', 'b'],
          colLabels: ['a', 'b'],
          values: [
            [1, 0.5],
            [0.5, null],
          ],
        },
      ],
    },
  ],
  data: { numbers: [1, 2.5], nasty: '</script><b>' },
};

describe('renderReport', () => {
  const html = renderReport(doc);

  it('is standalone: no external URLs, no executable scripts', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    expect(scripts).toEqual(['<script type="application/json" id="report-data">']);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes text and embeds the data so it reads back unchanged', () => {
    expect(html).toContain('Study &lt;x&gt; &amp; &quot;y&quot;');
    expect(html).toContain('a &lt;script&gt;alert(1)&lt;/script&gt; b');
    expect(extractReportData(html)).toEqual(doc.data);
    expect(html).toContain('0.912');
    expect(html).toContain('—'); // null cell
    expect(html).toContain('class="verdict not-reproduced"');
  });

  it('draws every chart kind as inline SVG', () => {
    expect(html.match(/<svg /g)?.length).toBe(3);
  });
});

describe('charts', () => {
  it('maps values to coordinates monotonically and draws bands and markers', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 's', points: [0, 1, 2].map((x) => ({ x, y: x, lo: x - 0.5, hi: x + 0.5 })) },
      ],
      markers: [{ x: 1, label: 'm' }],
    });
    const cy = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [+m[1], +m[2]]);
    expect(cy).toHaveLength(3);
    expect(cy[0][0]).toBeLessThan(cy[1][0]);
    expect(cy[0][1]).toBeGreaterThan(cy[1][1]); // larger y is higher on screen
    expect(svg).toContain('<polygon');
    expect(svg).toContain('<title>m</title>');
  });

  it('splits a line at undefined values', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 's',
          points: [
            { x: 0, y: 1 },
            { x: 1, y: 2 },
            { x: 2, y: null },
            { x: 3, y: 1 },
            { x: 4, y: 0 },
          ],
        },
      ],
    });
    expect(svg.match(/<polyline/g)).toHaveLength(2);
  });

  it('draws bars with error bars and a heatmap with grey undefined cells', () => {
    const b = barChart({
      title: 'b',
      yLabel: 'v',
      bars: [
        { label: 'x', value: 1, lo: 0.5, hi: 1.5 },
        { label: 'y', value: null },
      ],
    });
    expect(b.match(/<rect /g)).toHaveLength(1);
    expect(b).toContain('<path d="M');
    const h = heatmap({
      title: 'h',
      rowLabels: ['r'],
      colLabels: ['a', 'b'],
      values: [[0, null]],
      domain: [0, 1],
    });
    expect(h).toContain('fill="#ccc"');
    expect(h).toContain(`fill="${viridis(0)}"`);
    expect(viridis(0)).toBe('rgb(68,1,84)');
    expect(viridis(1)).toBe('rgb(253,231,37)');
  });

  it('picks round axis ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 1000, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
  });
});
