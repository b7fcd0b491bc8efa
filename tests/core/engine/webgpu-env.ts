import fs from 'node:fs';
import { describeAdapter, requestAdapter } from '../../../src/core/engine';

/** Debian chromium's SwiftShader Vulkan driver: a software WebGPU adapter for tests. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Points Vulkan at SwiftShader (unless the environment already chose a driver) and asks Dawn for
 * an adapter. Returns null when one is available, else the reason to skip.
 */
export async function webgpuSkipReason(): Promise<string | null> {
  if (!process.env.VK_ICD_FILENAMES && fs.existsSync(SWIFTSHADER_ICD))
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  try {
    const adapter = await requestAdapter();
    if (adapter) return null;
    return (
      `no WebGPU adapter: install Debian 'chromium' (${SWIFTSHADER_ICD}) and 'libvulkan1', ` +
      'or run on a machine with a GPU driver'
    );
  } catch (e) {
    return `WebGPU (Dawn) failed to load: ${(e as Error).message}`;
  }
}

export { describeAdapter };
