/** Registers only the Chart.js parts we use (keeps the bundle small, no eval — CSP-safe). */
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
    done = true;
  }
  return Chart;
}
