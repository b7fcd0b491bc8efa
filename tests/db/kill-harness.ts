/**
 * The kill test, shared by tests/db/kill.test.ts (≥ 50 kills) and bench/store-kill-soak.ts
 * (many more): a real child process writes metrics and checkpoints and acknowledges each
 * commit; the parent SIGKILLs it at random moments and, after each kill, checks the file:
 * integrity_check ok, every acknowledged commit present, every checkpoint complete (CRC and
 * content), the run marked interrupted by recovery; the next child resumes from the latest
 * checkpoint. A final child runs to completion and the whole series must be exact.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFixture } from '../bundle-fixture';
import { openStore } from '../../db/store';
import { Rng } from '../../src/core/rng';
import { accAt, cursorAt, lossAt, rngAt, stateAt, tensorsMatch } from './fixtures/kill-workload';

const here = dirname(fileURLToPath(import.meta.url));

export interface KillOptions {
  dbPath: string;
  kills: number;
  seed?: number;
  /** Kill at a uniform random time in [0, maxDelayMs] after spawning (¼) or READY (¾). */
  maxDelayMs?: number;
  /** Floats per large tensor (checkpoint ≈ 12 × floats bytes). */
  floats?: number;
  log?: (line: string) => void;
}

export interface KillReport {
  kills: number;
  /** Kills that landed before the child had opened the store / resumed / acked anything. */
  beforeReady: number;
  beforeResume: number;
  afterAcks: number;
  ackedMetricBatches: number;
  ackedCheckpoints: number;
  /** Checks made after kills (all passed, or the run throws). */
  checks: number;
  finalStep: number;
  finalCheckpoint: number;
  ms: number;
}

/** Bundles the child once (see bundle-fixture.ts). */
export function buildChild(): Promise<string> {
  return bundleFixture(join(here, 'fixtures', 'kill-child.ts'), 'kill-child');
}

interface ChildOutcome {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  pid: number;
}

/**
 * Runs the child; SIGKILLs it `killAfterMs` after spawning, or after its READY line when
 * `fromReady` (start-up takes a few hundred ms on a busy machine, so most kills are timed from
 * READY to land in the middle of the work).
 */
function runChild(
  script: string,
  args: string[],
  killAfterMs: number | null,
  fromReady = false,
): Promise<ChildOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | null = null;
    const arm = (): void => {
      if (killAfterMs !== null && !timer)
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (fromReady && out.includes('READY')) arm();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    if (!fromReady) arm();
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (err.trim() && signal !== 'SIGKILL') reject(new Error(`child stderr: ${err}`));
      resolvePromise({ lines: out.split('\n').filter(Boolean), code, signal, pid: child.pid! });
    });
  });
}

function fail(msg: string): never {
  throw new Error(`kill test: ${msg}`);
}

export async function runKillTest(opts: KillOptions): Promise<KillReport> {
  const t0 = performance.now();
  const rng = new Rng(opts.seed ?? 1);
  const floats = opts.floats ?? 64 * 1024;
  const maxDelay = opts.maxDelayMs ?? 400;
  const script = await buildChild();
  try {
    return await killLoop(opts, script, rng, floats, maxDelay, t0);
  } finally {
    rmSync(script, { force: true });
  }
}

