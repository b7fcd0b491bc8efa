/**
 * The cost gate: does a job fit this machine, and is its cost high enough to need an explicit
 * go-ahead? Used before anything is stored or started — by the API's createExperiment and
 * startExperiment (`confirmCost: true` goes past a confirmation), by `homolab run` (`--yes`)
 * and shown by the UI (its estimate carries the verdict).
 *
 * Memory: the largest lockstep group's estimate (memory-estimate.ts) against what the backend
 * can use — a wasm worker's heap is at most 4 GiB (memory32); a GPU backend's the GPU memory
 * when known; otherwise the machine's RAM (cgroup limit included). Over 90 % of it: refused,
 * naming the number and the field to change. Over what is free right now: needs confirmation.
 * Time: the estimate function's (estimate.ts); over `confirmSeconds` (24 h; the UI asks at
 * 1 h) it needs confirmation.
 */
import { readFileSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { formatBytes } from '../../core/text/bytes';
import { estimateCost, type BackendName } from './estimate';
import type { RunRow } from '../../../db/types';
import { storedVariant } from './create';
import { estimateTrainingMemory, type MemoryBreakdown } from './memory-estimate';
import { groupLockstep, type Variant } from './variants';

/** Past this estimated time a job needs an explicit go-ahead (API, CLI). */
export const CONFIRM_SECONDS = 24 * 3600;
/** The UI asks earlier. */
export const UI_CONFIRM_SECONDS = 3600;
/** tfjs-wasm keeps every tensor in one 32-bit WebAssembly heap. */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
/** Share of the machine's memory a job may plan to use (the rest is the system's). */
const USABLE_SHARE = 0.9;

export interface MachineMemory {
  /** RAM (or the cgroup's limit, when lower). */
  totalBytes: number;
  /** RAM free for a new process now (MemAvailable on Linux). */
  availableBytes: number;
  /** The GPU's memory, when known (e.g. `HOMOLAB_GPU_MEMORY_BYTES`). */
  gpuBytes: number | null;
}

function readNumber(file: string, pattern?: RegExp): number | null {
  try {
    const text = readFileSync(file, 'utf8');
    const m = pattern ? pattern.exec(text) : /^\s*(\d+)\s*$/.exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** What this machine has (Linux details where available, `os` elsewhere). */
export function machineMemory(env: NodeJS.ProcessEnv = process.env): MachineMemory {
  const cgroup = readNumber('/sys/fs/cgroup/memory.max');
  const total = Math.min(totalmem(), cgroup ?? Infinity);
  const availableKb = readNumber('/proc/meminfo', /^MemAvailable:\s+(\d+)\s+kB/m);
  const available = Math.min(total, availableKb !== null ? availableKb * 1024 : freemem());
  const gpu = Number(env.HOMOLAB_GPU_MEMORY_BYTES);
  return {
    totalBytes: total,
    availableBytes: available,
    gpuBytes: Number.isFinite(gpu) && gpu > 0 ? gpu : null,
  };
}

/** Kinds of cost issues, so the app can word them in the user's language (params per code). */
export const COST_ISSUE_CODES = [
  'memory_attention', // size
  'memory_activations', // tokens, size
  'memory_parameters', // millions, size
  'memory_lockstep', // members
  'memory_free', // need, free
  'long_training', // time, backend
] as const;
export type CostIssueCode = (typeof COST_ISSUE_CODES)[number];

export interface CostIssue {
  path: string;
  message: string;
  code?: CostIssueCode;
  params?: Record<string, string | number>;
}

export interface CostVerdict {
  /** False: the job cannot run here; `issues` say what to change. */
  fits: boolean;
  /** True: the job may run but needs an explicit go-ahead (`confirmCost` / `--yes`). */
  needsConfirmation: boolean;
  /** The largest lockstep group's memory. */
  memory: MemoryBreakdown;
  /** What the memory is compared with, and what that is. */
  limitBytes: number;
  limitSource: string;
  /** Estimated wall time (s) from the estimate function. */
  seconds: number;
  /** The backend the time is estimated for. */
  backend: BackendName;
  issues: CostIssue[];
  /** One line for people. */
  summary: string;
}

export interface CostGateInput {
  variants: Variant[];
  /** The tokenizer's vocabulary size (when a variant does not give model.vocabSize). */
  vocabSize: number;
  /** `auto`: time as on wasm, memory against the machine's RAM (the runner picks the backend). */
  backend: BackendName | 'auto';
  maxGroupSize?: number;
  machine?: MachineMemory;
  /** Estimated time past which confirmation is needed (default CONFIRM_SECONDS). */
  confirmSeconds?: number;
}

const fmtHours = (s: number) =>
  s >= 48 * 3600 ? `${(s / 86400).toFixed(1)} days` : `${(s / 3600).toFixed(1)} h`;

/** What dominates a memory estimate, as the spec fields that would shrink it. */
function fieldsToChange(m: MemoryBreakdown, v: Variant, vocab: number): CostIssue[] {
  const d = v.model.dModel;
  const tokensMsg = `batch ${v.training.batchSize} × context ${v.model.contextLength}`;
  const acts = formatBytes(m.activationBytes);
  const params = formatBytes(m.stateBytes + m.checkpointBytes);
  const out: CostIssue[] = [];
  if (m.activationBytes >= m.stateBytes + m.checkpointBytes) {
    if (m.attentionBytes > m.activationBytes / 2)
      out.push({
        path: 'model.contextLength',
        message: `attention over ${v.model.contextLength}² positions takes ${formatBytes(m.attentionBytes)}; lower model.contextLength`,
        code: 'memory_attention',
        params: { size: formatBytes(m.attentionBytes) },
      });
    out.push({
      path: 'training.batchSize',
      message: `activations (${tokensMsg}) take ${acts}; lower training.batchSize`,
      code: 'memory_activations',
      params: { tokens: tokensMsg, size: acts },
    });
  } else {
    const embedding = (v.model.vocabSize ?? vocab) * d;
    const layers = v.model.nLayers * (4 * d * d + 2 * d * v.model.dFF);
    out.push({
      path: embedding > layers ? 'model.vocabSize' : 'model.dModel',
      message: `${(m.parameters / 1e6).toFixed(1)}M parameters with AdamW state take ${params}; lower ${
        embedding > layers
          ? 'the vocabulary (model.vocabSize or the tokenizer) or model.dModel'
          : 'model.dModel, model.nLayers or model.dFF'
      }`,
      code: 'memory_parameters',
      params: { millions: (m.parameters / 1e6).toFixed(1), size: params },
    });
  }
  if (m.members > 1)
    out.push({
      path: 'lockstep',
      message: `${m.members} members train stacked in one model; train fewer at once (maxGroupSize / --max-group)`,
      code: 'memory_lockstep',
      params: { members: m.members },
    });
  return out;
}

/** The verdict for training `variants` here (see the top of this file). */
export function costGate(input: CostGateInput): CostVerdict {
  const machine = input.machine ?? machineMemory();
  const groups = groupLockstep(input.variants, input.maxGroupSize);
  let worst: { m: MemoryBreakdown; v: Variant } | null = null;
  for (const g of groups) {
    const v = g.variants[0];
    const model = { ...v.model, vocabSize: v.model.vocabSize ?? input.vocabSize };
    const m = estimateTrainingMemory(model, v.training, g.variants.length);
    if (!worst || m.totalBytes > worst.m.totalBytes) worst = { m, v };
  }
  if (!worst) throw new Error('cost gate: no variants');
  const { m, v } = worst;
  const gpuBackend = input.backend === 'webgpu' || input.backend === 'tensorflow';
  const system = USABLE_SHARE * machine.totalBytes;
  let limitBytes = system;
  let limitSource = `${Math.round(USABLE_SHARE * 100)} % of this machine's ${formatBytes(machine.totalBytes)} of memory`;
  if (gpuBackend && machine.gpuBytes) {
    limitBytes = USABLE_SHARE * machine.gpuBytes;
    limitSource = `${Math.round(USABLE_SHARE * 100)} % of the GPU's ${formatBytes(machine.gpuBytes)}`;
  } else if (input.backend === 'wasm' && WASM_HEAP_BYTES < system) {
    limitBytes = WASM_HEAP_BYTES;
    limitSource = `the wasm backend's ${formatBytes(WASM_HEAP_BYTES)} heap`;
  }
  const timeBackend: BackendName = input.backend === 'auto' ? 'wasm' : input.backend;
  const seconds = estimateCost(groups, input.vocabSize, timeBackend).seconds;
  const issues: CostIssue[] = [];
  const need = formatBytes(m.totalBytes);
  const fits = m.totalBytes <= limitBytes;
  let needsConfirmation = false;
  let summary: string;
  if (!fits) {
    summary = `needs about ${need} of memory for training, more than ${limitSource} (${formatBytes(limitBytes)})`;
    issues.push(...fieldsToChange(m, v, input.vocabSize));
  } else {
    summary = `needs about ${need} of memory, about ${fmtHours(seconds)} on ${timeBackend}`;
    if (!gpuBackend && m.totalBytes > machine.availableBytes) {
      needsConfirmation = true;
      issues.push({
        path: 'memory',
        message: `needs about ${need} but only ${formatBytes(machine.availableBytes)} is free now; close other programs or confirm`,
        code: 'memory_free',
        params: { need, free: formatBytes(machine.availableBytes) },
      });
    }
    if (seconds > (input.confirmSeconds ?? CONFIRM_SECONDS)) {
      needsConfirmation = true;
      issues.push({
        path: 'training.steps',
        message: `estimated ${fmtHours(seconds)} on ${timeBackend}; lower training.steps (or tokens), the model size or the variants, or confirm`,
        code: 'long_training',
        params: { time: fmtHours(seconds), backend: timeBackend },
      });
    }
  }
  return {
    fits,
    needsConfirmation,
    memory: m,
    limitBytes,
    limitSource,
    seconds,
    backend: timeBackend,
    issues,
    summary,
  };
}

/** What stored runs will train when started or resumed (their queued/interrupted ones). */
export function variantsOfRuns(runs: RunRow[]): Variant[] {
  return runs
    .filter((r) => r.status === 'queued' || r.status === 'interrupted')
    .map((r) => ({
      ...storedVariant(r),
      name: r.name,
      initSeed: r.initSeed,
      dataSeed: r.dataSeed,
    }));
}

/** Thrown when the gate refuses a job, or wants a confirmation it did not get. */
export class CostGateError extends Error {
  constructor(
    readonly verdict: CostVerdict,
    readonly kind: 'over_capacity' | 'needs_confirmation',
  ) {
    super(
      kind === 'over_capacity'
        ? `This job does not fit this machine: it ${verdict.summary}. ${verdict.issues.map((i) => i.message).join('; ')}.`
        : `This job ${verdict.summary}: ${verdict.issues.map((i) => i.message).join('; ')}. Confirm to go ahead.`,
    );
    this.name = 'CostGateError';
  }
}

/** Throws CostGateError unless the job fits and, where needed, was confirmed. */
export function enforceCostGate(verdict: CostVerdict, confirmed: boolean): void {
  if (!verdict.fits) throw new CostGateError(verdict, 'over_capacity');
  if (verdict.needsConfirmation && !confirmed)
    throw new CostGateError(verdict, 'needs_confirmation');
}
