/**
 * Trains a (lockstep) Transformer: one `step()` is one AdamW update of every member on its
 * batch. Losses, gradient norms and clipping are per member, so member k follows exactly the
 * trajectory it would follow alone. The caller owns data order (it passes the batches), which
 * keeps the data-order seed separate from the init seed.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../engine/gradients';
import type { Batch } from '../data/types';
import { DropoutStreams } from '../model/dropout';
import type { Transformer } from '../model/transformer';
import { AdamW, clipCoefficients, memberGradNorms } from './adamw';
import { maskedAccuracy, maskedCrossEntropy } from './loss';
import { learningRateAt } from './schedule';
import { TRAINER_STATE_FORMAT, type TrainerState } from './state';

export interface TrainConfig {
  /** Peak learning rate (after warmup). */
  learningRate: number;
  /** Learning rate at the end of the cosine decay. */
  minLearningRate: number;
  warmupSteps: number;
  /** Length of the schedule (the cosine reaches `minLearningRate` here). */
  totalSteps: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay λ (matrices only; see adamw.ts). */
  weightDecay: number;
  /** Per-member global-norm clipping threshold; 0 disables clipping. */
  gradClip: number;
}

export const DEFAULT_TRAIN: TrainConfig = {
  learningRate: 1e-3,
  minLearningRate: 1e-4,
  warmupSteps: 100,
  totalSteps: 2000,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  weightDecay: 0.1,
  gradClip: 1,
};

/** A batch for all members (`Batch`) or one batch per member (`Batch[]` of length K). */
export type MemberBatches = Batch | Batch[];

export interface StepResult {
  /** Completed updates after this call (1 after the first successful step). */
  step: number;
  status: 'ok' | 'diverged';
  /** Per-member training loss of this step's batch (before the update). */
  losses: number[];
  /** Per-member global gradient norm before clipping. */
  gradNorms: number[];
  lr: number;
  /** Tokens processed by all members together (K·B·T). */
  tokens: number;
  ms: number;
  /** Set when status is 'diverged': which member and what went non-finite. */
  diverged?: DivergedInfo;
}

export interface DivergedInfo {
  /** 1-based number of the step whose loss or gradient was not finite (no update applied). */
  step: number;
  member: number;
  seed: number;
  quantity: 'loss' | 'gradient norm';
  value: number;
  message: string;
}

export interface EvalResult {
  /** Per-member loss, weighted over every scored position of every batch. */
  losses: number[];
  /** Per-member accuracy of argmax predictions on scored positions. */
  accuracies: number[];
}

interface BatchTensors {
  inputs: tf.Tensor;
  targets: tf.Tensor;
  weights: tf.Tensor;
  tokens: number;
}

export class Trainer {
  readonly model: Transformer;
  readonly config: TrainConfig;
  readonly optimizer: AdamW;
  readonly dropout: DropoutStreams;
  /** Completed updates. */
  step = 0;
  private readonly names: string[];

  constructor(model: Transformer, config: Partial<TrainConfig> = {}) {
    this.model = model;
    this.config = { ...DEFAULT_TRAIN, ...config };
    const c = this.config;
    if (!(c.learningRate >= 0) || !(c.minLearningRate >= 0))
      throw new Error('train.learningRate and minLearningRate must be ≥ 0');
    if (!(c.warmupSteps >= 0) || !(c.totalSteps >= 1))
      throw new Error('train.warmupSteps must be ≥ 0 and totalSteps ≥ 1');
    this.names = model.paramSpecs.map((s) => s.name);
    const decay = new Set(model.paramSpecs.filter((s) => s.decay).map((s) => s.name));
    this.optimizer = new AdamW(model.params, decay, c);
    this.dropout = new DropoutStreams(model.seeds);
  }

  get members(): number {
    return this.model.members;
  }

  /** Learning rate the next update will use. */
  get currentLearningRate(): number {
    return learningRateAt(this.config, this.step);
  }

