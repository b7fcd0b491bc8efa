/**
 * Rendering runner events: per-run progress bars redrawn in place on a terminal, one JSON object
 * per line with `--json`, and plain lines (run ends, a periodic summary) when piped.
 */
import { terminalSafe } from '../core/text/terminal-safe';
import type { RunnerEvent } from '../experiments/execution/events';
import { fmtCount, fmtDuration, fmtLoss, pad } from './format';
import { runId as runLabel } from './ids';

export interface ProgressSink {
  event(e: RunnerEvent): void;
  /** Final redraw; leaves the cursor below the bars. */
  close(): void;
}

/** JSON lines: every event as is (numbers that JSON cannot hold become strings). */
export function jsonLinesSink(out: NodeJS.WritableStream): ProgressSink {
  return {
    event: (e) => out.write(jsonLine(e)),
    close: () => undefined,
  };
}

export function jsonLine(v: unknown): string {
  return (
    JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) +
    '\n'
  );
}

interface RunState {
  name: string;
  step: number;
  total: number;
  loss: number | null;
  evalLoss: number | null;
  tps: number;
  eta: number | null;
  status: string;
}

/** Bars on a TTY (`live`), or occasional plain lines when not. */
export function terminalSink(
  out: NodeJS.WritableStream & { columns?: number },
  runNames: Map<number, string>,
  live: boolean,
): ProgressSink {
  const runs = new Map<number, RunState>();
  let summary = '';
  let drawn = 0;
  let lastDraw = 0;
  let lastPlain = 0;

  const state = (id: number): RunState => {
    let s = runs.get(id);
    if (!s) {
      s = {
        name: terminalSafe(runNames.get(id) ?? ''),
        step: 0,
        total: 0,
        loss: null,
        evalLoss: null,
        tps: 0,
        eta: null,
        status: 'queued',
      };
      runs.set(id, s);
    }
    return s;
  };

  const lineOf = (id: number, s: RunState): string => {
    const width = 20;
    const frac = s.total ? Math.min(1, s.step / s.total) : 0;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const tail =
      s.status === 'running'
        ? `loss ${fmtLoss(s.loss)}  ${fmtCount(s.tps)} tok/s  ETA ${fmtDuration(s.eta)}`
        : `${s.status}  loss ${fmtLoss(s.loss)}`;
    return `${pad(runLabel(id), 8)} ${pad(s.name, 24)} ${bar} ${String(s.step).padStart(6)}/${s.total}  ${tail}`;
  };

  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const cols = out.columns ?? 120;
    const lines = [...runs].map(([id, s]) => lineOf(id, s).slice(0, cols - 1));
    if (summary) lines.push(summary.slice(0, cols - 1));
    let buf = drawn ? `\x1b[${drawn}A` : '';
    for (const l of lines) buf += `\x1b[2K${l}\n`;
    out.write(buf);
    drawn = lines.length;
  };

  const plain = (text: string) => out.write(text + '\n');

  return {
    event(e) {
      switch (e.type) {
        case 'backend':
          if (!live) plain(`backend: ${e.backend} (${e.device}) — ${e.reason}`);
          else {
            drawn = 0;
            out.write(`backend: ${e.backend} (${e.device}) — ${e.reason}\n`);
          }
          return;
        case 'group-start':
          for (const id of e.runIds) {
            const s = state(id);
            s.status = 'running';
            s.step = e.startStep;
            s.total = e.totalSteps;
          }
          if (!live)
            plain(
              `training ${e.runIds.map(runLabel).join(', ')}` +
                (e.runIds.length > 1 ? ' in lockstep' : '') +
                (e.startStep ? ` from step ${e.startStep}` : ''),
            );
          break;
        case 'run-progress': {
          const s = state(e.runId);
          Object.assign(s, {
            step: e.step,
            total: e.totalSteps,
            loss: e.loss,
            evalLoss: e.evalLoss ?? s.evalLoss,
            tps: e.tokensPerSec,
            eta: e.etaSec,
            status: 'running',
          });
          break;
        }
        case 'experiment-progress':
          summary = `experiment: ${e.finishedRuns}/${e.runCount} runs done, ${e.stepsDone}/${e.stepsTotal} steps, ${fmtCount(e.tokensPerSec)} tok/s, ETA ${fmtDuration(e.etaSec)}`;
          if (!live && Date.now() - lastPlain > 5000) {
            lastPlain = Date.now();
            plain(summary);
          }
          break;
        case 'run-end': {
          const s = state(e.runId);
          s.status = e.status;
          s.step = e.step;
          if (e.finalLoss !== null) s.loss = e.finalLoss;
          if (!live)
            plain(
              `${runLabel(e.runId)} ${s.name}: ${e.status} at step ${e.step}, loss ${fmtLoss(s.loss)}` +
                (e.reason ? ` (${e.reason})` : ''),
            );
          break;
        }
        case 'paused':
          summary = 'paused';
          break;
        case 'fatal':
        case 'log':
          if (live && drawn) drawn = 0;
          if (e.type === 'fatal' || e.level === 'warn')
            plain(
              e.type === 'fatal' ? `error: ${e.message} — ${e.advice}` : `warning: ${e.message}`,
            );
          return;
        default:
          return;
      }
      if (live) draw(e.type === 'run-end' || e.type === 'group-start');
    },
    close() {
      if (live && runs.size) draw(true);
    },
  };
}
