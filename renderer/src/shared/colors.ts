/** Chart colours: a qualitative palette that reads on light and dark backgrounds. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export function seriesColor(i: number): string {
  const base = PALETTE[i % PALETTE.length];
  if (i < PALETTE.length) return base;
  // Past the palette, rotate hue so 50 runs stay distinguishable.
  return `hsl(${(i * 137.508) % 360}, 55%, 52%)`;
}

/** `#rrggbb` or `hsl(...)` with an alpha. */
export function withAlpha(color: string, alpha: number): string {
  if (color.startsWith('#')) {
    const n = parseInt(color.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  return color.replace(/^hsl\((.*)\)$/, `hsla($1, ${alpha})`);
}

/**
 * A perceptual sequential colour scale (viridis, 9 stops, linearly interpolated) for heatmaps;
 * t ∈ [0, 1].
 */
const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];
export function viridis(t: number): string {
  if (!Number.isFinite(t)) return 'rgb(128,128,128)';
  const x = Math.min(Math.max(t, 0), 1) * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(x), VIRIDIS.length - 2);
  const f = x - i;
  const c = VIRIDIS[i].map((v, k) => Math.round(v + f * (VIRIDIS[i + 1][k] - v)));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Reads a CSS custom property from :root (charts follow the theme). */
export function cssVar(name: string, fallback: string): string {
  if (!globalThis.document) return fallback;
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}
