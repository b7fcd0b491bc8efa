/**
 * Calibration for the cost estimate: a few timed training steps (and one evaluation batch) of
 * the actual config shape — same model, batch, members — on this machine's backend, on random
 * tokens. The first steps compile kernels and are not timed; the median of the rest is the
 * step time (robust to a neighbour process stealing a time slice).
 */
import { currentBackend } from '../../../core/engine';
import { Transformer } from '../../../core/model/transformer';
import { Rng } from '../../../core/rng';
import { randomTokenBatch, Trainer } from '../../../core/train';
import { trainConfigOf } from '../../spec/model-config';
import type { CalibrationTask, WorkerToHost } from './protocol';

const WARMUP_STEPS = 3;
const MIN_STEPS = 5;
const MAX_STEPS = 20;
/** Stop timing after this long once MIN_STEPS are in (a large config's steps are slow). */
const BUDGET_MS = 1500;

export async function runCalibration(
  task: CalibrationTask,
  send: (m: WorkerToHost) => void,
): Promise<void> {
  const { model: config, training, members } = task;
  let model: Transformer | null = null;
  let trainer: Trainer | null = null;
  try {
    model = new Transformer(
      config,
      Array.from({ length: members }, (_, i) => i),
    );
    trainer = new Trainer(model, trainConfigOf(training));
    const rng = new Rng(1);
    const B = training.batchSize;
    const T = config.contextLength;
    const batches = Array.from({ length: 4 }, () => randomTokenBatch(rng, B, T, config.vocabSize));
    for (let i = 0; i < WARMUP_STEPS; i++) await trainer.trainStep(batches[i % batches.length]);
    const times: number[] = [];
    const t0 = performance.now();
    while (
      times.length < MAX_STEPS &&
      (times.length < MIN_STEPS || performance.now() - t0 < BUDGET_MS)
    ) {
      const s = performance.now();
      await trainer.trainStep(batches[times.length % batches.length]);
      times.push(performance.now() - s);
    }
    await trainer.evaluate([batches[0]]); // compiles the forward-only kernels
    const e = performance.now();
    await trainer.evaluate([batches[1]]);
    const evalBatchMs = performance.now() - e;
    times.sort((a, b) => a - b);
    send({
      type: 'calibration',
      taskId: task.taskId,
      result: {
        backend: currentBackend()?.backend ?? 'unknown',
        stepMs: times[Math.floor(times.length / 2)],
        evalBatchMs,
        steps: times.length,
      },
      error: null,
    });
  } catch (e) {
    send({
      type: 'calibration',
      taskId: task.taskId,
      result: null,
      error: e instanceof Error ? e.message : String(e),
    });
  } finally {
    trainer?.dispose();
    model?.dispose();
  }
}
