/**
 * `homolab run <spec.json>` — create an experiment from a spec file and train it; `homolab
 * resume <run|exp-N>`; `homolab estimate <spec.json>`. All three go through the API's
 * operations (estimateCost, createExperiment, resumeRuns) on the CLI's lab: the same
 * validation, cost estimate and cost gate as the app. This module reads the file and prints.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ApiCallError } from '../../api/client';
import type { CostEstimate } from '../../api/types';
import { type CliIO, emit } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { fmtCount, fmtDuration } from '../format';
import { expId, parseRef, runId } from '../ids';
import { type CliLab, type LabCommandOptions, parseMaxGroup, withLab } from '../lab';
import { jsonLine } from '../progress';
import { followTraining, reportOutcome } from '../training';

export interface TrainOptions extends LabCommandOptions {
  yes?: boolean;
  /** `run-N` or `run-N@step`: every run of the new experiment fine-tunes that checkpoint. */
  from?: string;
}

/** `--from run-N[@step]` → the API's createExperiment `from`. */
function parseFrom(ref: string): { runId: number; step?: number } {
  const [id, step] = ref.split('@');
  const target = parseRef(id, 'run');
  if (target.kind !== 'run' || (step !== undefined && !/^\d+$/.test(step)))
    throw new CliError(`--from expects run-N or run-N@step, got '${ref}'`, EXIT.USAGE);
  return step === undefined ? { runId: target.id } : { runId: target.id, step: Number(step) };
}

/** A spec problem as the CLI prints it: the file, then every field and what is wrong. */
export function specError(file: string, issues: { path: string; message: string }[]): CliError {
  return new CliError(
    `invalid spec ${file}: ${issues.map((i) => `${i.path || '(spec)'}: ${i.message}`).join('; ')}`,
    EXIT.INVALID_INPUT,
    { issues },
  );
}

/**
 * Reads a spec file as JSON; a text-file dataset's relative path is made absolute (relative to
 * the spec file). Validation is the API's.
 */
export function readSpecFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, EXIT.NOT_FOUND);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw specError(file, [{ path: '', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  if (!spec || typeof spec !== 'object' || Array.isArray(spec))
    throw specError(file, [{ path: '', message: 'expected a JSON object' }]);
  const ds = (spec as { dataset?: { kind?: unknown; path?: unknown } }).dataset;
  if (ds?.kind === 'text-file' && typeof ds.path === 'string' && !isAbsolute(ds.path))
    ds.path = resolve(dirname(resolve(file)), ds.path);
  return spec as Record<string, unknown>;
}

/** Runs an API call on a spec; its field errors name the file and drop the `spec.` prefix. */
async function onSpec<T>(file: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ApiCallError && e.code === 'invalid_input' && e.error.issues)
      throw specError(
        file,
        e.error.issues.map((i) => ({ path: i.path.replace(/^spec\.?/, ''), message: i.message })),
      );
    throw e;
  }
}

export function estimateText(est: CostEstimate): string {
  return (
    `${est.runCount} runs in ${est.groupCount} lockstep group(s); ` +
    `${fmtCount(est.parameters)} parameters in all; ${fmtCount(est.tokens)} tokens; ` +
    `${fmtCount(est.flops)}FLOP; about ${fmtDuration(est.seconds)} on ${est.backend}` +
    (est.calibrated ? ` (timed here, ${est.workers} worker(s))` : ' (rough)')
  );
}

function estimateOf(lab: CliLab, file: string, spec: Record<string, unknown>, opts: TrainOptions) {
  return onSpec(file, () =>
    lab.call('estimateCost', {
      spec,
      backend: opts.backend,
      maxGroupSize: parseMaxGroup(opts.maxGroup),
    }),
  );
}

export async function estimateCommand(
  file: string,
  opts: TrainOptions,
  io: CliIO,
): Promise<ExitCode> {
  const spec = readSpecFile(file);
  return withLab(opts, io, async (lab) => {
    const est = await estimateOf(lab, file, spec, opts);
    emit(io, opts, { type: 'estimate', ...est }, () =>
      [estimateText(est), ...est.notes.map((n) => `note: ${n}`)].join('\n'),
    );
    return EXIT.OK;
  });
}

export async function runCommand(file: string, opts: TrainOptions, io: CliIO): Promise<ExitCode> {
  const spec = readSpecFile(file);
  const from = opts.from ? parseFrom(opts.from) : undefined;
  return withLab(opts, io, async (lab) => {
    const est = await estimateOf(lab, file, spec, opts);
    const { experimentId, outcome } = await followTraining(lab, opts, io, {
      start: async () => {
        const created = await onSpec(file, () =>
          lab.call('createExperiment', {
            name: typeof spec.name === 'string' ? spec.name : '',
            spec,
            start: true,
            confirmCost: opts.yes === true,
            ...(from ? { from } : {}),
          }),
        );
        return created.id;
      },
      announce: async (id) => {
        const { runs } = await lab.call('getExperiment', { id });
        if (opts.json)
          io.stdout.write(
            jsonLine({
              type: 'experiment-created',
              experimentId: id,
              runIds: runs.map((r) => r.id),
              db: lab.dbPath,
              estimate: est,
            }),
          );
        else
          io.stdout.write(
            `${expId(id)} "${String(spec.name)}" in ${lab.dbPath}\n` +
              `${runs.map((r) => `${runId(r.id)} ${r.name}`).join(', ')}\n` +
              `estimate: ${estimateText(est)}\n`,
          );
        // The store's disk is short of room for this job's checkpoints.
        if (est.storageWarning) io.stderr.write(`homolab: warning: ${est.storageWarning}\n`);
      },
    });
    return reportOutcome(io, opts, experimentId, outcome);
  });
}

export async function resumeCommand(ref: string, opts: TrainOptions, io: CliIO): Promise<ExitCode> {
  const target = parseRef(ref, 'run');
  return withLab(
    opts,
    io,
    async (lab) => {
      const experimentId =
        target.kind === 'run'
          ? (await lab.call('getRun', { id: target.id })).experimentId
          : target.id;
      const runIds = target.kind === 'run' ? [target.id] : undefined;
      const { outcome } = await followTraining(lab, opts, io, {
        start: async () => {
          await lab.call('resumeRuns', { experimentId, runIds });
          return experimentId;
        },
      });
      return reportOutcome(io, opts, experimentId, outcome);
    },
    true,
  );
}
