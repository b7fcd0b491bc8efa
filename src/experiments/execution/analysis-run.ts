/**
 * One analysis on the pool: its slices (analysis-plan.ts) computed by workers in parallel,
 * their progress combined into one fraction, their results merged into one `AnalyzeResult`.
 * The analysis waits while its experiment trains. A slice whose worker dies, or that fails,
 * makes the whole analysis fail with that error once the other slices have ended (what they
 * stored is kept: every analysis group is written in one transaction, and a later analysis
 * reuses it).
 */
import type { AnalysisProgress, AnalyzeResult } from '../analysis/run-analysis';
import {
  nextTaskId,
  type PoolClient,
  type PoolTask,
  type PoolView,
  type WorkerBackend,
  type WorkerLink,
} from './pool';
import type { AnalysisSliceOptions, FatalKind, WorkerToHost } from './worker/protocol';

export interface AnalysisUpdate {
  experimentId: number;
  /** Overall progress in [0, 1]. */
  fraction: number;
  message: string;
  /** Set when the analysis stopped with an error. */
  error: string | null;
  /** True for the last update of this analysis. */
  finished: boolean;
  /** The slice's own progress that caused this update (its fraction made overall), if any. */
  progress: AnalysisProgress | null;
  /** On the last update of a successful analysis: the merged result, and where it ran. */
  result?: AnalyzeResult;
  backend?: WorkerBackend | null;
}

export interface AnalysisHooks {
  update(u: AnalysisUpdate): void;
  /** Why the analysis cannot start now (its experiment trains), or null. */
  blocked(experimentId: number): string | null;
  memoryBytes: number;
  ended(run: AnalysisRun): void;
}

export class AnalysisRun implements PoolClient {
  waitReason: string | null = null;
  readonly done: Promise<AnalyzeResult>;
  private resolve!: (r: AnalyzeResult) => void;
  private reject!: (e: Error) => void;
  private pending: number[];
  private readonly running = new Set<SliceTask>();
  private next: SliceTask | null = null;
  private readonly fractions: number[];
  private readonly results: AnalyzeResult[] = [];
  private error: string | null = null;
  private ended = false;
  /** The backend the slices ran on (the lab's: every worker sets up the same choice). */
  private backend: WorkerBackend | null = null;
  private readonly t0 = performance.now();

  constructor(
    readonly experimentId: number,
    private readonly slices: AnalysisSliceOptions[],
    private readonly hooks: AnalysisHooks,
  ) {
    this.pending = slices.map((_, i) => i);
    this.fractions = slices.map(() => 0);
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    // Callers that only watch events must not see an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get memoryBytes(): number {
    return this.hooks.memoryBytes;
  }

  get state(): 'running' | 'queued' {
    return this.running.size ? 'running' : 'queued';
  }

  get fraction(): number {
    return this.fractions.reduce((a, b) => a + b, 0) / Math.max(1, this.fractions.length);
  }

  peek(view: PoolView): PoolTask | { wait: string } | null {
    void view;
    if (this.ended || this.error || !this.pending.length) return null;
    const blocked = this.hooks.blocked(this.experimentId);
    if (blocked) return { wait: blocked };
    this.next ??= new SliceTask(this, this.pending[0], this.slices[this.pending[0]]);
    return this.next;
  }

  taken(task: PoolTask): void {
    this.pending.shift();
    this.running.add(task as SliceTask);
    this.next = null;
  }

  fail(kind: FatalKind, message: string, advice: string): void {
    void kind;
    for (const t of [...this.running]) if (!t.link) this.running.delete(t);
    this.stop(`${message} — ${advice}`);
  }

  /** Stops the analysis: slices not started are dropped, running ones are killed. */
  cancel(reason: string): void {
    if (this.ended) return;
    this.stop(reason);
    for (const t of this.running) t.link?.kill();
  }

  private stop(error: string): void {
    this.error ??= error;
    this.pending = [];
    this.maybeEnd();
  }

