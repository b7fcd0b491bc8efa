import { afterEach, describe, expect, it } from 'vitest';
import {
  dropPooledBuffers,
  giveBuffer,
  pooledBytes,
  takeBuffer,
} from '../../../src/core/similarity/pool';

describe('buffer pool', () => {
  afterEach(() => dropPooledBuffers());

  it('hands a returned buffer out again, once, and drops buffers on request', () => {
    const a = takeBuffer(1 << 16);
    expect(a.length).toBe(1 << 16);
    giveBuffer(a);
    giveBuffer(a); // twice: still pooled once
    expect(pooledBytes()).toBe(a.byteLength);
    expect(takeBuffer(1 << 16)).toBe(a);
    expect(takeBuffer(1 << 16)).not.toBe(a);
    expect(pooledBytes()).toBe(0);
    giveBuffer(a);
    dropPooledBuffers();
    expect(pooledBytes()).toBe(0);
    expect(takeBuffer(1 << 16)).not.toBe(a);
  });

  it('does not pool small buffers or other lengths', () => {
    const small = takeBuffer(100);
    giveBuffer(small);
    expect(pooledBytes()).toBe(0);
    const a = takeBuffer(1 << 16);
    giveBuffer(a);
    expect(takeBuffer((1 << 16) + 1)).not.toBe(a);
  });
});
