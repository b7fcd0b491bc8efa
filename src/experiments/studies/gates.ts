/**
 * Learn gates: what "the model learned the task" means, checked per run and per arm. A run
 * that fails its gate is left out of the tests and listed with its figures; a verdict whose
 * arms do not all keep enough learned runs is `inconclusive`, naming the failing gate.
 */
import { finite } from '../stats';

/** One checked condition, as the report JSON carries it. */
export interface Gate {
  name: string;
  passed: boolean;
  /** The figures behind it, in words. */
  detail: string;
  /** The run (or arm) it concerns. */
  runId?: number;
  arm?: string;
}

export interface LearnCriterion {
  /** Exact-match accuracy on held-out task data a run must reach at its final checkpoint. */
  exactMatch: number;
  /** Learned runs each arm must keep for a verdict. */
  minRuns: number;
}

/** The per-run learn gate from the held-out exact match at the final checkpoint. */
export function learnGate(
  runId: number,
  arm: string,
  exactMatch: number,
  tokenAccuracy: number,
  c: LearnCriterion,
): Gate {
  const em = finite(exactMatch);
  return {
    name: 'learned',
    runId,
    arm,
    passed: em !== null && em >= c.exactMatch,
    detail: `held-out exact match ${em === null ? 'n/a' : em.toFixed(3)} (needs ≥ ${c.exactMatch}), token accuracy ${tokenAccuracy.toFixed(3)}`,
  };
}

/** The arm gate: enough runs of `arm` passed their learn gate. */
export function armGate(arm: string, runGates: readonly Gate[], c: LearnCriterion): Gate {
  const mine = runGates.filter((g) => g.arm === arm && g.name === 'learned');
  const ok = mine.filter((g) => g.passed).length;
  return {
    name: 'enough learned runs',
    arm,
    passed: ok >= c.minRuns,
    detail: `${ok} of ${mine.length} runs of ${arm} learned (needs ≥ ${c.minRuns})`,
  };
}

/** The failed gates among `gates`, as one sentence; null when all passed. */
export function failedGates(gates: readonly Gate[]): string | null {
  const bad = gates.filter((g) => !g.passed);
  if (!bad.length) return null;
  return `gate failed: ${bad.map((g) => `${g.name}${g.arm ? ` (${g.arm})` : g.runId ? ` (run-${g.runId})` : ''} — ${g.detail}`).join('; ')}`;
}
