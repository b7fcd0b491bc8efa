/**
 * Store rows → the API's summaries: run status as the UI shows it (paused while the session is
 * paused), steps and losses from live progress or the stored metrics, experiment status and
 * progress aggregated over runs.
 */
import type { ExperimentRow, RunRow } from '../../db/types';
import type { LabContext } from './lab-context';
import { resolveMetricName } from './metric-names';
import type { ExperimentStatus, ExperimentSummary, Reason, RunStatus, RunSummary } from './types';

type Flat = Record<string, string | number | boolean | null>;

/** Flattens nested config objects to dotted keys ('model.dModel'). */
export function flatten(obj: unknown, prefix = '', out: Flat = {}): Flat {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] =
      obj === null || typeof obj === 'string' || typeof obj === 'number' || typeof obj === 'boolean'
        ? obj
        : JSON.stringify(obj);
  }
  return out;
}

interface StoredVariantLike {
  axes?: Record<string, string | number | boolean>;
  model?: Record<string, unknown>;
  training?: { steps?: number; tokens?: number; batchSize?: number };
}

/** Total optimizer steps of a run from its stored variant. */
export function totalStepsOf(run: RunRow): number {
  const v = run.variant as unknown as StoredVariantLike;
  const t = v.training ?? {};
  if (typeof t.steps === 'number') return t.steps;
  const ctx = Number((v.model ?? {}).contextLength ?? 0);
  if (typeof t.tokens === 'number' && t.batchSize && ctx)
    return Math.ceil(t.tokens / (t.batchSize * ctx));
  return 0;
}

/** The codes of `waitReason` (the app words each one). */
export const WAIT_REASON_CODES = [
  'paused',
  'group',
  'queue',
  'not_started',
  'worker',
  'memory',
  'starting',
  'analysis',
] as const;

/**
 * The lab service's reason for a wait (English, as the CLI prints it) with a code and params,
 * so the app can word it; a reason not known here keeps its words (code 'other').
 */
export function reasonOf(ctx: LabContext, text: string): Reason {
  const worker = /^waiting for a free worker \((\d+) of (\d+) busy\)/.exec(text);
  if (worker)
    return { code: 'worker', message: text, params: { busy: +worker[1], size: +worker[2] } };
  const memory = /^waiting for memory: a worker needs about (.+), (.+) is free/.exec(text);
  if (memory)
    return { code: 'memory', message: text, params: { need: memory[1], free: memory[2] } };
  if (/^starting a worker/.test(text)) return { code: 'starting', message: text };
  const exp = /^waiting for exp-(\d+) to finish training/.exec(text);
  if (exp) {
    const name = ctx.store.experiments.get(Number(exp[1]))?.name ?? `exp-${exp[1]}`;
    return { code: 'queue', message: `waiting for “${name}” to finish training`, params: { name } };
  }
  if (/^waiting for the analysis before it/.test(text)) return { code: 'analysis', message: text };
  if (/^held\b|^paused\b/.test(text))
    return { code: 'paused', message: 'the experiment is paused; resume it to continue' };
  return { code: 'other', message: text };
}

/** Why a queued run is not training yet, from the lab's queue. */
export function waitReason(ctx: LabContext, run: RunRow): Reason | null {
  if (run.status !== 'queued') return null;
  const t = ctx.lab.status().training.find((x) => x.experimentId === run.experimentId);
  if (!t)
    return { code: 'not_started', message: 'not started: press Start (or Resume) to train it' };
  if (t.state === 'paused' || t.state === 'held')
    return { code: 'paused', message: 'the experiment is paused; resume it to continue' };
  if (t.reason) return reasonOf(ctx, t.reason);
  return {
    code: 'group',
    message: 'waiting for the runs of this experiment before it (one group trains at a time)',
  };
}

function storedBatchHash(ctx: LabContext, runId: number): string | null {
  const hash = ctx.store.checkpoints.latestMeta(runId)?.batchHash;
  return typeof hash === 'string' ? hash : null;
}

