/**
 * Memory a training job needs, estimated before anything is stored or started, so a job the
 * machine cannot hold is refused with the number and the field to change instead of growing
 * until the kernel's OOM killer stops the worker.
 *
 * Everything is float32 (4 bytes). Per lockstep member (K members train as one stacked model):
 * - state: weights, gradients and AdamW's two moments, 4 × P floats;
 * - checkpoint copy: weights and both moments read out to encode a checkpoint, 3 × P floats;
 * - activations kept for the backward pass, per layer: about 10·d + 2·d_ff floats per token
 *   (norm inputs, Q, K, V, attention output and projection, residuals, MLP pre/post
 *   activation) plus the attention scores and probabilities, 2·heads·T² floats per sequence
 *   (tfjs materialises the full T×T matrix); on top of the layers the embeddings (d per token)
 *   and the logits with their softmax and gradient (3·V per token); the backward pass holds
 *   their gradients and the kernels' temporaries beside them, so the peak is
 *   `ACTIVATION_PEAK_FACTOR` times that.
 * A fixed runtime overhead (the JS engine, tfjs, the dataset) is added once per worker.
 * Calibrated against a real worker (wasm, peak RSS): d 128/L 2/T 128/B 16 estimated 429 MB,
 * measured 407 MB; d 256/L 4/T 256/B 16 × 2 members estimated 2,958 MB, measured 2,952 MB;
 * d 64/L 1/T 32/B 4 estimated 260 MB, measured 199 MB. The point is orders of magnitude.
 */
import { countParameters } from './estimate';
import type { ModelSpec, TrainingSpec } from './spec';

const FLOAT = 4;
/** The worker's own footprint: Node, tfjs and its kernels, the tokenized dataset. */
export const RUNTIME_OVERHEAD_BYTES = 256 * 1024 ** 2;
/** Peak of the training step over the activations kept for the backward pass (measured). */
export const ACTIVATION_PEAK_FACTOR = 3;

export interface MemoryBreakdown {
  /** Parameters of one member. */
  parameters: number;
  members: number;
  /** Weights, gradients and AdamW moments of all members. */
  stateBytes: number;
  /** The copy made to write a checkpoint. */
  checkpointBytes: number;
  /** Activations kept for the backward pass, all members. */
  activationBytes: number;
  /** Of which the attention matrices (heads × T × T per sequence). */
  attentionBytes: number;
  overheadBytes: number;
  totalBytes: number;
}

/** Memory of training `members` stacked copies of `model` with `training`'s batch. */
export function estimateTrainingMemory(
  model: ModelSpec & { vocabSize: number },
  training: Pick<TrainingSpec, 'batchSize'>,
  members = 1,
): MemoryBreakdown {
  const P = countParameters(model).total;
  const B = training.batchSize;
  const T = model.contextLength;
  const tokens = B * T;
  const perLayerTokens = tokens * (10 * model.dModel + 2 * model.dFF);
  const attention = B * 2 * model.nHeads * T * T;
  const outside = tokens * (model.dModel + 3 * model.vocabSize);
  const activationFloats =
    ACTIVATION_PEAK_FACTOR * (model.nLayers * (perLayerTokens + attention) + outside);
  const stateBytes = members * 4 * P * FLOAT;
  const checkpointBytes = members * 3 * P * FLOAT;
  const activationBytes = members * activationFloats * FLOAT;
  return {
    parameters: P,
    members,
    stateBytes,
    checkpointBytes,
    activationBytes,
    attentionBytes: members * ACTIVATION_PEAK_FACTOR * model.nLayers * attention * FLOAT,
    overheadBytes: RUNTIME_OVERHEAD_BYTES,
    totalBytes: stateBytes + checkpointBytes + activationBytes + RUNTIME_OVERHEAD_BYTES,
  };
}
