import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, initBackend } from '../../../src/core/engine';
import { webgpuSkipReason } from './webgpu-env';

const skip = await webgpuSkipReason();
if (skip) console.warn(`[webgpu tests skipped] ${skip}`);

describe('initBackend', () => {
  it('activates an explicit cpu or wasm backend and says which device', async () => {
    expect(await initBackend('cpu')).toEqual({
      backend: 'cpu',
      device: 'JavaScript (tfjs cpu)',
      reasons: [],
    });
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initBackend('wasm');
    expect(wasm.backend).toBe('wasm');
    expect(wasm.device).toMatch(/^wasm/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('refuses an unavailable explicit choice with a clear error instead of falling back', async () => {
    await initBackend('cpu');
    const err = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(
      /Backend 'tensorflow' is not available: @tensorflow\/tfjs-node-gpu is not installed/,
    );
    expect(tf.getBackend()).toBe('cpu');
    await expect(initBackend('metal' as never)).rejects.toThrow(/Unknown backend 'metal'/);
  });

  it('auto picks the fastest working backend and says why faster ones were skipped', async () => {
    const info = await initBackend('auto');
    expect(tf.getBackend()).toBe(info.backend);
    expect(info.reasons[0]).toEqual({
      backend: 'tensorflow',
      skipped: '@tensorflow/tfjs-node-gpu is not installed (optional dependency)',
    });
    if (info.backend === 'wasm') {
      // Here WebGPU is absent or software-only (SwiftShader), which auto must not pick.
      expect(info.reasons.map((r) => r.backend)).toEqual(['tensorflow', 'webgpu']);
      expect(info.reasons[1].skipped).toMatch(/software adapter|no WebGPU adapter|failed to load/);
    } else expect(info.backend).toBe('webgpu');
  });

  it.skipIf(skip !== null)('accepts a software WebGPU adapter when asked explicitly', async () => {
    const info = await initBackend('webgpu');
    expect(info.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const s = tf.sum(tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])));
    expect((await s.data())[0]).toBe(64);
    s.dispose();
  });
});