export function runSummary(ctx: LabContext, run: RunRow): RunSummary {
  const { store, live, lab } = ctx;
  const v = run.variant as unknown as StoredVariantLike;
  const names = store.metrics.names(run.id);
  const lossName = resolveMetricName('loss', names);
  const evalName = resolveMetricName('evalLoss', names);
  const lastLoss = lossName ? store.metrics.last(run.id, lossName) : undefined;
  const lastEval = evalName ? store.metrics.last(run.id, evalName) : undefined;
  const best = lossName ? store.metrics.best(run.id, lossName) : undefined;
  const l = live.runs.get(run.id);
  const totalSteps = l?.totalSteps ?? totalStepsOf(run);
  const running = run.status === 'running';
  const paused = running && lab.trainingState(run.experimentId) === 'paused';
  const status: RunStatus = paused ? 'paused' : run.status;
  const step =
    running && l ? l.step : run.status === 'completed' ? totalSteps : (lastLoss?.step ?? 0);
  const tokensSeen = running && l ? l.tokens : (lastLoss?.tokens ?? 0);
  const wallTimeMs =
    running && l
      ? l.wallMs
      : (lastLoss?.wallMs ?? (run.startedAt && run.endedAt ? run.endedAt - run.startedAt : 0));
  const finalLoss = running && l && Number.isFinite(l.loss) ? l.loss : (lastLoss?.value ?? null);
  return {
    id: run.id,
    experimentId: run.experimentId,
    name: run.name,
    status,
    axes: v.axes ?? {},
    config: {
      ...flatten({ model: v.model ?? {}, training: v.training ?? {} }),
      initSeed: run.initSeed,
      dataSeed: run.dataSeed,
    },
    step,
    totalSteps,
    tokensSeen,
    wallTimeMs,
    finalLoss,
    evalLoss: lastEval?.value ?? l?.evalLoss ?? null,
    tokensPerSec: running && l ? l.tokensPerSec : null,
    etaSec: running && l ? l.etaSec : null,
    error:
      run.error ??
      (run.status === 'completed' || run.status === 'running' ? null : run.statusReason),
    // Live while training; from the last checkpoint afterwards (also after a restart).
    batchHash: live.batchHashes.get(run.id) ?? storedBatchHash(ctx, run.id),
    backend: run.backend || null,
    parent: run.parentRunId === null ? null : { runId: run.parentRunId, step: run.parentStep },
    bestLoss: best ? Math.min(best.value, finalLoss ?? Infinity) : finalLoss,
    meanTokensPerSec: wallTimeMs > 0 && tokensSeen > 0 ? tokensSeen / (wallTimeMs / 1000) : null,
    waitReason: waitReason(ctx, run),
    tags: run.tags,
    notes: run.notes,
  };
}

/** The experiment's status from its runs and the lab's queue (held = paused while queued). */
export function experimentStatus(
  ctx: LabContext,
  id: number,
  runs: RunSummary[],
): ExperimentStatus {
  const state = ctx.lab.trainingState(id);
  if (state === 'paused' || state === 'held') return 'paused';
  if (state) return state;
  if (runs.length === 0) return 'draft';
  const has = (s: RunStatus) => runs.some((r) => r.status === s);
  if (runs.every((r) => r.status === 'completed')) return 'completed';
  if (has('running')) return 'running';
  if (has('failed') || has('diverged')) return 'failed';
  if (has('interrupted')) return 'interrupted';
  if (has('cancelled')) return 'cancelled';
  if (runs.every((r) => r.status === 'queued')) return 'draft';
  return 'queued';
}

export function experimentSummary(ctx: LabContext, row: ExperimentRow): ExperimentSummary {
  const runs = ctx.store.runs.listByExperiment(row.id).map((r) => runSummary(ctx, r));
  const total = runs.reduce((n, r) => n + r.totalSteps, 0);
  const done = runs.reduce((n, r) => n + Math.min(r.step, r.totalSteps), 0);
  const x = ctx.live.experiments.get(row.id);
  const status = experimentStatus(ctx, row.id, runs);
  const active = status === 'running';
  const spec = row.spec as { dataset?: { kind?: string; name?: string }; preset?: string };
  return {
    id: row.id,
    name: row.name,
    notes: row.notes,
    status,
    createdAt: new Date(row.createdAt).toISOString(),
    runCount: runs.length,
    completedRuns: runs.filter((r) => r.status === 'completed').length,
    progress: total ? done / total : 0,
    tokensPerSec: active ? (x?.tokensPerSec ?? null) : null,
    etaSec: active ? (x?.etaSec ?? null) : null,
    datasetName: String(spec.dataset?.name ?? spec.dataset?.kind ?? '—'),
    presetName: typeof spec.preset === 'string' ? spec.preset : null,
    error: x?.error ?? null,
    finalLoss: mean(runs.map((r) => r.finalLoss)),
    bestLoss: minOf(runs.map((r) => r.bestLoss)),
    queueReason: queueReason(ctx, row.id),
  };
}

const finite = (xs: (number | null)[]) =>
  xs.filter((x): x is number => x !== null && Number.isFinite(x));

function mean(xs: (number | null)[]): number | null {
  const f = finite(xs);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : null;
}

function minOf(xs: (number | null)[]): number | null {
  const f = finite(xs);
  return f.length ? Math.min(...f) : null;
}

/** Why the experiment's training (or else its analysis) waits, while it does. */
function queueReason(ctx: LabContext, id: number): string | null {
  const s = ctx.lab.status();
  const t = s.training.find((x) => x.experimentId === id);
  if (t) return t.runningJobs ? null : t.reason;
  return s.analyses.find((a) => a.experimentId === id && a.state === 'queued')?.reason ?? null;
}
