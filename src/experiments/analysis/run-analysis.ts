/**
 * The analysis step: for an experiment in the store, at chosen checkpoint steps, rebuild every
 * run's model from its checkpoint, run the fixed probe set, compute the selected measures and
 * store them as analyses (and generations as samples). Computed once: an analysis whose key
 * (analysis-keys.ts) is already stored is reused, not recomputed.
 *
 * Stored rows (kind = measure name; runIds = the runs compared, in id order):
 * - representation measures, model × model: one row per layer, `layers` = layer name,
 *   `result = { matrix, warnings }`, `params.view = 'model-matrix'`;
 * - representation measures, layer × layer: one row per run pair, `layers` = null,
 *   `result = { layersA, layersB, matrix, warnings }`, `params.view = 'layer-matrix'`;
 * - the layer-matrix measures within each run against its own final checkpoint, at every
 *   earlier analysed step: one row per run and layer, runIds `[run, run]`,
 *   `result = { value, finalStep }`, `params.view = 'vs-final'` (a convergence trajectory);
 * - output measures: `layers = 'output'`, `result = { matrix }` (loss-difference adds
 *   `meanAbsolute` and per-model `losses`; outcome-homogenization is `{ value, k, errorRates,
 *   allFail }` over all runs);
 * - `spectra`, `aligned-weights`: `layers = 'weights'`, `result = { matrix, … }` (see
 *   weight-tables.ts); `weight-trajectory`: one row per run, step null, `layers = 'weights'`,
 *   measured from the init (a fine-tune's: from its parent checkpoint);
 * - `generations`: samples (store.samples) per run and step, greedy and seeded sampling, with
 *   `params.key` for reuse.
 * Matrices hold null where a value is undefined (NaN) or not applicable.
 */
import type { Store } from '../../../db/store';
import type { Json, JsonObject, RunRow } from '../../../db/types';
import { buildDataset, type Dataset } from '../../core/data';
import type { ModelConfig } from '../../core/model/config';
import {
  checkpointWeights,
  initialWeights,
  weightTrajectory,
  type ModelWeights,
} from '../../core/similarity/model';
import {
  isMeasureName,
  MEASURE_NAMES,
  MEASURES as REGISTRY,
  type MeasureName,
  type MeasureOptions,
} from '../../core/similarity/registry';
import { storedVariant } from '../spec/create';
import { MEASURES as ANALYSIS_MEASURES, type ExperimentSpec, type Measure } from '../spec/spec';
import { modelConfigOf } from '../spec/model-config';
import { probeActivations, stackedModel, type ModelActivations } from './activations';
import { generate, promptsFromRows } from './generate';
import { HELD_OUT_KIND, heldOutScores } from './held-out';
import { analysisKey } from './keys';
import {
  layerNames,
  OUTPUT_MEASURES,
  outputTables,
  RepresentationTables,
  type OutputMeasure,
} from './pairwise';
import { DEFAULT_MAX_TOKENS, probeFromDataset, type Probe } from './probe';
import { alignedTable, spectraTable } from './weight-tables';

export type AnalysisStore = Pick<
  Store,
  'experiments' | 'runs' | 'checkpoints' | 'analyses' | 'samples' | 'transaction'
>;

export interface AnalysisProgress {
  type: 'analysis-progress';
  experimentId: number;
  phase:
    | 'prepare'
    | 'load'
    | 'forward'
    | 'representations'
    | 'layers'
    | 'outputs'
    | 'generations'
    | 'spectra'
    | 'aligned-weights'
    | 'trajectories'
    | 'done';
  step: number | null;
  /** Overall progress in [0, 1]. */
  fraction: number;
  message: string;
}

export interface GenerationOptions {
  /** Prompts (first probe rows), default 4. */
  prompts?: number;
  maxNewTokens?: number;
  temperature?: number;
  seed?: number;
}