  progress(task: SliceTask, p: AnalysisProgress): void {
    this.fractions[task.index] = p.fraction;
    if (this.ended) return;
    const fraction = Math.min(0.999, this.fraction);
    const workers = this.running.size;
    this.hooks.update({
      experimentId: this.experimentId,
      fraction,
      message: workers > 1 ? `${p.message} (${workers} workers)` : p.message,
      error: null,
      finished: false,
      progress: { ...p, fraction },
    });
  }

  sliceEnded(task: SliceTask, result: AnalyzeResult | null, error: string | null): void {
    if (!this.running.delete(task)) return;
    this.backend ??= task.link?.backend ?? null;
    this.fractions[task.index] = 1;
    if (result) this.results.push(result);
    if (error) this.error ??= error;
    task.link?.release();
    this.maybeEnd();
  }

  private maybeEnd(): void {
    if (this.ended || this.running.size || (this.pending.length && !this.error)) return;
    this.ended = true;
    this.hooks.ended(this);
    if (this.error) {
      this.hooks.update({
        experimentId: this.experimentId,
        fraction: 1,
        message: 'analysis failed',
        error: this.error,
        finished: true,
        progress: null,
      });
      this.reject(new Error(this.error));
      return;
    }
    const r = mergeResults(this.experimentId, this.results, performance.now() - this.t0);
    const notes = r.notes.length ? ` (${r.notes.join('; ')})` : '';
    this.hooks.update({
      experimentId: this.experimentId,
      fraction: 1,
      message: `analysis done: ${r.created} results stored, ${r.reused} reused${notes}`,
      error: null,
      finished: true,
      progress: null,
      result: r,
      backend: this.backend,
    });
    this.resolve(r);
  }
}

/** The slices' results as one: sums, unions, the first probe, notes once each. */
export function mergeResults(
  experimentId: number,
  parts: AnalyzeResult[],
  ms: number,
): AnalyzeResult {
  const timings: Record<string, number> = {};
  for (const p of parts)
    for (const [k, v] of Object.entries(p.timings)) timings[k] = (timings[k] ?? 0) + v;
  const withProbe = parts.find((p) => p.probe.hash) ?? parts[0];
  return {
    experimentId,
    steps: [...new Set(parts.flatMap((p) => p.steps))].sort((a, b) => a - b),
    runIds: [...new Set(parts.flatMap((p) => p.runIds))].sort((a, b) => a - b),
    probe: withProbe
      ? withProbe.probe
      : { hash: '', sequences: 0, contextLength: 0, repTokens: 0, scoredTokens: 0 },
    created: parts.reduce((s, p) => s + p.created, 0),
    reused: parts.reduce((s, p) => s + p.reused, 0),
    samplesCreated: parts.reduce((s, p) => s + p.samplesCreated, 0),
    ms,
    timings,
    notes: [...new Set(parts.flatMap((p) => p.notes))],
  };
}

class SliceTask implements PoolTask {
  readonly memoryBytes: number;
  readonly taskId = nextTaskId();
  link: WorkerLink | null = null;

  constructor(
    private readonly run: AnalysisRun,
    readonly index: number,
    private readonly options: AnalysisSliceOptions,
  ) {
    this.memoryBytes = run.memoryBytes;
  }

  start(link: WorkerLink): void {
    this.link = link;
    link.send({
      type: 'analyze',
      task: { taskId: this.taskId, experimentId: this.run.experimentId, options: this.options },
    });
  }

  message(m: WorkerToHost): void {
    if (m.type === 'analysis-progress' && m.taskId === this.taskId)
      this.run.progress(this, m.progress);
    else if (m.type === 'analysis-end' && m.taskId === this.taskId)
      this.run.sliceEnded(this, m.result, m.error);
  }

  lost(reason: string): void {
    this.run.sliceEnded(this, null, `the analysis worker stopped: ${reason}`);
  }
}
