/**
 * `Identity` for the wasm backend that shares the input's data instead of copying it.
 *
 * Why: tfjs clones every tensor a `customGrad` op saves for its backward pass through
 * `Identity`, and tfjs-wasm's Identity copies the whole buffer, so saving activations cost a
 * memory copy each (~3% of a lockstep step). tfjs tensors are immutable and nothing in this
 * project writes a tensor's memory after creating it, so a clone can share the data and bump
 * its reference count — exactly what tfjs-cpu's Identity and tfjs-wasm's own Reshape do.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

const kernelFunc: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  (backend as unknown as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

type PatchedConfig = KernelConfig & { homolabPatched?: boolean };

/** Replaces the wasm Identity kernel (idempotent); false if the wasm backend is not loaded. */
export function patchWasmIdentity(): boolean {
  const original = tf.getKernel(tf.Identity, 'wasm') as PatchedConfig | undefined;
  if (!original) return false;
  if (original.homolabPatched) return true;
  tf.unregisterKernel(tf.Identity, 'wasm');
  const patched: PatchedConfig = { ...original, kernelFunc, homolabPatched: true };
  tf.registerKernel(patched);
  return true;
}