export interface AnalyzeOptions {
  /** Default: the experiment spec's `analysis.measures`. */
  measures?: readonly Measure[];
  /** Default: the spec's `analysis.checkpoints` ('final', 'all' or steps). */
  steps?: 'final' | 'all' | readonly number[];
  /** Only these runs (default: every run of the experiment with a checkpoint). */
  runIds?: readonly number[];
  /**
   * Representation measures also computed layer × layer for every run pair (default: linear
   * CKA when selected, else the first selected representation measure).
   */
  layerMeasures?: readonly MeasureName[];
  /** Most representation rows (probe tokens), default 2,048. */
  maxTokens?: number;
  /** Representation measure options (mutual-knn k, rbf-cka/svcca threshold). */
  measureOptions?: MeasureOptions;
  generation?: GenerationOptions;
  /** Loss-barrier interpolation grid (default 0, 0.25, …, 1) and probe rows used (default 16). */
  barrier?: { alphas?: number[]; rows?: number };
  /**
   * Also score every run on the probe at each analysed step (kind `held-out`: exact match,
   * token accuracy, per-token log-likelihood; see held-out.ts). Used by the studies' learn
   * gates; works for a single run too.
   */
  heldOut?: boolean;
  onProgress?: (p: AnalysisProgress) => void;
}

export interface AnalyzeResult {
  experimentId: number;
  steps: number[];
  runIds: number[];
  probe: {
    hash: string;
    sequences: number;
    contextLength: number;
    repTokens: number;
    scoredTokens: number;
  };
  /** Analysis rows written. */
  created: number;
  /** Analysis groups (measure × view × step, or a run's trajectory) found stored and reused. */
  reused: number;
  samplesCreated: number;
  ms: number;
  /** Wall time per phase, ms. */
  timings: Record<string, number>;
  notes: string[];
}

const REP = new Set<string>(MEASURE_NAMES);
const OUT = new Set<string>(OUTPUT_MEASURES);

/** The steps to analyse: 'all' = every checkpoint step; 'final' = the last step all runs share. */
export function resolveSteps(
  checkpointSteps: readonly (readonly number[])[],
  want: 'final' | 'all' | readonly number[],
): number[] {
  const union = [...new Set(checkpointSteps.flat())].sort((a, b) => a - b);
  if (want === 'all') return union;
  if (want === 'final') {
    const common = union.filter((s) => checkpointSteps.every((steps) => steps.includes(s)));
    const pick = common.length ? common : union;
    return pick.length ? [pick[pick.length - 1]] : [];
  }
  return [...new Set(want)].sort((a, b) => a - b);
}

interface RunModel {
  run: RunRow;
  config: ModelConfig;
}