  private toTensors(b: MemberBatches): BatchTensors {
    const K = this.members;
    const list = Array.isArray(b) ? b : [b];
    if (Array.isArray(b) && b.length !== K)
      throw new Error(`Expected one batch per member (${K}), got ${b.length}`);
    const { batchSize: B, contextLength: T } = list[0];
    for (const x of list)
      if (x.batchSize !== B || x.contextLength !== T)
        throw new Error('All member batches must have the same batchSize and contextLength');
    const N = B * T;
    const cat = <A extends Int32Array | Float32Array>(
      pick: (x: Batch) => A,
      make: (n: number) => A,
    ) => {
      if (list.length === 1) return pick(list[0]);
      const out = make(list.length * N);
      list.forEach((x, k) => out.set(pick(x), k * N));
      return out;
    };
    const perMember = list.length > 1;
    return {
      inputs: tf.tensor(
        cat(
          (x) => x.inputs,
          (n) => new Int32Array(n),
        ),
        perMember ? [K, B, T] : [B, T],
        'int32',
      ),
      targets: tf.tensor(
        cat(
          (x) => x.targets,
          (n) => new Int32Array(n),
        ),
        perMember ? [K, N] : [N],
        'int32',
      ),
      weights: tf.tensor(
        cat(
          (x) => x.weights,
          (n) => new Float32Array(n),
        ),
        perMember ? [K, N] : [N],
        'float32',
      ),
      tokens: K * N,
    };
  }

  /**
   * One training step. Non-finite loss or gradient norm in any member ⇒ no update is applied,
   * the dropout streams are rewound (so the trainer's state is unchanged) and the result has
   * `status: 'diverged'` naming the step and member.
   */
  async trainStep(batch: MemberBatches): Promise<StepResult> {
    const t0 = performance.now();
    const K = this.members;
    const lr = learningRateAt(this.config, this.step);
    const vars = this.names.map((n) => this.model.params[n]);
    // A diverged step must leave the trainer as it was, dropout streams included: the caller
    // may retry the batch (without the diverged member) and must draw the same masks again.
    const dropoutBefore = this.dropout.state();
    let lossK: tf.Tensor | undefined;
    let tokens = 0;
    const { stats, coef, grads } = tf.tidy(() => {
      const data = this.toTensors(batch);
      tokens = data.tokens;
      const { grads: byId } = tf.variableGrads(() => {
        const { logits } = this.model.forward(data.inputs, {
          training: true,
          dropout: this.dropout,
        });
        const [, B, T, V] = logits.shape;
        lossK = tf.keep(
          maskedCrossEntropy(tf.reshape(logits, [K, B * T, V]), data.targets, data.weights),
        );
        return tf.sum(lossK) as tf.Scalar;
      }, vars);
      const grads: Record<string, tf.Tensor> = {};
      this.names.forEach((n, i) => (grads[n] = byId[vars[i].name]));
      const norms = memberGradNorms(Object.values(grads));
      const coef =
        this.config.gradClip > 0 ? clipCoefficients(norms, this.config.gradClip) : undefined;
      return { stats: tf.concat([lossK!, norms]), coef, grads };
    });
    lossK?.dispose();
    const s = (await stats.data()) as Float32Array;
    stats.dispose();
    const losses = Array.from(s.subarray(0, K));
    const gradNorms = Array.from(s.subarray(K));
    const result: StepResult = {
      step: this.step,
      status: 'ok',
      losses,
      gradNorms,
      lr,
      tokens,
      ms: 0,
    };
    const bad = findNonFinite(losses, gradNorms);
    if (bad) {
      tf.dispose([grads, coef] as tf.TensorContainer);
      this.dropout.setState(dropoutBefore);
      const step = this.step + 1;
      result.status = 'diverged';
      result.diverged = {
        step,
        member: bad.member,
        seed: this.model.seeds[bad.member],
        quantity: bad.quantity,
        value: bad.value,
        message:
          `Training diverged at step ${step}: ${bad.quantity} of member ${bad.member}` +
          // Positions shift as diverged members leave a lockstep stack; the seed names the run.
          (K > 1 ? ` of ${K} in lockstep` : '') +
          ` (init seed ${this.model.seeds[bad.member]}) is ${bad.value} at learning rate ` +
          `${lr.toPrecision(3)}. No update was applied; ` +
          (this.config.gradClip > 0
            ? `lower the learning rate (gradient clipping at ${this.config.gradClip} is already on).`
            : 'lower the learning rate or enable gradient clipping (training.gradClip).'),
      };
      result.ms = performance.now() - t0;
      return result;
    }
    tf.tidy(() => this.optimizer.apply(grads, lr, coef));
    tf.dispose([grads, coef] as tf.TensorContainer);
    this.step += 1;
    result.step = this.step;
    result.ms = performance.now() - t0;
    return result;
  }

