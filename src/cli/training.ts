/**
 * Following one experiment's training through the lab: the CLI starts it with an API operation
 * (createExperiment, resumeRuns), renders the lab's training events as progress bars or JSON
 * lines, cancels it through the API on Ctrl-C, and resolves with the session's outcome.
 */
import type { ExperimentOutcome, RunnerEvent } from '../experiments/execution/events';
import type { CliIO, GlobalOptions } from './context';
import { EXIT, type ExitCode } from './exit-codes';
import { expId } from './ids';
import type { CliLab } from './lab';
import { jsonLine, jsonLinesSink, type ProgressSink, terminalSink } from './progress';

export interface FollowOptions {
  /** Starts the training through the API; resolves to the experiment's id. */
  start: () => Promise<number>;
  /** Prints what comes before the progress (the created experiment, its runs). */
  announce?: (experimentId: number) => Promise<void>;
}

/** Runs `start` and renders the training it starts until the session ends. */
export async function followTraining(
  lab: CliLab,
  opts: GlobalOptions,
  io: CliIO,
  { start, announce }: FollowOptions,
): Promise<{ experimentId: number; outcome: ExperimentOutcome }> {
  // Events can come before `start` resolves (the worker is forked at once): keep them.
  const early: RunnerEvent[] = [];
  let experimentId: number | null = null;
  let sink: ProgressSink | null = null;
  let finish: (o: ExperimentOutcome) => void = () => undefined;
  const ended = new Promise<ExperimentOutcome>((resolve) => (finish = resolve));
  const handle = (e: RunnerEvent) => {
    if (e.experimentId !== experimentId) return;
    sink!.event(e);
    if (e.type === 'experiment-end') finish(e.outcome);
  };
  const off = lab.onTraining((e) => (sink ? handle(e) : early.push(e)));

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1 || experimentId === null) process.exit(EXIT.SIGINT);
    void lab.call('cancelRuns', { experimentId }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    experimentId = await start();
    await announce?.(experimentId);
    const detail = await lab.call('getExperiment', { id: experimentId });
    const names = new Map(detail.runs.map((r) => [r.id, r.name]));
    const live = !opts.json && Boolean(io.stdout.isTTY);
    sink = opts.json ? jsonLinesSink(io.stdout) : terminalSink(io.stdout, names, live);
    for (const e of early.splice(0)) handle(e);
    const outcome = await ended;
    sink.close();
    return { experimentId, outcome };
  } finally {
    off();
    process.off('SIGINT', onSigint);
  }
}

/** Exit code of a training outcome. */
export function outcomeExitCode(o: ExperimentOutcome): ExitCode {
  switch (o.status) {
    case 'completed':
      return EXIT.OK;
    case 'stopped':
      return EXIT.RUNS_INCOMPLETE;
    case 'interrupted':
      return EXIT.INTERRUPTED;
    case 'cancelled':
      return EXIT.SIGINT;
    case 'fatal':
      return EXIT.BACKEND;
  }
}

/** Prints the outcome line (or JSON result) and returns the exit code. */
export function reportOutcome(
  io: CliIO,
  opts: GlobalOptions,
  experimentId: number,
  o: ExperimentOutcome,
): ExitCode {
  const code = outcomeExitCode(o);
  if (opts.json) io.stdout.write(jsonLine({ type: 'result', experimentId, exitCode: code, ...o }));
  else {
    const c = o.counts;
    io.stdout.write(
      `${expId(experimentId)}: ${o.status} — ${c.completed} completed, ${c.failed} failed, ` +
        `${c.diverged} diverged, ${c.cancelled} cancelled, ${c.interrupted} interrupted, ${c.queued} queued` +
        (o.message ? ` (${o.message})` : '') +
        '\n',
    );
    if (o.status === 'interrupted' || o.status === 'fatal')
      io.stdout.write(`resume with: homolab resume ${expId(experimentId)}\n`);
  }
  return code;
}
