/** Planning sessions from a real store: lockstep grouping, resume grouping by checkpoint step. */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../db/store';
import { createExperiment } from '../../../src/experiments/spec/create';
import { planJobs } from '../../../src/experiments/execution/plan';
import { getPreset } from '../../../src/experiments/spec/presets';
import { classifyError } from '../../../src/experiments/execution/worker/errors';

describe('planJobs', () => {
  it('stacks queued seed variants, splits by maxGroupSize, or trains alone', () => {
    const store = openStore(':memory:');
    const spec = getPreset('seed-sweep').spec('tiny');
    spec.axes = { grid: { 'model.nLayers': [1, 2], initSeed: [0, 1, 2] } };
    const { experiment } = createExperiment(store, spec);
    const jobs = planJobs(store, experiment.id);
    expect(jobs.map((j) => j.runIds)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(planJobs(store, experiment.id, { maxGroupSize: 2 }).map((j) => j.runIds)).toEqual([
      [1, 2],
      [3],
      [4, 5],
      [6],
    ]);
    expect(planJobs(store, experiment.id, { lockstep: false })).toHaveLength(6);
    store.close();
  });

  it('resumes interrupted runs grouped by their last checkpoint step', () => {
    const store = openStore(':memory:');
    const spec = getPreset('seed-sweep').spec('tiny');
    spec.axes = { grid: { initSeed: [0, 1, 2, 3] } };
    const { experiment, runs } = createExperiment(store, spec);
    const cp = (step: number) => ({
      step,
      weights: {},
      optimizer: {},
      dataCursor: {},
      rngState: [],
    });
    runs.forEach((r, i) => {
      store.runs.start(r.id);
      if (i < 2) store.checkpoints.save(r.id, cp(6));
      else if (i === 2) store.checkpoints.save(r.id, cp(3));
      store.runs.transition(r.id, 'interrupted', { reason: 'test' });
    });
    expect(planJobs(store, experiment.id)).toEqual([]); // only queued runs without resume
    const jobs = planJobs(store, experiment.id, { resume: true });
    expect(jobs.map((j) => [j.runIds, j.fromStep])).toEqual([
      [[1, 2], 6],
      [[3], 3],
      [[4], 0],
    ]);
    expect(planJobs(store, experiment.id, { resume: true, runIds: [2] })).toEqual([
      { runIds: [2], fromStep: 6, totalSteps: 12 },
    ]);
    store.close();
  });
});

describe('worker error classification', () => {
  it('turns OOM and lost devices into advice, leaves other errors to the run', () => {
    expect(classifyError(new Error('Failed to allocate GPU buffer: out of memory')).kind).toBe(
      'oom',
    );
    expect(classifyError(new RangeError('Array buffer allocation failed')).advice).toMatch(
      /--max-group|smaller/,
    );
    expect(classifyError(new Error('GPUDevice was lost: reason destroyed')).kind).toBe(
      'device-lost',
    );
    const b = Object.assign(new Error("Backend 'webgpu' is not available"), {
      name: 'BackendUnavailableError',
    });
    expect(classifyError(b).kind).toBe('backend');
    expect(classifyError(new Error('contextLength must be at least 9')).kind).toBe('run');
  });
});
