/**
 * One slice of an analysis inside a worker process: `analyzeExperiment` over the slice's steps,
 * measures and runs, its progress streamed to the main side (at most every 200 ms, plus every
 * step's end), its result or error sent back when it ends.
 */
import type { Store } from '../../../../db/store';
import { analyzeExperiment } from '../../analysis/run-analysis';
import type { AnalysisTask, WorkerToHost } from './protocol';

const PROGRESS_EVERY_MS = 200;

export async function runAnalysisTask(
  store: Store,
  task: AnalysisTask,
  send: (m: WorkerToHost) => void,
): Promise<void> {
  let last = 0;
  try {
    const result = await analyzeExperiment(store, task.experimentId, {
      ...task.options,
      onProgress: (progress) => {
        const now = performance.now();
        if (progress.phase !== 'done' && now - last < PROGRESS_EVERY_MS) return;
        last = now;
        send({ type: 'analysis-progress', taskId: task.taskId, progress });
      },
    });
    send({ type: 'analysis-end', taskId: task.taskId, result, error: null });
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    send({ type: 'analysis-end', taskId: task.taskId, result: null, error });
  }
}
