/**
 * What the producers of one analysis share: the plan, the dataset and probe set, each run's
 * model config, the writer of analysis rows, the key of every group, progress and timings —
 * and, per step, the checkpoint weights and probe activations, each loaded once on first use.
 */
import type { Json, RunRow } from '../../../db/types';
import { buildDataset, type Dataset } from '../../core/data';
import type { ModelConfig } from '../../core/model/config';
import { checkpointWeights, type ModelWeights } from '../../core/similarity/model';
import type { MeasureName, MeasureOptions } from '../../core/similarity/registry';
import { storedVariant } from '../spec/create';
import { modelConfigOf } from '../spec/model-config';
import { probeActivations, type ModelActivations } from './activations';
import { analysisKey } from './keys';
import type { AnalysisPlan } from './plan';
import { DEFAULT_MAX_TOKENS, probeFromDataset, type Probe } from './probe';
import { AnalysisWriter, type AnalysisView, type GroupRow } from './rows';
import type { AnalysisPhase, AnalysisStore, AnalyzeOptions, AnalyzeResult } from './types';

export interface RunModel {
  run: RunRow;
  config: ModelConfig;
}

/** Indices of `models` grouped by identical config (one stacked model per group, ≤ 16). */
export function groupByConfig(models: readonly RunModel[], max = 16): number[][] {
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

export class AnalysisSession {
  readonly models: RunModel[];
  readonly probe: Probe;
  /** Context length of the probe: the shortest of the runs'. */
  readonly T: number;
  readonly targets: Int32Array;
  readonly writer: AnalysisWriter;
  readonly measureOptions: MeasureOptions;
  readonly generation: Required<NonNullable<AnalyzeOptions['generation']>>;
  readonly barrier: { alphas: number[]; rows: number };
  private readonly finalActs = new Map<number, ModelActivations>();

  private constructor(
    readonly store: AnalysisStore,
    readonly plan: AnalysisPlan,
    readonly dataset: Dataset,
    readonly opts: AnalyzeOptions,
    readonly result: AnalyzeResult,
  ) {
    this.models = plan.runs.map((run) => ({
      run,
      config: modelConfigOf(storedVariant(run).model, dataset.vocabSize),
    }));
    this.T = Math.min(...this.models.map((m) => m.config.contextLength));
    const maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
    this.probe = probeFromDataset(dataset, {
      probeSize: plan.spec.analysis?.probeSize ?? 256,
      contextLength: this.T,
      maxTokens,
    });
    const p = this.probe;
    result.probe = {
      hash: p.hash,
      sequences: p.batch.batchSize,
      contextLength: this.T,
      repTokens: p.repPositions.length,
      scoredTokens: p.scoredPositions.length,
    };
    this.targets = Int32Array.from(p.scoredPositions, (i) => p.batch.targets[i]);
    this.writer = new AnalysisWriter(store, plan.experimentId, {
      probe: p.hash,
      probeSize: p.batch.batchSize,
      contextLength: this.T,
      maxTokens,
    });
    this.measureOptions = opts.measureOptions ?? {};
    this.generation = {
      prompts: opts.generation?.prompts ?? 4,
      maxNewTokens: opts.generation?.maxNewTokens ?? 32,
      temperature: opts.generation?.temperature ?? 1,
      seed: opts.generation?.seed ?? 0,
    };
    this.barrier = {
      alphas: opts.barrier?.alphas ?? [0, 0.25, 0.5, 0.75, 1],
      rows: opts.barrier?.rows ?? 16,
    };
  }

  static async open(
    store: AnalysisStore,
    plan: AnalysisPlan,
    opts: AnalyzeOptions,
    result: AnalyzeResult,
  ): Promise<AnalysisSession> {
    const t = performance.now();
    const dataset = await buildDataset(plan.spec.dataset);
    result.timings.prepare = (result.timings.prepare ?? 0) + performance.now() - t;
    return new AnalysisSession(store, plan, dataset, opts, result);
  }

  get experimentId(): number {
    return this.plan.experimentId;
  }

  /** The options a representation measure's stored value depends on (part of its key). */
  repOptions(m: MeasureName): Json {
    const o = this.measureOptions;
    if (m === 'mutual-knn') return { k: o.k ?? 10 };
    if (m === 'rbf-cka') return { threshold: o.threshold ?? 0.5 };
    if (m === 'svcca') return { threshold: o.threshold ?? 0.99 };
    return {};
  }

  keyOf(kind: string, view: string, step: number | null, runIds: number[], options: Json): string {
    return analysisKey({ kind, view, step, runIds, probe: this.probe.hash, options });
  }

  /** Writes one group unless stored (its key is computed here from the same parts). */
  write(
    g: { kind: string; view: AnalysisView; step: number | null; options: Json; ids: number[] },
    rows: readonly GroupRow[],
  ): void {
    this.writer.writeGroup(this.keyOf(g.kind, g.view, g.step, g.ids, g.options), g, rows);
    this.result.created = this.writer.created;
  }

  isStored(
    kind: string,
    view: AnalysisView,
    step: number | null,
    ids: number[],
    options: Json,
  ): boolean {
    return this.writer.has(this.keyOf(kind, view, step, ids, options));
  }

  progress(phase: AnalysisPhase, step: number | null, fraction: number, message: string): void {
    this.opts.onProgress?.({
      type: 'analysis-progress',
      experimentId: this.experimentId,
      phase,
      step,
      fraction: Math.min(1, Math.max(0, fraction)),
      message,
    });
  }

  async time<T>(phase: string, f: () => Promise<T> | T): Promise<T> {
    const s = performance.now();
    try {
      return await f();
    } finally {
      this.result.timings[phase] = (this.result.timings[phase] ?? 0) + performance.now() - s;
    }
  }

  note(text: string): void {
    this.result.notes.push(text);
  }

  finalStep(runId: number): number {
    return Math.max(...this.plan.checkpointSteps.get(runId)!);
  }

  weightsAt(runId: number, step: number): ModelWeights {
    return checkpointWeights(this.store.checkpoints.atStep(runId, step)!.weights);
  }

  /** Probe activations of each run's final checkpoint (computed once, kept for every step). */
  async finalActivations(want: readonly RunModel[]): Promise<Map<number, ModelActivations>> {
    const missing = want.filter((m) => !this.finalActs.has(m.run.id));
    for (const idx of groupByConfig(missing)) {
      const w = idx.map((i) =>
        this.weightsAt(missing[i].run.id, this.finalStep(missing[i].run.id)),
      );
      const out = await probeActivations(missing[idx[0]].config, w, this.probe);
      idx.forEach((i, k) => this.finalActs.set(missing[i].run.id, out[k]));
    }
    return this.finalActs;
  }

  /** The runs with a checkpoint at `step`, with lazily loaded weights and activations. */
  at(step: number, fraction: (x: number) => number): StepData {
    return new StepData(this, step, fraction);
  }
}

/** One analysed step: its runs, and their weights and probe activations on first use. */
export class StepData {
  readonly here: RunModel[];
  readonly ids: number[];
  private weightsMemo: Promise<ModelWeights[]> | null = null;
  private actsMemo: Promise<ModelActivations[]> | null = null;

  constructor(
    readonly session: AnalysisSession,
    readonly step: number,
    /** Maps progress within this step ([0, 1]) to overall progress. */
    readonly frac: (x: number) => number,
  ) {
    this.here = session.models.filter((m) =>
      session.plan.checkpointSteps.get(m.run.id)!.includes(step),
    );
    this.ids = this.here.map((m) => m.run.id);
  }

  /** Two or more runs here: pairwise measures apply. */
  get pairwise(): boolean {
    return this.here.length >= 2;
  }

  weights(): Promise<ModelWeights[]> {
    const s = this.session;
    this.weightsMemo ??= (async () => {
      s.progress(
        'load',
        this.step,
        this.frac(0),
        `step ${this.step}: loading ${this.here.length} checkpoints`,
      );
      return s.time('load', () => this.here.map((m) => s.weightsAt(m.run.id, this.step)));
    })();
    return this.weightsMemo;
  }

  /** Probe activations, one stacked forward pass per config (lockstep groups). */
  activations(): Promise<ModelActivations[]> {
    const s = this.session;
    this.actsMemo ??= (async () => {
      const weights = await this.weights();
      s.progress('forward', this.step, this.frac(0.05), `step ${this.step}: running the probe set`);
      return s.time('forward', async () => {
        const acts: ModelActivations[] = new Array(this.here.length);
        for (const idx of groupByConfig(this.here)) {
          const out = await probeActivations(
            this.here[idx[0]].config,
            idx.map((i) => weights[i]),
            s.probe,
          );
          idx.forEach((i, k) => (acts[i] = out[k]));
        }
        return acts;
      });
    })();
    return this.actsMemo;
  }
}
