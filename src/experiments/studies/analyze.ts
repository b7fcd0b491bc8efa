/**
 * Running the lab's analysis step for a study through the lab service: queued with the lab's
 * other work, computed in its worker processes, progress relayed.
 */
import type { AnalyzeOptions, AnalyzeResult } from '../analysis/run-analysis';
import { phase } from './train';
import type { StudyContext } from './types';

export async function analyze(
  ctx: StudyContext,
  study: string,
  experimentId: number,
  opts: AnalyzeOptions,
): Promise<AnalyzeResult> {
  phase(
    ctx,
    study,
    'analyze',
    `analysing exp-${experimentId} (${(opts.measures ?? []).join(', ')})`,
  );
  const { onProgress, ...options } = opts;
  return ctx.lab.analyze(
    { experimentId, ...options },
    {
      onProgress: (u) => {
        if (!u.progress) return;
        onProgress?.(u.progress);
        ctx.onEvent?.({ type: 'analysis', study, progress: u.progress });
      },
    },
  );
}
