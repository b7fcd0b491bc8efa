/**
 * `homolab run <spec.json>` — validate a spec, create the experiment, print the cost estimate
 * and train it in a worker process, showing progress. Also `homolab resume <run|exp-N>`.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Store } from '../../../db/store';
import { buildDataset } from '../../core/data';
import { createExperiment } from '../../experiments/spec/create';
import { estimateCost, type BackendName, type CostEstimate } from '../../experiments/spec/estimate';
import {
  costGate,
  CostGateError,
  enforceCostGate,
  variantsOfRuns,
  type CostVerdict,
} from '../../experiments/spec/cost-gate';
import { storeDiskUsage } from '../../../db/disk-usage';
import type { ExperimentOutcome } from '../../experiments/execution/events';
import { parseSpecText } from '../../experiments/spec/parse-spec';
import { ExperimentRunner } from '../../experiments/execution/runner';
import type { ExperimentSpec } from '../../experiments/spec/spec';
import { SpecValidationError } from '../../experiments/spec/spec-errors';
import { groupLockstep, type Variant } from '../../experiments/spec/variants';
import { nodeWorkerFactory } from '../../experiments/execution/worker/node-host';
import { BACKEND_CHOICES, type BackendChoice } from '../../experiments/execution/worker/protocol';
import { type CliIO, type GlobalOptions, openCliStore } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { fmtCount, fmtDuration } from '../format';
import { expId, parseRef, runId } from '../ids';
import { jsonLine, jsonLinesSink, terminalSink } from '../progress';

export interface TrainOptions extends GlobalOptions {
  backend?: string;
  maxGroup?: string;
  lockstep?: boolean;
  /** Go past the cost gate's confirmation (long jobs, memory short now). */
  yes?: boolean;
}

export function parseBackend(b: string | undefined): BackendChoice {
  const v = (b ?? 'auto') as BackendChoice;
  if (!BACKEND_CHOICES.includes(v))
    throw new CliError(
      `unknown backend '${b}'; choose one of ${BACKEND_CHOICES.join(', ')}`,
      EXIT.USAGE,
    );
  return v;
}

/** Reads and validates a spec file; a text-file dataset path is made absolute (spec-relative). */
export function loadSpecFile(file: string): { spec: ExperimentSpec; variants: Variant[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, EXIT.NOT_FOUND);
  }
  try {
    const parsed = parseSpecText(text);
    const ds = parsed.spec.dataset;
    if (ds.kind === 'text-file' && !isAbsolute(ds.path))
      ds.path = resolve(dirname(resolve(file)), ds.path);
    return parsed;
  } catch (e) {
    if (e instanceof SpecValidationError)
      throw new CliError(
        `invalid spec ${file}: ${e.issues.map((i) => `${i.path || '(spec)'}: ${i.message}`).join('; ')}`,
        EXIT.INVALID_INPUT,
        { issues: e.issues },
      );
    throw e;
  }
}

/**
 * Cost estimate of a validated spec (builds the dataset to learn the vocabulary size). With
 * `gate`, the cost gate runs too: a job this machine cannot hold is refused, a costly one
 * needs `confirmed` (--yes).
 */
export async function estimateSpec(
  spec: ExperimentSpec,
  variants: Variant[],
  backend: BackendChoice,
  maxGroup?: number,
  gate?: { confirmed: boolean },
): Promise<CostEstimate> {
  let vocab: number;
  try {
    vocab = (await buildDataset(spec.dataset)).vocabSize;
  } catch (e) {
    throw new CliError(`dataset: ${(e as Error).message}`, EXIT.INVALID_INPUT);
  }
  if (gate)
    passCostGate(
      costGate({ variants, vocabSize: vocab, backend, maxGroupSize: maxGroup }),
      gate.confirmed,
    );
  const b: BackendName = backend === 'auto' ? 'wasm' : backend;
  const est = estimateCost(groupLockstep(variants, maxGroup), vocab, b);
  if (backend === 'auto') est.notes.push('backend auto: time shown for wasm, the usual CPU choice');
  return est;
}

/** The cost gate's refusal as a CLI error (bad input: the job asks more than this machine has). */
function passCostGate(verdict: CostVerdict, confirmed: boolean): void {
  try {
    enforceCostGate(verdict, confirmed);
  } catch (e) {
    if (!(e instanceof CostGateError)) throw e;
    const more = e.kind === 'needs_confirmation' ? ' Run again with --yes to go ahead.' : '';
    throw new CliError(e.message + more, EXIT.INVALID_INPUT, { issues: verdict.issues });
  }
}

export function estimateText(est: CostEstimate): string {
  return (
    `${est.runCount} runs in ${est.groupCount} lockstep group(s); ` +
    `${fmtCount(est.parameters)} parameters in all; ${fmtCount(est.tokens)} tokens; ` +
    `${fmtCount(est.flops)}FLOP; about ${fmtDuration(est.seconds)} on ${est.backend} (rough)`
  );
}

