/**
 * Progress of one training session across every job its workers train at once: steps done per
 * run, throughput, training wall time (the worker's, which continues across resumes), and
 * smoothed ETAs (eta.ts) for the session and each run.
 */
import { EtaSmoother } from './eta';
import type { ExperimentProgress } from './events';
import type { PlannedJob } from './plan';
import type { RunProgress } from './worker/protocol';

export class ProgressTracker {
  private steps = new Map<number, number>();
  private totals = new Map<number, number>();
  private finished = new Set<number>();
  private tokensPerSec = new Map<number, number>();
  private wall = new Map<number, number>();
  private readonly eta = new EtaSmoother();
  private readonly runEta = new Map<number, EtaSmoother>();

  constructor(
    private readonly experimentId: number,
    jobs: PlannedJob[],
    private readonly now: () => number = Date.now,
  ) {
    for (const j of jobs)
      for (const id of j.runIds) {
        this.steps.set(id, j.fromStep);
        this.totals.set(id, j.totalSteps);
      }
  }

  step(runId: number): number {
    return this.steps.get(runId) ?? 0;
  }

  wallMs(runId: number): number | null {
    return this.wall.get(runId) ?? null;
  }

  jobStart(runIds: number[], startStep: number, wallMs: number): void {
    for (const id of runIds) {
      this.steps.set(id, startStep);
      this.wall.set(id, wallMs);
      this.runEta.set(id, new EtaSmoother());
    }
  }

  /** Records a job's progress; returns each run's progress with its smoothed ETA. */
  progress(runs: RunProgress[], wallMs: number): RunProgress[] {
    return runs.map((r) => {
      this.steps.set(r.runId, r.step);
      this.totals.set(r.runId, r.totalSteps);
      this.tokensPerSec.set(r.runId, r.tokensPerSec);
      this.wall.set(r.runId, wallMs);
      const s = this.runEta.get(r.runId) ?? new EtaSmoother();
      this.runEta.set(r.runId, s);
      return { ...r, etaSec: r.etaSec === null ? s.current : s.next(r.etaSec) };
    });
  }

  runEnd(runId: number, step: number, wallMs: number | null): void {
    this.steps.set(runId, step);
    if (wallMs !== null) this.wall.set(runId, wallMs);
    this.finished.add(runId);
    this.tokensPerSec.delete(runId);
    this.runEta.delete(runId);
  }

  summary(): ExperimentProgress {
    let done = 0;
    let total = 0;
    for (const [id, t] of this.totals) {
      total += t;
      done += this.finished.has(id) ? t : Math.min(t, this.steps.get(id) ?? 0);
    }
    // Every worker's runs together: the pool's aggregate rate drives the session's ETA.
    const tokensPerSec = [...this.tokensPerSec.values()].reduce((a, b) => a + b, 0);
    const etaSec = this.eta.update(done, total, this.now());
    return {
      experimentId: this.experimentId,
      runCount: this.totals.size,
      finishedRuns: this.finished.size,
      stepsDone: done,
      stepsTotal: total,
      tokensPerSec,
      etaSec: tokensPerSec > 0 ? etaSec : null,
    };
  }
}
