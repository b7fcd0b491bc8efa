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
 *   and the logits with their softmax and gradient (3·V per token).
 * A fixed runtime overhead (the JS engine, tfjs, the dataset) is added once per worker.
 * Deliberately simple and on the safe side of real use; the point is orders of magnitude.
 */
import { countParameters } from './estimate';
import type { ModelSpec, TrainingSpec } from './spec';

const FLOAT = 4;
/** The worker's own footprint: Node, tfjs and its kernels, the tokenized dataset. */
export const RUNTIME_OVERHEAD_BYTES = 256 * 1024 ** 2;

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
  const activationFloats = model.nLayers * (perLayerTokens + attention) + outside;
  const stateBytes = members * 4 * P * FLOAT;
  const checkpointBytes = members * 3 * P * FLOAT;
  const activationBytes = members * activationFloats * FLOAT;
  return {
    parameters: P,
    members,
    stateBytes,
    checkpointBytes,
    activationBytes,
    attentionBytes: members * model.nLayers * attention * FLOAT,
    overheadBytes: RUNTIME_OVERHEAD_BYTES,
    totalBytes: stateBytes + checkpointBytes + activationBytes + RUNTIME_OVERHEAD_BYTES,
  };
}