/** Trains an experiment's runs with progress output; returns the outcome. */
export async function trainWithProgress(
  store: Store,
  experimentId: number,
  opts: TrainOptions,
  io: CliIO,
  start: { resume?: boolean; runIds?: number[] } = {},
): Promise<ExperimentOutcome> {
  const runner = new ExperimentRunner({
    store,
    dbPath: store.path,
    workerFactory: nodeWorkerFactory(),
    backend: parseBackend(opts.backend),
    maxGroupSize: opts.maxGroup ? Number(opts.maxGroup) : undefined,
    lockstep: opts.lockstep,
  });
  const names = new Map(store.runs.listByExperiment(experimentId).map((r) => [r.id, r.name]));
  const live = !opts.json && Boolean(io.stdout.isTTY);
  const sink = opts.json ? jsonLinesSink(io.stdout) : terminalSink(io.stdout, names, live);
  const off = runner.on((e) => sink.event(e));
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    runner.cancel(experimentId, 'cancelled (Ctrl-C)');
    if (interrupts > 1) process.exit(EXIT.SIGINT);
  };
  process.on('SIGINT', onSigint);
  try {
    const outcome = await runner.start(experimentId, start);
    sink.close();
    return outcome;
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

function finish(
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

export async function runCommand(file: string, opts: TrainOptions, io: CliIO): Promise<ExitCode> {
  const backend = parseBackend(opts.backend);
  const { spec, variants } = loadSpecFile(file);
  const est = await estimateSpec(
    spec,
    variants,
    backend,
    opts.maxGroup ? Number(opts.maxGroup) : undefined,
    { confirmed: opts.yes === true },
  );
  const store = openCliStore(opts);
  try {
    const disk = storeDiskUsage(store.path).warning;
    if (disk) io.stderr.write(`homolab: warning: ${disk}\n`);
    const created = createExperiment(store, spec);
    const id = created.experiment.id;
    if (opts.json)
      io.stdout.write(
        jsonLine({
          type: 'experiment-created',
          experimentId: id,
          runIds: created.runs.map((r) => r.id),
          db: store.path,
          estimate: est,
        }),
      );
    else
      io.stdout.write(
        `${expId(id)} "${spec.name}" in ${store.path}\n` +
          `${created.runs.map((r) => `${runId(r.id)} ${r.name}`).join(', ')}\n` +
          `estimate: ${estimateText(est)}\n`,
      );
    const outcome = await trainWithProgress(store, id, opts, io);
    return finish(io, opts, id, outcome);
  } finally {
    store.close();
  }
}

export async function resumeCommand(ref: string, opts: TrainOptions, io: CliIO): Promise<ExitCode> {
  const target = parseRef(ref, 'run');
  const store = openCliStore(opts, true);
  try {
    let experimentId: number;
    let runIds: number[] | undefined;
    if (target.kind === 'run') {
      const run = store.runs.get(target.id);
      if (!run) throw new CliError(`no run ${runId(target.id)}`, EXIT.NOT_FOUND);
      if (run.status !== 'interrupted' && run.status !== 'queued')
        throw new CliError(
          `${runId(run.id)} is ${run.status}; only interrupted or queued runs can be resumed`,
          EXIT.INVALID_INPUT,
        );
      experimentId = run.experimentId;
      runIds = [run.id];
    } else {
      if (!store.experiments.get(target.id))
        throw new CliError(`no experiment ${expId(target.id)}`, EXIT.NOT_FOUND);
      experimentId = target.id;
      const runnable = store.runs
        .listByExperiment(experimentId)
        .filter((r) => r.status === 'interrupted' || r.status === 'queued');
      if (!runnable.length)
        throw new CliError(
          `${expId(experimentId)} has no interrupted or queued runs to resume`,
          EXIT.INVALID_INPUT,
        );
    }
    // Resuming repeats what the runs need: refuse what cannot fit (e.g. a run stored before
    // the limits existed); the time was confirmed when the experiment was created.
    const variants = variantsOfRuns(
      store.runs.listByExperiment(experimentId).filter((r) => !runIds || runIds.includes(r.id)),
    );
    const dataset = (store.experiments.require(experimentId).spec as { dataset?: unknown }).dataset;
    const vocab =
      variants.find((v) => v.model.vocabSize)?.model.vocabSize ??
      (await buildDataset(dataset).then(
        (d) => d.vocabSize,
        () => 0, // the worker reports a dataset that does not build
      ));
    if (variants.length)
      passCostGate(
        costGate({
          variants,
          vocabSize: vocab,
          backend: parseBackend(opts.backend),
          maxGroupSize: opts.maxGroup ? Number(opts.maxGroup) : undefined,
        }),
        true,
      );
    const outcome = await trainWithProgress(store, experimentId, opts, io, {
      resume: true,
      runIds,
    });
    return finish(io, opts, experimentId, outcome);
  } finally {
    store.close();
  }
}
