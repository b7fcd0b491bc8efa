/** Running the lab's analysis step (run-analysis.ts) for a study, with progress relayed. */
import {
  analyzeExperiment,
  type AnalyzeOptions,
  type AnalyzeResult,
} from '../analysis/run-analysis';
import { ensureAnalysisBackend, phase } from './train';
import type { StudyContext } from './types';

export async function analyze(
  ctx: StudyContext,
  study: string,
  experimentId: number,
  opts: AnalyzeOptions,
): Promise<AnalyzeResult> {
  await ensureAnalysisBackend(ctx);
  phase(
    ctx,
    study,
    'analyze',
    `analysing exp-${experimentId} (${(opts.measures ?? []).join(', ')})`,
  );
  return analyzeExperiment(ctx.store, experimentId, {
    ...opts,
    onProgress: (progress) => ctx.onEvent?.({ type: 'analysis', study, progress }),
  });
}
