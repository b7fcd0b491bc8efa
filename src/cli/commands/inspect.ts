/**
 * `homolab list` and `homolab show <experiment|run>`, through the API's listExperiments,
 * listRuns, getExperiment and getRun. Names and messages from the store are printed
 * terminal-safe.
 */
import type { RunDetail, RunSummary } from '../../api/types';
import { terminalSafe } from '../../core/text/terminal-safe';
import { type CliIO, emit, type GlobalOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { fmtLoss, table } from '../format';
import { expId, parseRef, runId } from '../ids';
import { withLab } from '../lab';

/** A run's headline numbers as `show --json` prints them. */
export function runLine(r: RunSummary) {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    statusReason: r.error,
    error: r.error,
    initSeed: r.config.initSeed,
    dataSeed: r.config.dataSeed,
    axes: r.axes,
    step: r.step,
    totalSteps: r.totalSteps,
    loss: r.finalLoss,
    evalLoss: r.evalLoss,
    batchHash: r.batchHash,
    backend: r.backend,
    parent: r.parent,
  };
}

/** A fine-tune's parent as `run-N@step`; '—' for a fresh init. */
const parentText = (p: RunSummary['parent']) => (p ? `${runId(p.runId)}@${p.step ?? '?'}` : '—');

const stamp = (iso: string) => iso.slice(0, 16).replace('T', ' ');

export async function listCommand(opts: GlobalOptions, io: CliIO): Promise<ExitCode> {
  return withLab(
    opts,
    io,
    async (lab) => {
      const [experiments, runs] = await Promise.all([
        lab.call('listExperiments', {}),
        lab.call('listRuns', {}),
      ]);
      const rows = experiments.map((e) => {
        const statuses: Record<string, number> = {};
        for (const r of runs)
          if (r.experimentId === e.id) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        return {
          id: e.id,
          name: e.name,
          status: e.status,
          createdAt: Date.parse(e.createdAt),
          runs: e.runCount,
          statuses,
        };
      });
      emit(io, opts, { type: 'experiments', db: lab.dbPath, experiments: rows }, () =>
        rows.length
          ? table(
              ['ID', 'NAME', 'CREATED', 'RUNS', 'STATUS'],
              rows.map((r) => [
                expId(r.id),
                r.name,
                stamp(new Date(r.createdAt).toISOString()),
                String(r.runs),
                Object.entries(r.statuses)
                  .map(([s, n]) => `${n} ${s}`)
                  .join(', '),
              ]),
            )
          : `no experiments in ${lab.dbPath}`,
      );
      return EXIT.OK;
    },
    true,
  );
}

function runText(r: RunDetail): string {
  const safe = terminalSafe;
  return [
    `${runId(r.id)}  ${safe(r.name)}  of ${expId(r.experimentId)}`,
    `status: ${r.status}${r.statusReason ? ` — ${safe(r.statusReason)}` : ''}`,
    r.error && r.error !== r.statusReason ? `error: ${safe(r.error)}` : '',
    `seeds: init ${r.initSeed}, data ${r.dataSeed}`,
    r.parent ? `fine-tuned from: ${parentText(r.parent)}` : '',
    `backend: ${r.backend || '—'} ${r.device ? `(${safe(r.device)})` : ''}`,
    `step ${r.step}/${r.totalSteps}, loss ${fmtLoss(r.finalLoss)}, eval loss ${fmtLoss(r.evalLoss)}`,
    `checkpoints at steps: ${r.checkpointSteps.join(', ') || 'none'}`,
    `batch hash: ${r.batchHash ?? '—'}`,
    `metrics: ${r.metricNames.map(safe).join(', ') || 'none'}`,
    `config: ${safe(JSON.stringify(r.variant))}`,
  ]
    .filter(Boolean)
    .join('\n');
}

export async function showCommand(ref: string, opts: GlobalOptions, io: CliIO): Promise<ExitCode> {
  const target = parseRef(ref, 'experiment');
  return withLab(
    opts,
    io,
    async (lab) => {
      if (target.kind === 'run') {
        const r = await lab.call('getRun', { id: target.id });
        emit(io, opts, { type: 'run', run: r, summary: runLine(r), metrics: r.metricNames }, () =>
          runText(r),
        );
        return EXIT.OK;
      }
      const { runs: detailRuns, ...e } = await lab.call('getExperiment', { id: target.id });
      const runs = detailRuns.map(runLine);
      const experiment = { ...e, createdAt: Date.parse(e.createdAt) };
      emit(io, opts, { type: 'experiment', experiment, runs }, () =>
        [
          `${expId(e.id)}  ${terminalSafe(e.name)}  (created ${e.createdAt}, ${e.status})`,
          e.notes ? `notes: ${terminalSafe(e.notes)}` : '',
          table(
            ['RUN', 'NAME', 'FROM', 'STATUS', 'STEP', 'LOSS', 'EVAL', 'BATCH HASH'],
            runs.map((r) => [
              runId(r.id),
              r.name,
              parentText(r.parent),
              r.status + (r.statusReason ? ` (${r.statusReason})` : ''),
              `${r.step}/${r.totalSteps}`,
              fmtLoss(r.loss),
              fmtLoss(r.evalLoss),
              r.batchHash ? r.batchHash.slice(0, 16) : '—',
            ]),
          ),
        ]
          .filter(Boolean)
          .join('\n'),
      );
      return EXIT.OK;
    },
    true,
  );
}
