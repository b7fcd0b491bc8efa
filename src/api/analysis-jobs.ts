/**
 * Runs the analysis step (src/experiments/analysis) for the UI: one analysis at a time per lab,
 * in this process, with its progress relayed as `analysis.progress` events. The compute backend
 * is initialised lazily on first use, so a lab that never analyses never loads tfjs.
 *
 * Why in-process and not in the training worker: the worker protocol has no analysis message
 * yet; the analysis of a tiny or small experiment takes seconds. A long analysis does keep this
 * process busy between its awaits (see the report of the UI work for the follow-up).
 */
import type { Measure } from '../experiments/spec/spec';
import type { BackendChoice } from '../experiments/execution/worker/protocol';
import type { BackendInfo } from '../core/engine/types';
import { ApiFailure, notFound } from './errors';
import type { AnalysisOutcome } from './types';
import type { LabContext } from './lab-context';

type Emit = (
  done: number,
  message: string,
  error?: string | null,
  result?: AnalysisOutcome,
) => void;

/** Granularity of the progress events (done / total). */
const TOTAL = 1000;

export interface AnalysisRequest {
  experimentId: number;
  measures?: readonly Measure[];
  steps?: 'final' | 'all' | readonly number[];
  maxTokens?: number;
}

export class AnalysisJobs {
  private running = new Set<number>();
  /** Analyses run one after another: they share one tfjs backend and one store writer. */
  private chain: Promise<void> = Promise.resolve();
  private backendReady: Promise<BackendInfo> | null = null;

  constructor(
    private readonly ctx: LabContext,
    private readonly backend: BackendChoice = 'auto',
  ) {}

  /** Experiments being analysed now. */
  get active(): number[] {
    return [...this.running];
  }

  /**
   * Starts an analysis in the background; throws at once for a missing experiment, one that is
   * training, or one already being analysed. Completion and errors arrive as events; the
   * returned promise settles when this analysis has ended (it never rejects).
   */
  start(req: AnalysisRequest): Promise<void> {
    const { ctx } = this;
    const id = req.experimentId;
    if (!ctx.store.experiments.get(id)) throw notFound('Experiment', String(id));
    if (ctx.runner.active?.experimentId === id || ctx.runner.queued.includes(id))
      throw new ApiFailure('conflict', 'The experiment is training; analyse it when it is done.');
    if (this.running.has(id))
      throw new ApiFailure('conflict', 'This experiment is already being analysed.');
    this.running.add(id);
    const emit: Emit = (done, message, error = null, result) =>
      ctx.events.emit({
        type: 'analysis.progress',
        experimentId: id,
        done,
        total: TOTAL,
        message,
        error,
        ...(result ? { result } : {}),
      });
    emit(0, this.running.size > 1 ? 'waiting for the analysis before it' : 'starting the analysis');
    const job = this.chain
      .then(() => this.run(req, emit))
      .catch((err: unknown) => {
        const msg = err instanceof Error ? err.message : String(err);
        ctx.log(`homolab: analysis of experiment ${id} failed: ${msg}`);
        emit(TOTAL, 'analysis failed', msg);
      })
      .finally(() => this.running.delete(id));
    this.chain = job;
    return job;
  }

  private async run(req: AnalysisRequest, emit: Emit): Promise<void> {
    // Loaded on demand: tfjs and the model code are heavy and only analysis needs them here.
    const [{ analyzeExperiment }, { initBackend }] = await Promise.all([
      import('../experiments/analysis'),
      import('../core/engine'),
    ]);
    // 'auto' means wasm here: probe-set forward passes are small, and probing for a GPU in the
    // UI's process would load Dawn / libtensorflow next to the training worker's.
    this.backendReady ??= initBackend(this.backend === 'auto' ? 'wasm' : this.backend).catch(
      (err: unknown) => {
        this.backendReady = null; // a later analysis tries again
        throw err;
      },
    );
    const info = await this.backendReady;
    const result = await analyzeExperiment(this.ctx.store, req.experimentId, {
      measures: req.measures,
      steps: req.steps,
      maxTokens: req.maxTokens,
      onProgress: (p) =>
        p.phase !== 'done' || p.step !== null
          ? emit(Math.min(TOTAL - 1, Math.round(p.fraction * TOTAL)), p.message)
          : undefined,
    });
    const notes = result.notes.length ? ` (${result.notes.join('; ')})` : '';
    emit(
      TOTAL,
      `analysis done: ${result.created} results stored, ${result.reused} reused${notes}`,
      null,
      {
        backend: info.backend,
        device: info.device,
        steps: result.steps,
        runIds: result.runIds,
        created: result.created,
        reused: result.reused,
        samplesCreated: result.samplesCreated,
        ms: result.ms,
        probe: { hash: result.probe.hash, repTokens: result.probe.repTokens },
        notes: result.notes,
      },
    );
  }
}