/** Computes (or reuses) the experiment's analyses; see the file comment for what is stored. */
export async function analyzeExperiment(
  store: AnalysisStore,
  experimentId: number,
  opts: AnalyzeOptions = {},
): Promise<AnalyzeResult> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const notes: string[] = [];
  const time = async <T>(phase: string, f: () => Promise<T> | T): Promise<T> => {
    const s = performance.now();
    try {
      return await f();
    } finally {
      timings[phase] = (timings[phase] ?? 0) + performance.now() - s;
    }
  };
  const experiment = store.experiments.require(experimentId);
  const spec = experiment.spec as unknown as ExperimentSpec;
  const measures = [...new Set(opts.measures ?? spec.analysis?.measures ?? [])];
  for (const m of measures)
    if (!(ANALYSIS_MEASURES as readonly string[]).includes(m))
      throw new Error(`unknown measure '${m}'; allowed: ${ANALYSIS_MEASURES.join(', ')}`);
  const repMeasures = measures.filter((m): m is MeasureName => REP.has(m));
  const outMeasures = measures.filter((m): m is OutputMeasure => OUT.has(m));
  const layerMeasures = (
    opts.layerMeasures ??
    (repMeasures.includes('linear-cka') ? ['linear-cka'] : repMeasures.slice(0, 1))
  ).filter((m) => {
    if (!isMeasureName(m)) throw new Error(`unknown layer measure '${m}'`);
    return true;
  });
  const measureOptions: MeasureOptions = opts.measureOptions ?? {};

  let runs = store.runs.listByExperiment(experimentId);
  if (opts.runIds) {
    const want = new Set(opts.runIds);
    for (const id of want)
      if (!runs.some((r) => r.id === id))
        throw new Error(`run ${id} is not part of experiment ${experimentId}`);
    runs = runs.filter((r) => want.has(r.id));
  }
  const cpSteps = new Map(runs.map((r) => [r.id, store.checkpoints.list(r.id).map((c) => c.step)]));
  runs = runs.filter((r) => cpSteps.get(r.id)!.length > 0).sort((a, b) => a.id - b.id);
  const result: AnalyzeResult = {
    experimentId,
    steps: [],
    runIds: runs.map((r) => r.id),
    probe: { hash: '', sequences: 0, contextLength: 0, repTokens: 0, scoredTokens: 0 },
    created: 0,
    reused: 0,
    samplesCreated: 0,
    ms: 0,
    timings,
    notes,
  };
  if (!runs.length) {
    notes.push('no run of this experiment has a checkpoint yet: nothing to analyse');
    result.ms = performance.now() - t0;
    return result;
  }
  const steps = resolveSteps(
    runs.map((r) => cpSteps.get(r.id)!),
    opts.steps ?? spec.analysis?.checkpoints ?? 'final',
  );
  result.steps = steps;
  const progress = (
    phase: AnalysisProgress['phase'],
    step: number | null,
    fraction: number,
    message: string,
  ) =>
    opts.onProgress?.({
      type: 'analysis-progress',
      experimentId,
      phase,
      step,
      fraction: Math.min(1, Math.max(0, fraction)),
      message,
    });
  progress(
    'prepare',
    null,
    0,
    `building the probe set for ${runs.length} runs, ${steps.length} step(s)`,
  );

  const dataset: Dataset = await time('prepare', () => buildDataset(spec.dataset));
  const models: RunModel[] = runs.map((run) => ({
    run,
    config: modelConfigOf(storedVariant(run).model, dataset.vocabSize),
  }));
  const T = Math.min(...models.map((m) => m.config.contextLength));
  const maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
  const probe: Probe = probeFromDataset(dataset, {
    probeSize: spec.analysis?.probeSize ?? 256,
    contextLength: T,
    maxTokens,
  });
  result.probe = {
    hash: probe.hash,
    sequences: probe.batch.batchSize,
    contextLength: T,
    repTokens: probe.repPositions.length,
    scoredTokens: probe.scoredPositions.length,
  };
  const targets = Int32Array.from(probe.scoredPositions, (p) => probe.batch.targets[p]);

  const existing = new Set(
    store.analyses
      .list({ experimentId })
      .map((a) => (a.params as JsonObject).key)
      .filter((k): k is string => typeof k === 'string'),
  );
  const baseParams = (view: string, options: Json): JsonObject => ({
    view,
    probe: probe.hash,
    probeSize: probe.batch.batchSize,
    contextLength: T,
    maxTokens,
    options,
  });
  const keyOf = (kind: string, view: string, step: number | null, ids: number[], options: Json) =>
    analysisKey({ kind, view, step, runIds: ids, probe: probe.hash, options });
  /** Writes one group's rows in one transaction (all or none), unless its key exists. */
  const write = (
    kind: string,
    view: string,
    step: number | null,
    options: Json,
    rows: { runIds: number[]; layers: Json; result: Json }[],
    ids: number[],
  ) => {
    const key = keyOf(kind, view, step, ids, options);
    if (existing.has(key)) return;
    store.transaction(() => {
      for (const r of rows)
        store.analyses.create({
          experimentId,
          kind,
          runIds: r.runIds,
          step,
          layers: r.layers,
          params: { ...baseParams(view, options), key },
          result: r.result,
        });
    });
    existing.add(key);
    result.created += rows.length;
  };
  const repOptions = (m: MeasureName): Json =>
    m === 'mutual-knn'
      ? { k: measureOptions.k ?? 10 }
      : m === 'rbf-cka'
        ? { threshold: measureOptions.threshold ?? 0.5 }
        : m === 'svcca'
          ? { threshold: measureOptions.threshold ?? 0.99 }
          : {};
  const gen = {
    prompts: opts.generation?.prompts ?? 4,
    maxNewTokens: opts.generation?.maxNewTokens ?? 32,
    temperature: opts.generation?.temperature ?? 1,
    seed: opts.generation?.seed ?? 0,
  };
  const barrierRows = opts.barrier?.rows ?? 16;
  const barrierAlphas = opts.barrier?.alphas ?? [0, 0.25, 0.5, 0.75, 1];
  const barrierOptions: Json = { alphas: barrierAlphas, rows: barrierRows };

  const finalStep = (runId: number) => Math.max(...cpSteps.get(runId)!);
  const finalActs = new Map<number, ModelActivations>();
  /** Probe activations of each run's final checkpoint (loaded once, kept for every step). */
  const ensureFinalActivations = async (want: readonly RunModel[]) => {
    const missing = want.filter((m) => !finalActs.has(m.run.id));
    for (const idx of groupByConfig(missing)) {
      const w = idx.map((i) =>
        checkpointWeights(
          store.checkpoints.atStep(missing[i].run.id, finalStep(missing[i].run.id))!.weights,
        ),
      );
      const out = await probeActivations(missing[idx[0]].config, w, probe);
      idx.forEach((i, k) => finalActs.set(missing[i].run.id, out[k]));
    }
  };

  for (let si = 0; si < steps.length; si++) {
    const step = steps[si];
    const frac = (x: number) => (si + x) / steps.length;
    const here = models.filter((m) => cpSteps.get(m.run.id)!.includes(step));
    const ids = here.map((m) => m.run.id);
    if (here.length < models.length)
      notes.push(
        `step ${step}: ${models.length - here.length} run(s) have no checkpoint there and are left out`,
      );
    const pairwise = here.length >= 2;
    const done = (kind: string, view: string, options: Json) =>
      existing.has(keyOf(kind, view, step, ids, options));
    const repTodo = pairwise
      ? repMeasures.filter((m) => !done(m, 'model-matrix', repOptions(m)))
      : [];
    const layerTodo = pairwise
      ? layerMeasures.filter((m) => !done(m, 'layer-matrix', repOptions(m)))
      : [];
    const outTodo = pairwise ? outMeasures.filter((m) => !done(m, 'model-matrix', {})) : [];
    const heldOutTodo =
      Boolean(opts.heldOut) && here.length > 0 && !done(HELD_OUT_KIND, 'models', {});
    if (opts.heldOut && !heldOutTodo) result.reused++;
    const genKey = keyOf('generations', 'samples', step, [], gen);
    const genTodo = measures.includes('generations')
      ? here.filter(
          (m) => !store.samples.list(m.run.id, { step }).some((s) => s.params.key === genKey),
        )
      : [];
    const spectraTodo = measures.includes('spectra') && !done('spectra', 'model-matrix', {});
    const alignedTodo =
      pairwise &&
      measures.includes('aligned-weights') &&
      !done('aligned-weights', 'model-matrix', barrierOptions);
    if (pairwise)
      result.reused +=
        repMeasures.length -
        repTodo.length +
        (layerMeasures.length - layerTodo.length) +
        (outMeasures.length - outTodo.length) +
        (measures.includes('aligned-weights') && !alignedTodo ? 1 : 0);
    if (measures.includes('spectra') && !spectraTodo) result.reused++;
    if (measures.includes('generations') && !genTodo.length) result.reused++;
    // Within-run trajectories: each run at this step against its own final checkpoint.
    const trajRuns = here.filter((m) => finalStep(m.run.id) > step);
    const trajTodo = trajRuns.length
      ? layerMeasures.filter((m) => !done(m, 'vs-final', repOptions(m)))
      : [];
    if (trajRuns.length) result.reused += layerMeasures.length - trajTodo.length;
    const needForward =
      repTodo.length +
        layerTodo.length +
        outTodo.length +
        genTodo.length +
        trajTodo.length +
        Number(heldOutTodo) >
      0;
    if (!needForward && !spectraTodo && !alignedTodo) {
      progress('done', step, frac(1), `step ${step}: every analysis already stored (reused)`);
      continue;
    }

    progress('load', step, frac(0), `step ${step}: loading ${here.length} checkpoints`);
    const weights = await time('load', () =>
      here.map((m) => checkpointWeights(store.checkpoints.atStep(m.run.id, step)!.weights)),
    );

    // Forward passes, one stacked model per config (lockstep groups).
    const acts: ModelActivations[] = new Array(here.length);
    if (
      repTodo.length +
      layerTodo.length +
      outTodo.length +
      trajTodo.length +
      Number(heldOutTodo)
    ) {
      progress('forward', step, frac(0.05), `step ${step}: running the probe set`);
      await time('forward', async () => {
        for (const idx of groupByConfig(here)) {
          const out = await probeActivations(
            here[idx[0]].config,
            idx.map((i) => weights[i]),
            probe,
          );
          idx.forEach((i, k) => (acts[i] = out[k]));
        }
      });
    }

    if (repTodo.length || layerTodo.length) {
      const tables = new RepresentationTables(acts, measureOptions);
      const layers = layerNames(acts);
      await time('layers', () => {
        for (const m of layerTodo) {
          progress('layers', step, frac(0.2), `step ${step}: ${m} layer × layer for every pair`);
          const rows: { runIds: number[]; layers: Json; result: Json }[] = [];
          for (let i = 0; i < here.length; i++)
            for (let j = i + 1; j < here.length; j++) {
              const t = tables.layerMatrix(m, i, j);
              rows.push({ runIds: [ids[i], ids[j]], layers: null, result: t as unknown as Json });
            }
          write(m, 'layer-matrix', step, repOptions(m), rows, ids);
        }
      });
      await time('representations', () => {
        const rows = new Map<MeasureName, { runIds: number[]; layers: Json; result: Json }[]>(
          repTodo.map((m) => [m, []]),
        );
        layers.forEach((layer, li) => {
          progress(
            'representations',
            step,
            frac(0.3 + (0.4 * li) / layers.length),
            `step ${step}: ${repTodo.join(', ')} at ${layer}`,
          );
          tables.prepare(layer, repTodo); // one Gram per model for RBF CKA and mutual k-NN
          for (const m of repTodo) {
            const t = tables.modelMatrix(m, layer);
            rows.get(m)!.push({ runIds: ids, layers: layer, result: t as unknown as Json });
          }
          tables.release(layer);
        });
        for (const m of repTodo) write(m, 'model-matrix', step, repOptions(m), rows.get(m)!, ids);
      });
    }

    if (trajTodo.length) {
      progress('trajectories', step, frac(0.68), `step ${step}: each run against its final state`);
      await time('trajectories', async () => {
        await ensureFinalActivations(trajRuns);
        for (const m of trajTodo) {
          const rows: { runIds: number[]; layers: Json; result: Json }[] = [];
          here.forEach((rm, i) => {
            const fin = finalActs.get(rm.run.id);
            if (!fin || finalStep(rm.run.id) <= step) return;
            for (const [layer, x] of acts[i].layers) {
              const y = fin.layers.get(layer);
              if (!y) continue;
              let value: number;
              try {
                value = REGISTRY[m].compute(x, y, measureOptions).value;
              } catch {
                value = NaN;
              }
              rows.push({
                runIds: [rm.run.id, rm.run.id],
                layers: layer,
                result: {
                  value: Number.isFinite(value) ? value : null,
                  finalStep: finalStep(rm.run.id),
                },
              });
            }
          });
          write(m, 'vs-final', step, repOptions(m), rows, ids);
        }
      });
    }

    if (outTodo.length) {
      progress('outputs', step, frac(0.7), `step ${step}: ${outTodo.join(', ')}`);
      await time('outputs', () => {
        const vocab = new Set(here.map((m) => m.config.vocabSize));
        if (vocab.size > 1) {
          notes.push(`step ${step}: output measures skipped, the runs' vocabulary sizes differ`);
          return;
        }
        const t = outputTables(
          acts.map((a) => a.logits),
          targets,
          outTodo,
        );
        for (const m of outTodo)
          write(
            m,
            'model-matrix',
            step,
            {},
            [{ runIds: ids, layers: 'output', result: t[m] as unknown as Json }],
            ids,
          );
      });
    }

    if (heldOutTodo) {
      const scores = heldOutScores(
        acts.map((a) => a.logits),
        targets,
        probe.scoredPositions,
        T,
      );
      write(
        HELD_OUT_KIND,
        'models',
        step,
        {},
        [{ runIds: ids, layers: 'output', result: scores as unknown as Json }],
        ids,
      );
    }

    if (genTodo.length) {
      progress(
        'generations',
        step,
        frac(0.75),
        `step ${step}: generations for ${genTodo.length} runs`,
      );
      await time('generations', async () => {
        const prompts = promptsFromRows(
          probe.batch.inputs,
          probe.batch.weights,
          T,
          Math.min(gen.prompts, probe.batch.batchSize),
          probe.padId,
        );
        if (!prompts.length) return;
        const todo = new Set(genTodo.map((m) => m.run.id));
        for (const idx of groupByConfig(here)) {
          const members = idx.filter((i) => todo.has(ids[i]));
          if (!members.length) continue;
          const model = stackedModel(
            here[members[0]].config,
            members.map((i) => weights[i]),
          );
          try {
            // Greedy and sampled continuations of every prompt as rows of one batch.
            const P = prompts.length;
            const out = await generate(model, [...prompts, ...prompts], {
              padId: probe.padId,
              stopId: probe.padId,
              maxNewTokens: gen.maxNewTokens,
              mode: [
                ...prompts.map(() => 'greedy' as const),
                ...prompts.map(() => 'sample' as const),
              ],
              temperature: gen.temperature,
              seed: gen.seed,
              streams: members.map((i) => ids[i]),
            });
            const greedy = out.map((rows) => rows.slice(0, P));
            const sampled = out.map((rows) => rows.slice(P));
            store.transaction(() => {
              members.forEach((i, k) => {
                prompts.forEach((p, b) => {
                  const prompt = dataset.tokenizer.decode(p);
                  for (const [mode, out] of [
                    ['greedy', greedy],
                    ['sample', sampled],
                  ] as const) {
                    store.samples.create({
                      runId: ids[i],
                      step,
                      prompt,
                      output: dataset.tokenizer.decode(out[k][b]),
                      params: {
                        key: genKey,
                        mode,
                        temperature: mode === 'greedy' ? 0 : gen.temperature,
                        seed: mode === 'greedy' ? null : gen.seed,
                        maxNewTokens: gen.maxNewTokens,
                        probe: probe.hash,
                        promptIndex: b,
                      },
                    });
                    result.samplesCreated++;
                  }
                });
              });
            });
          } finally {
            model.dispose();
          }
        }
      });
    }

    if (spectraTodo) {
      progress('spectra', step, frac(0.8), `step ${step}: weight spectra`);
      await time('spectra', () => {
        const t = spectraTable(here.map((m, i) => ({ config: m.config, weights: weights[i] })));
        write(
          'spectra',
          'model-matrix',
          step,
          {},
          [{ runIds: ids, layers: 'weights', result: t as unknown as Json }],
          ids,
        );
      });
    }

    if (alignedTodo) {
      progress(
        'aligned-weights',
        step,
        frac(0.85),
        `step ${step}: permutation matching and loss barriers`,
      );
      await time('aligned-weights', async () => {
        const rows = Math.min(barrierRows, probe.batch.batchSize);
        const b = probe.batch;
        const batch = {
          batchSize: rows,
          contextLength: T,
          inputs: b.inputs.slice(0, rows * T),
          targets: b.targets.slice(0, rows * T),
          weights: b.weights.slice(0, rows * T),
        };
        const t = await alignedTable(
          here.map((m, i) => ({ config: m.config, weights: weights[i] })),
          batch,
          {
            alphas: barrierAlphas,
            onPair: (d, n) =>
              progress(
                'aligned-weights',
                step,
                frac(0.85 + (0.15 * d) / n),
                `step ${step}: matched ${d}/${n} pairs`,
              ),
          },
        );
        write(
          'aligned-weights',
          'model-matrix',
          step,
          barrierOptions,
          [{ runIds: ids, layers: 'weights', result: t as unknown as Json }],
          ids,
        );
      });
    }
    progress('done', step, frac(1), `step ${step}: done`);
  }

  if (measures.includes('weight-trajectory')) {
    await time('trajectories', () => {
      for (const m of models) {
        const steps = cpSteps.get(m.run.id)!;
        const key = keyOf('weight-trajectory', 'run', null, [m.run.id], steps);
        if (existing.has(key)) {
          result.reused++;
          continue;
        }
        progress(
          'trajectories',
          null,
          1,
          `run ${m.run.id}: weight trajectory over ${steps.length} checkpoints`,
        );
        const cps: { step: number; weights: ModelWeights }[] = steps.map((s) => ({
          step: s,
          weights: checkpointWeights(store.checkpoints.atStep(m.run.id, s)!.weights),
        }));
        // A fine-tune is measured from where it started: its parent's checkpoint.
        const parentCp =
          m.run.parentRunId === null
            ? null
            : store.checkpoints.atStep(m.run.parentRunId, m.run.parentStep ?? 0);
        const start = parentCp
          ? checkpointWeights(parentCp.weights)
          : initialWeights(m.config, m.run.initSeed);
        const traj = weightTrajectory(start, cps);
        write(
          'weight-trajectory',
          'run',
          null,
          steps,
          [{ runIds: [m.run.id], layers: 'weights', result: traj as unknown as Json }],
          [m.run.id],
        );
      }
    });
  }
  result.ms = performance.now() - t0;
  progress('done', null, 1, `analysis done: ${result.created} stored, ${result.reused} reused`);
  return result;
}

/** Indices of `models` grouped by identical config (one stacked model per group, ≤ 16). */
function groupByConfig(models: readonly RunModel[], max = 16): number[][] {
  const groups = new Map<string, number[]>();
  models.forEach((m, i) => {
    const k = JSON.stringify(m.config);
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  const out: number[][] = [];
  for (const g of groups.values())
    for (let i = 0; i < g.length; i += max) out.push(g.slice(i, i + max));
  return out;
}
