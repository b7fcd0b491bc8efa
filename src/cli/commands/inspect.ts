/** `homolab list` and `homolab show <experiment|run>`. */
import type { Store } from '../../../db/store';
import type { RunRow } from '../../../db/types';
import { storedVariant } from '../../experiments/spec/create';
import { type CliIO, emit, type GlobalOptions, withStore } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { fmtLoss, table } from '../format';
import { terminalSafe } from '../../core/text/terminal-safe';

/** Stored text (names, notes, errors) as it may be printed: control and bidi chars escaped. */
const safe = (s: string) => terminalSafe(s);
import { expId, parseRef, runId } from '../ids';

/** A run's headline numbers: last step, last losses, batch hash (from its last checkpoint). */
export function runSummary(store: Store, r: RunRow) {
  const loss = store.metrics.last(r.id, 'loss');
  const evalLoss = store.metrics.last(r.id, 'eval_loss');
  const cps = store.checkpoints.list(r.id);
  const last = cps.length ? store.checkpoints.get(cps[cps.length - 1].id) : null;
  const v = storedVariant(r);
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    statusReason: r.statusReason,
    error: r.error,
    initSeed: r.initSeed,
    dataSeed: r.dataSeed,
    axes: v.axes,
    step: loss?.step ?? 0,
    totalSteps: v.training.steps,
    loss: loss?.value ?? null,
    evalLoss: evalLoss?.value ?? null,
    checkpoints: cps.map((c) => c.step),
    batchHash: (last?.meta?.batchHash as string | undefined) ?? null,
    backend: r.backend,
    device: r.device,
  };
}

export async function listCommand(opts: GlobalOptions, io: CliIO): Promise<ExitCode> {
  return withStore(
    opts,
    (store) => {
      const rows = store.experiments.list().map((e) => {
        const runs = store.runs.listByExperiment(e.id);
        const counts: Record<string, number> = {};
        for (const r of runs) counts[r.status] = (counts[r.status] ?? 0) + 1;
        return {
          id: e.id,
          name: e.name,
          createdAt: e.createdAt,
          runs: runs.length,
          statuses: counts,
        };
      });
      emit(io, opts, { type: 'experiments', db: store.path, experiments: rows }, () =>
        rows.length
          ? table(
              ['ID', 'NAME', 'CREATED', 'RUNS', 'STATUS'],
              rows.map((r) => [
                expId(r.id),
                r.name,
                new Date(r.createdAt).toISOString().slice(0, 16).replace('T', ' '),
                String(r.runs),
                Object.entries(r.statuses)
                  .map(([s, n]) => `${n} ${s}`)
                  .join(', '),
              ]),
            )
          : `no experiments in ${store.path}`,
      );
      return EXIT.OK;
    },
    true,
  );
}

export async function showCommand(ref: string, opts: GlobalOptions, io: CliIO): Promise<ExitCode> {
  const target = parseRef(ref, 'experiment');
  return withStore(
    opts,
    (store) => {
      if (target.kind === 'experiment') {
        const e = store.experiments.get(target.id);
        if (!e) throw new CliError(`no experiment ${expId(target.id)}`, EXIT.NOT_FOUND);
        const runs = store.runs.listByExperiment(e.id).map((r) => runSummary(store, r));
        emit(io, opts, { type: 'experiment', experiment: e, runs }, () =>
          [
            `${expId(e.id)}  ${safe(e.name)}  (created ${new Date(e.createdAt).toISOString()})`,
            e.notes ? `notes: ${safe(e.notes)}` : '',
            table(
              ['RUN', 'NAME', 'STATUS', 'STEP', 'LOSS', 'EVAL', 'BATCH HASH'],
              runs.map((r) => [
                runId(r.id),
                r.name,
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
      } else {
        const r = store.runs.get(target.id);
        if (!r) throw new CliError(`no run ${runId(target.id)}`, EXIT.NOT_FOUND);
        const s = runSummary(store, r);
        const metrics = store.metrics.names(r.id);
        emit(io, opts, { type: 'run', run: r, summary: s, metrics }, () =>
          [
            `${runId(r.id)}  ${safe(r.name)}  of ${expId(r.experimentId)}`,
            `status: ${r.status}${r.statusReason ? ` — ${safe(r.statusReason)}` : ''}`,
            r.error ? `error: ${safe(r.error)}` : '',
            `seeds: init ${r.initSeed}, data ${r.dataSeed}`,
            `backend: ${safe(r.backend || '—')} ${r.device ? `(${safe(r.device)})` : ''}`,
            `step ${s.step}/${s.totalSteps}, loss ${fmtLoss(s.loss)}, eval loss ${fmtLoss(s.evalLoss)}`,
            `checkpoints at steps: ${s.checkpoints.join(', ') || 'none'}`,
            `batch hash: ${s.batchHash ?? '—'}`,
            `metrics: ${safe(metrics.join(', ')) || 'none'}`,
            `config: ${safe(JSON.stringify(r.variant))}`,
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }
      return EXIT.OK;
    },
    true,
  );
}