  /** Per-member loss and accuracy over `batches` (no dropout, no update). */
  async evaluate(batches: MemberBatches[]): Promise<EvalResult> {
    const K = this.members;
    const lossSum = new Float64Array(K);
    const accSum = new Float64Array(K);
    const wSum = new Float64Array(K);
    for (const b of batches) {
      const stats = tf.tidy(() => {
        const data = this.toTensors(b);
        const { logits } = this.model.forward(data.inputs);
        const [, B, T, V] = logits.shape;
        const flat = tf.reshape(logits, [K, B * T, V]);
        const w = tf.broadcastTo(
          tf.reshape(data.weights, [data.weights.rank === 1 ? 1 : K, B * T]),
          [K, B * T],
        );
        return tf.concat([
          maskedCrossEntropy(flat, data.targets, data.weights),
          maskedAccuracy(flat, data.targets, data.weights),
          tf.sum(w, 1),
        ]);
      });
      const s = (await stats.data()) as Float32Array;
      stats.dispose();
      for (let k = 0; k < K; k++) {
        const w = s[2 * K + k];
        lossSum[k] += s[k] * w;
        accSum[k] += s[K + k] * w;
        wSum[k] += w;
      }
    }
    return {
      losses: Array.from(lossSum, (v, k) => (wSum[k] > 0 ? v / wSum[k] : 0)),
      accuracies: Array.from(accSum, (v, k) => (wSum[k] > 0 ? v / wSum[k] : 0)),
    };
  }

  /**
   * Everything needed to resume bit-identically: parameters, Adam moments, step, dropout RNG.
   * Tensor keys: `param/<name>`, `adam_m/<name>`, `adam_v/<name>`; all shapes `[K, ...]`.
   */
  async exportState(): Promise<TrainerState> {
    const tensors: Record<string, Float32Array> = {};
    const shapes: Record<string, number[]> = {};
    for (const n of this.names) {
      for (const [prefix, v] of [
        ['param', this.model.params[n]],
        ['adam_m', this.optimizer.m[n]],
        ['adam_v', this.optimizer.v[n]],
      ] as const) {
        tensors[`${prefix}/${n}`] = (await v.data()) as Float32Array;
        shapes[`${prefix}/${n}`] = [...v.shape];
      }
    }
    return {
      format: TRAINER_STATE_FORMAT,
      members: this.members,
      seeds: [...this.model.seeds],
      step: this.step,
      adamT: this.optimizer.t,
      dropoutRng: this.dropout.state(),
      tensors,
      shapes,
    };
  }

  /** Restores a state from `exportState` (same model config and member count). */
  importState(state: TrainerState): void {
    if (state.format !== TRAINER_STATE_FORMAT)
      throw new Error(`Unknown trainer state format '${state.format}'`);
    if (state.members !== this.members)
      throw new Error(`State has ${state.members} members, this trainer ${this.members}`);
    for (const n of this.names) {
      for (const [prefix, v] of [
        ['param', this.model.params[n]],
        ['adam_m', this.optimizer.m[n]],
        ['adam_v', this.optimizer.v[n]],
      ] as const) {
        const key = `${prefix}/${n}`;
        const data = state.tensors[key];
        const shape = state.shapes[key];
        if (!data) throw new Error(`Trainer state lacks '${key}'`);
        if (!shape || shape.join(',') !== v.shape.join(','))
          throw new Error(`Trainer state '${key}' has shape [${shape}], expected [${v.shape}]`);
        tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
      }
    }
    this.step = state.step;
    this.optimizer.t = state.adamT;
    this.dropout.setState(state.dropoutRng);
  }

  /** Frees the optimizer state (the model is the caller's). */
  dispose(): void {
    this.optimizer.dispose();
  }
}

/**
 * The member to blame for a non-finite step. Losses come first: each member's loss is computed
 * from its own slice of the stack only, whereas the backward pass can carry one member's NaN
 * into the others' gradients (tfjs-cpu's `UnsortedSegmentSum`, the gradient of the embedding
 * lookup over the stacked `[K·V, d]` table, sums every row times a 0/1 mask, and 0·NaN = NaN),
 * so a healthy member listed before the culprit may show a NaN gradient norm too.
 */
function findNonFinite(
  losses: number[],
  norms: number[],
): { member: number; quantity: 'loss' | 'gradient norm'; value: number } | undefined {
  for (let k = 0; k < losses.length; k++)
    if (!Number.isFinite(losses[k])) return { member: k, quantity: 'loss', value: losses[k] };
  for (let k = 0; k < norms.length; k++)
    if (!Number.isFinite(norms[k]))
      return { member: k, quantity: 'gradient norm', value: norms[k] };
  return undefined;
}