async function killLoop(
  opts: KillOptions,
  script: string,
  rng: Rng,
  floats: number,
  maxDelay: number,
  t0: number,
): Promise<KillReport> {
  const setup = openStore(opts.dbPath);
  const e = setup.experiments.create({ name: 'kill test', spec: {} });
  const runId = setup.runs.create({
    experimentId: e.id,
    name: 'victim',
    variant: {},
    initSeed: 1,
    dataSeed: 1,
  }).id;
  setup.close();

  const report: KillReport = {
    kills: 0,
    beforeReady: 0,
    beforeResume: 0,
    afterAcks: 0,
    ackedMetricBatches: 0,
    ackedCheckpoints: 0,
    checks: 0,
    finalStep: -1,
    finalCheckpoint: -1,
    ms: 0,
  };
  let ackedMetric = -1; // every metric step ≤ this must be present
  let ackedCkpt = -1; // a checkpoint at ≥ this step must exist
  let latestCkpt = -1; // the latest checkpoint the parent saw (what the next resume uses)

  /** Verifies the store after a child died; returns the latest checkpoint step. */
  const check = (child: ChildOutcome | null): number => {
    const s = openStore(opts.dbPath);
    try {
      const ic = s.integrityCheck();
      if (ic.join() !== 'ok') fail(`integrity_check: ${ic.join('; ')}`);
      const run = s.runs.require(runId);
      if (child) {
        // Killed before its first resume committed, the run is still queued; afterwards a
        // kill must always leave it interrupted (by recovery, or from the previous kill).
        const ok =
          run.status === 'interrupted' || (run.status === 'queued' && run.startedAt === null);
        if (!ok) fail(`run is ${run.status} after a kill, not interrupted`);
        const rec = s.recovered.find((r) => r.runId === runId);
        if (
          child.lines.some((l) => l.startsWith('RESUMED')) &&
          !rec?.reason.includes(`${child.pid} is gone`)
        )
          fail(`recovery did not name the dead owner ${child.pid}: ${JSON.stringify(s.recovered)}`);
      }
      // Metrics: a contiguous prefix of steps, exact values, covering every acked step.
      const loss = s.metrics.series(runId, 'loss');
      const acc = s.metrics.series(runId, 'acc');
      if (acc.steps.length !== loss.steps.length) fail('loss and acc series differ in length');
      loss.steps.forEach((step, i) => {
        if (step !== i) fail(`metric steps not contiguous at index ${i} (step ${step})`);
        if (loss.values[i] !== lossAt(step) || acc.values[i] !== accAt(step))
          fail(`wrong metric value at step ${step}`);
        if (loss.tokens![i] !== step * 512) fail(`wrong tokens at step ${step}`);
      });
      const last = loss.steps.length - 1;
      if (last < ackedMetric) fail(`acked metrics up to ${ackedMetric} but only ${last} stored`);
      // Checkpoints: every one verifies; the latest is complete and exact.
      const list = s.checkpoints.list(runId);
      for (const c of list)
        if (!s.checkpoints.verify(c.id)) fail(`checkpoint ${c.step} fails its CRC`);
      const latest = s.checkpoints.latest(runId);
      const step = latest?.step ?? -1;
      if (step < ackedCkpt) fail(`acked checkpoint ${ackedCkpt} but latest is ${step}`);
      if (latest) {
        const want = stateAt(latest.step, floats);
        if (
          !tensorsMatch(latest.weights, want.weights) ||
          !tensorsMatch(latest.optimizer, want.optimizer)
        )
          fail(`checkpoint ${latest.step} content differs`);
        if (JSON.stringify(latest.dataCursor) !== JSON.stringify(cursorAt(latest.step)))
          fail('checkpoint cursor differs');
        if (JSON.stringify(latest.rngState) !== JSON.stringify(rngAt(latest.step)))
          fail('checkpoint rng differs');
        if (last < latest.step) fail(`checkpoint ${latest.step} committed without its metrics`);
      }
      report.checks++;
      return step;
    } finally {
      s.close();
    }
  };

  const apply = (lines: string[]): void => {
    for (const l of lines) {
      const [tag, kind, arg] = l.split(' ');
      if (tag === 'ACK' && kind === 'M') {
        ackedMetric = Math.max(ackedMetric, Number(arg));
        report.ackedMetricBatches++;
      } else if (tag === 'ACK' && kind === 'C') {
        ackedCkpt = Math.max(ackedCkpt, Number(arg));
        ackedMetric = Math.max(ackedMetric, Number(arg));
        report.ackedCheckpoints++;
      } else if (tag === 'BAD') fail(`child: ${l}`);
    }
  };

  while (report.kills < opts.kills) {
    // Resume discards metrics after the latest checkpoint: from now on only those are owed.
    ackedMetric = Math.min(ackedMetric, latestCkpt);
    const delay = rng.next() * maxDelay;
    const fromReady = rng.next() < 0.75;
    const child = await runChild(
      script,
      [opts.dbPath, String(runId), '100000000', String(floats)],
      delay,
      fromReady,
    );
    if (child.signal !== 'SIGKILL')
      fail(`child exited on its own (code ${child.code}): ${child.lines.slice(-3).join(' | ')}`);
    report.kills++;
    if (!child.lines.some((l) => l.startsWith('READY'))) report.beforeReady++;
    else if (!child.lines.some((l) => l.startsWith('RESUMED'))) report.beforeResume++;
    else if (child.lines.some((l) => l.startsWith('ACK'))) report.afterAcks++;
    apply(child.lines);
    latestCkpt = check(child);
    opts.log?.(
      `kill ${report.kills} ${delay.toFixed(0)} ms after ${fromReady ? 'READY' : 'spawn'}: ${child.lines.length} lines, latest checkpoint ${latestCkpt}, metrics ≥ ${ackedMetric}`,
    );
  }

  // Finally let one child finish: the run resumes and completes with an exact history.
  ackedMetric = Math.min(ackedMetric, latestCkpt);
  const until = Math.max(latestCkpt, 0) + 60;
  const last = await runChild(
    script,
    [opts.dbPath, String(runId), String(until), String(floats)],
    null,
  );
  if (last.code !== 0 || !last.lines.includes('DONE'))
    fail(`final child failed: ${last.lines.join(' | ')}`);
  apply(last.lines);
  report.finalCheckpoint = check(null);
  const s = openStore(opts.dbPath);
  const series = s.metrics.series(runId, 'loss');
  report.finalStep = series.steps[series.steps.length - 1];
  const status = s.runs.require(runId).status;
  s.close();
  if (report.finalStep !== until || series.steps.length !== until + 1)
    fail('final series incomplete');
  if (status !== 'completed') fail(`final status ${status}`);
  report.ms = Math.round(performance.now() - t0);
  return report;
}
