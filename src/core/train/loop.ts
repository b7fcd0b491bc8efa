/**
 * The training loop around `Trainer.trainStep`: schedule of steps, periodic evaluation,
 * progress callbacks, cancellation and divergence handling, for scripts and tests that train a
 * `Trainer` directly (callbacks are awaited, so a checkpoint taken in `onProgress` sees the
 * state right after that step). The lab's training worker (execution/worker/train-job.ts)
 * drives `trainStep` itself: it interleaves store writes, pause and lockstep restacking.
 */
import type { EvalResult, MemberBatches, StepResult, Trainer } from './trainer';

export interface ProgressEvent {
  /** Completed steps. */
  step: number;
  totalSteps: number;
  losses: number[];
  gradNorms: number[];
  lr: number;
  /** Aggregate throughput over all members (K·B·T per step), smoothed over the run so far. */
  tokensPerSecond: number;
  msPerStep: number;
}

export interface EvalEvent extends EvalResult {
  step: number;
}

export interface TrainLoopOptions {
  /** Train until `trainer.step` reaches this. */
  steps: number;
  /** The batch(es) for the update with 0-based index `step`. The caller owns data order. */
  nextBatch: (step: number) => MemberBatches;
  /** Validation batches, evaluated every `evalEvery` steps and after the last step. */
  evalBatches?: MemberBatches[];
  evalEvery?: number;
  onProgress?: (e: ProgressEvent) => void | Promise<void>;
  onEval?: (e: EvalEvent) => void | Promise<void>;
  signal?: AbortSignal;
}

export type TrainOutcome =
  | { status: 'completed' | 'cancelled'; step: number; lastEval?: EvalEvent }
  | {
      status: 'diverged';
      step: number;
      member: number;
      message: string;
      lastEval?: EvalEvent;
    };

/** Runs steps until done, cancelled (checked before every step) or diverged. */
export async function runTraining(trainer: Trainer, o: TrainLoopOptions): Promise<TrainOutcome> {
  let lastEval: EvalEvent | undefined;
  let tokens = 0;
  let ms = 0;
  let steps = 0;
  const evaluate = async () => {
    if (!o.evalBatches?.length) return;
    lastEval = { step: trainer.step, ...(await trainer.evaluate(o.evalBatches)) };
    await o.onEval?.(lastEval);
  };
  while (trainer.step < o.steps) {
    if (o.signal?.aborted) return { status: 'cancelled', step: trainer.step, lastEval };
    const r: StepResult = await trainer.trainStep(o.nextBatch(trainer.step));
    if (r.status === 'diverged' && r.diverged)
      return {
        status: 'diverged',
        step: r.diverged.step,
        member: r.diverged.member,
        message: r.diverged.message,
        lastEval,
      };
    tokens += r.tokens;
    ms += r.ms;
    steps += 1;
    await o.onProgress?.({
      step: r.step,
      totalSteps: o.steps,
      losses: r.losses,
      gradNorms: r.gradNorms,
      lr: r.lr,
      tokensPerSecond: ms > 0 ? (tokens * 1000) / ms : 0,
      msPerStep: ms / steps,
    });
    if (o.evalEvery && trainer.step % o.evalEvery === 0 && trainer.step < o.steps) await evaluate();
  }
  await evaluate();
  return { status: 'completed', step: trainer.step, lastEval };
}
