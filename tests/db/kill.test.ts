import { afterAll, describe, expect, it } from 'vitest';
import { runKillTest } from './kill-harness';
import { tempDir } from './helpers';

const t = tempDir('homolab-kill-');
afterAll(() => t.cleanup());

describe('kill test', () => {
  it('survives 50 SIGKILLs at random moments with every acknowledged commit intact', async () => {
    const report = await runKillTest({ dbPath: t.file('kill.db'), kills: 50, seed: 2024 });
    expect(report.kills).toBe(50);
    expect(report.checks).toBe(51);
    // The random moments must actually cover work in progress, not only start-up.
    expect(report.afterAcks).toBeGreaterThanOrEqual(10);
    expect(report.ackedCheckpoints).toBeGreaterThanOrEqual(5);
    expect(report.finalStep).toBeGreaterThan(0);
    console.log(`kill test: ${JSON.stringify(report)}`);
  }, 300_000);
});
