/**
 * The analysis step: for an experiment in the store, at chosen checkpoint steps, rebuild every
 * run's model from its checkpoint, run the fixed probe set, compute the selected measures and
 * store them as analyses (and generations as samples). Computed once: a group whose key
 * (keys.ts) is already stored is reused, not recomputed. What is stored, and how it is read
 * back, is rows.ts.
 *
 * A planner (plan.ts) decides measures, runs and steps; per step one producer per measure
 * family (producers/) computes what is not stored yet, sharing that step's checkpoint weights
 * and probe activations (session.ts), which are loaded only if a producer needs them.
 */
import { planAnalysis } from './plan';
import { generations } from './producers/generations';
import { heldOut } from './producers/held-out';
import { outputs } from './producers/outputs';
import type { StepProducer } from './producers/producer';
import { representations } from './producers/representations';
import { vsFinal } from './producers/vs-final';
import { alignedWeights, spectra, weightTrajectories } from './producers/weights';
import { AnalysisSession } from './session';
import type { AnalysisStore, AnalyzeOptions, AnalyzeResult } from './types';

export { resolveSteps } from './plan';
export type {
  AnalysisProgress,
  AnalysisStore,
  AnalyzeOptions,
  AnalyzeResult,
  GenerationOptions,
} from './types';

/** In order: later producers reuse the activations and weights the earlier ones loaded. */
const STEP_PRODUCERS: readonly StepProducer[] = [
  representations,
  vsFinal,
  outputs,
  heldOut,
  generations,
  spectra,
  alignedWeights,
];

/** Computes (or reuses) the experiment's analyses; see rows.ts for what is stored. */
export async function analyzeExperiment(
  store: AnalysisStore,
  experimentId: number,
  opts: AnalyzeOptions = {},
): Promise<AnalyzeResult> {
  const t0 = performance.now();
  const plan = planAnalysis(store, experimentId, opts);
  const result: AnalyzeResult = {
    experimentId,
    steps: plan.steps,
    runIds: plan.runs.map((r) => r.id),
    probe: { hash: '', sequences: 0, contextLength: 0, repTokens: 0, scoredTokens: 0 },
    created: 0,
    reused: 0,
    samplesCreated: 0,
    ms: 0,
    timings: {},
    notes: [],
  };
  if (!plan.runs.length) {
    result.notes.push('no run of this experiment has a checkpoint yet: nothing to analyse');
    result.ms = performance.now() - t0;
    return result;
  }
  const progress = opts.onProgress;
  progress?.({
    type: 'analysis-progress',
    experimentId,
    phase: 'prepare',
    step: null,
    fraction: 0,
    message: `building the probe set for ${plan.runs.length} runs, ${plan.steps.length} step(s)`,
  });
  const session = await AnalysisSession.open(store, plan, opts, result);

  for (let si = 0; si < plan.steps.length; si++) {
    const step = plan.steps[si];
    const at = session.at(step, (x) => (si + x) / plan.steps.length);
    const left = session.models.length - at.here.length;
    if (left)
      session.note(`step ${step}: ${left} run(s) have no checkpoint there and are left out`);
    const work = STEP_PRODUCERS.map((p) => p.prepare(at));
    for (const w of work) result.reused += w.reused;
    const todo = work.filter((w) => w.run);
    if (!todo.length) {
      session.progress(
        'done',
        step,
        at.frac(1),
        `step ${step}: every analysis already stored (reused)`,
      );
      continue;
    }
    for (const w of todo) await w.run!();
    session.progress('done', step, at.frac(1), `step ${step}: done`);
  }
  await weightTrajectories(session);

  result.ms = performance.now() - t0;
  session.progress(
    'done',
    null,
    1,
    `analysis done: ${result.created} stored, ${result.reused} reused`,
  );
  return result;
}
