/**
 * Registers only the Chart.js parts we use (keeps the bundle small, no eval — CSP-safe) and
 * gives charts the page's font.
 */
import {
  Chart,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  LinearScale,
  LogarithmicScale,
  Filler,
  Legend,
  Tooltip,
} from 'chart.js';

let done = false;
export function setupCharts(): typeof Chart {
  if (!done) {
    Chart.register(
      LineController,
      LineElement,
      PointElement,
      ScatterController,
      LinearScale,
      LogarithmicScale,
      Filler,
      Legend,
      Tooltip,
    );
    // The page's font stack (with its CJK fallbacks), so chart labels read in every language.
    const family = globalThis.document ? getComputedStyle(document.body).fontFamily : '';
    if (family) Chart.defaults.font.family = family;
    done = true;
  }
  return Chart;
}
