/**
 * `homolab pause|cancel <exp-N|run-N>…` and `homolab delete <exp-N|run-N>… [--yes]`: the
 * API's pauseRuns, cancelRuns, deleteExperiment and deleteRun. Training belongs to the process
 * that runs it, so where a `homolab serve` holds the store these go to it (serve-control.ts);
 * otherwise to this command's own lab (which can cancel queued or interrupted runs and delete,
 * but has nothing training to pause).
 */
import type { LabClient } from '../../api/client';
import { ApiCallError } from '../../api/client';
import { terminalSafe } from '../../core/text/terminal-safe';
import { type CliIO, type GlobalOptions } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { type EntityRef, expId, parseRef, runId } from '../ids';
import { withLab } from '../lab';
import { jsonLine } from '../progress';
import { resolveStorePath } from '../paths';
import { findServe, serveClient } from '../serve-control';

const label = (t: EntityRef) => (t.kind === 'experiment' ? expId(t.id) : runId(t.id));

/** Runs `fn` on the serve that holds the store, or on an in-process lab. */
async function withControl<T>(
  opts: GlobalOptions,
  io: CliIO,
  fn: (lab: LabClient) => Promise<T>,
): Promise<T> {
  const serve = findServe(resolveStorePath(opts.db));
  if (!serve) return withLab(opts, io, fn, true);
  if (!opts.json) io.stderr.write(`homolab: via the serve at ${serve.origin} (pid ${serve.pid})\n`);
  return fn(serveClient(serve));
}

/** An experiment trained by another process cannot be paused from here: say where it is. */
async function explainConflict(lab: LabClient, experimentId: number, err: unknown) {
  if (!(err instanceof ApiCallError) || err.code !== 'conflict') return err;
  const e = await lab.call('getExperiment', { id: experimentId }).catch(() => null);
  if (e?.status !== 'running' && e?.status !== 'paused') return err;
  return new CliError(
    `${expId(experimentId)} is training in another process; pause or cancel it there ` +
      '(the app, the page of its `homolab serve`, or Ctrl-C on its `homolab run`)',
    EXIT.INVALID_INPUT,
  );
}

export async function controlCommand(
  action: 'pause' | 'cancel',
  refs: string[],
  opts: GlobalOptions,
  io: CliIO,
): Promise<ExitCode> {
  const targets = refs.map((r) => parseRef(r, 'experiment'));
  return withControl(opts, io, async (lab) => {
    for (const t of targets) {
      const experimentId =
        t.kind === 'experiment' ? t.id : (await lab.call('getRun', { id: t.id })).experimentId;
      const runIds = t.kind === 'run' ? [t.id] : undefined;
      try {
        await lab.call(action === 'pause' ? 'pauseRuns' : 'cancelRuns', { experimentId, runIds });
      } catch (err) {
        throw await explainConflict(lab, experimentId, err);
      }
      const done = action === 'pause' ? 'paused' : 'cancelled';
      if (opts.json)
        io.stdout.write(jsonLine({ type: done, experimentId, runIds: runIds ?? null }));
      else io.stdout.write(`${done} ${label(t)}\n`);
    }
    return EXIT.OK;
  });
}

export async function deleteCommand(
  refs: string[],
  opts: GlobalOptions & { yes?: boolean },
  io: CliIO,
): Promise<ExitCode> {
  const targets = refs.map((r) => parseRef(r, 'experiment'));
  return withControl(opts, io, async (lab) => {
    // Described (and found) first: nothing is deleted when one of them does not exist.
    const what: string[] = [];
    for (const t of targets)
      if (t.kind === 'experiment') {
        const e = await lab.call('getExperiment', { id: t.id });
        what.push(`${expId(t.id)} "${terminalSafe(e.name)}" with its ${e.runCount} run(s)`);
      } else {
        const r = await lab.call('getRun', { id: t.id });
        what.push(`${runId(t.id)} "${terminalSafe(r.name)}" of ${expId(r.experimentId)}`);
      }
    if (!opts.yes) {
      const question = `Delete ${what.join(', ')}, with their metrics, checkpoints and analyses?`;
      if (!io.confirm)
        throw new CliError(
          `deleting asks for a confirmation: repeat with --yes to delete ${what.join(', ')}`,
          EXIT.NEEDS_CONFIRMATION,
        );
      if (!(await io.confirm(question))) {
        io.stderr.write('homolab: nothing deleted\n');
        return EXIT.NEEDS_CONFIRMATION;
      }
    }
    for (const t of targets) {
      if (t.kind === 'experiment') await lab.call('deleteExperiment', { id: t.id });
      else await lab.call('deleteRun', { id: t.id });
      if (opts.json)
        io.stdout.write(
          jsonLine({
            type: 'deleted',
            ...(t.kind === 'experiment' ? { experimentId: t.id } : { runId: t.id }),
          }),
        );
      else io.stdout.write(`deleted ${label(t)}\n`);
    }
    return EXIT.OK;
  });
}
