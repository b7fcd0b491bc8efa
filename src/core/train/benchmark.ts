/**
 * Throughput measurement shared by `bench/train.ts` and `bench/ensemble.ts` (and usable for the
 * runner's cost estimate): trains on random tokens and times whole steps, readback included.
 */
import type { ModelConfig } from '../model/config';
import { DEFAULT_MODEL } from '../model/config';
import { Transformer } from '../model/transformer';
import { Rng } from '../rng';
import { randomTokenBatch } from './toy-tasks';
import { Trainer } from './trainer';

export interface BenchConfig {
  name: string;
  dModel: number;
  nLayers: number;
  contextLength: number;
  batchSize: number;
  vocabSize: number;
}

export const BENCH_SMALL: BenchConfig = {
  name: 'small',
  dModel: 64,
  nLayers: 2,
  contextLength: 32,
  batchSize: 16,
  vocabSize: 64,
};

export const BENCH_MEDIUM: BenchConfig = {
  name: 'medium',
  dModel: 256,
  nLayers: 4,
  contextLength: 128,
  batchSize: 32,
  vocabSize: 64,
};

/** The model a bench config describes: DEFAULT_MODEL's axes, 4 heads, d_ff = 4·d. */
export function benchModel(b: BenchConfig): ModelConfig {
  return {
    ...DEFAULT_MODEL,
    vocabSize: b.vocabSize,
    contextLength: b.contextLength,
    dModel: b.dModel,
    nHeads: 4,
    nLayers: b.nLayers,
    dFF: 4 * b.dModel,
  };
}

export interface Throughput {
  /** Members trained together (K). */
  members: number;
  steps: number;
  msPerStep: number;
  /** Aggregate over members: K·B·T·steps / seconds. */
  tokensPerSecond: number;
  /**
   * Same per second of this process's CPU time (user + system): what one otherwise idle core
   * would give. Differs from `tokensPerSecond` when other processes compete for the cores.
   */
  tokensPerCpuSecond: number;
  finalLosses: number[];
}

/** Trains `seeds.length` members in lockstep for `warmup + steps` steps; times the last `steps`. */
export async function measureTraining(
  b: BenchConfig,
  seeds: number[],
  steps: number,
  warmup = 2,
): Promise<Throughput> {
  const model = new Transformer(benchModel(b), seeds);
  const trainer = new Trainer(model, { learningRate: 1e-3, warmupSteps: 10, totalSteps: 1000 });
  const rng = new Rng(1234);
  const data = Array.from({ length: 4 }, () =>
    randomTokenBatch(rng, b.batchSize, b.contextLength, b.vocabSize),
  );
  let losses: number[] = [];
  for (let i = 0; i < warmup; i++) await trainer.trainStep(data[i % data.length]);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) losses = (await trainer.trainStep(data[i % data.length])).losses;
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  trainer.dispose();
  model.dispose();
  const tokens = seeds.length * b.batchSize * b.contextLength * steps;
  return {
    members: seeds.length,
    steps,
    msPerStep: ms / steps,
    tokensPerSecond: (tokens * 1000) / ms,
    tokensPerCpuSecond: (tokens * 1000) / cpuMs,
    finalLosses: losses,
  };
}
