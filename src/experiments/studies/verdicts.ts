/**
 * The verdict logic, as pure functions of the statistics (so it can be fed simulated data and
 * checked for calibration: tests/experiments/studies/calibration.test.ts). A verdict is
 * `reproduced` only when every gate it rests on passed and the test says so at α = 0.05 in the
 * expected direction; `not-reproduced` when the test is significant the other way (or the
 * interval lies entirely on the wrong side of the chance level); `inconclusive` otherwise,
 * with the reason.
 */
import {
  above,
  below,
  formatEstimate,
  type PairwiseDifference,
  type PairwiseEstimate,
} from '../stats';
import type { VerdictStatus } from '../../reports';
import { failedGates, type Gate } from './gates';
import type { Verdict } from './types';

export const ALPHA = 0.05;

const fmtP = (p: number): string => (p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`);

/** Expected: a − b > 0 (e.g. the shared-base arm more homogenized than the scratch arm). */
export function differenceVerdict(
  expectation: string,
  what: string,
  d: PairwiseDifference,
  gates: readonly Gate[],
  names: [string, string],
): Verdict {
  const evidence = `${what}: ${names[0]} ${formatEstimate(d.a)}, ${names[1]} ${formatEstimate(d.b)}; difference ${formatEstimate(d)}${d.test ? `, permutation p ${fmtP(d.test.pValue)} (${d.test.method}, ${d.test.permutations} relabellings of models)` : ''}.`;
  const failed = failedGates(gates);
  if (failed) return { expectation, status: 'inconclusive', evidence: `${evidence} ${failed}.` };
  if (!d.test || d.value === null)
    return {
      expectation,
      status: 'inconclusive',
      evidence: `${evidence} No test: ${d.interval.reason ?? 'undefined statistic'}.`,
    };
  let status: VerdictStatus = 'inconclusive';
  if (d.test.pValue < ALPHA) status = d.value > 0 ? 'reproduced' : 'not-reproduced';
  const tail =
    status === 'inconclusive'
      ? ` Not significant at ${ALPHA} with these models.`
      : status === 'not-reproduced'
        ? ` Significant in the opposite direction.`
        : '';
  return { expectation, status, evidence: evidence + tail };
}

/**
 * Expected: the estimate lies above `chance` (e.g. a change over init above 0, an accuracy above
 * its permutation chance): reproduced when the whole interval is above, not-reproduced when it
 * is entirely below, inconclusive otherwise (or without an interval).
 */
export function aboveVerdict(
  expectation: string,
  what: string,
  e: PairwiseEstimate,
  chance: number,
  gates: readonly Gate[],
  chanceLabel = `${chance}`,
): Verdict {
  const evidence = `${what}: ${formatEstimate(e)} against ${chanceLabel}.`;
  const failed = failedGates(gates);
  if (failed) return { expectation, status: 'inconclusive', evidence: `${evidence} ${failed}.` };
  if (e.interval.lower === null)
    return {
      expectation,
      status: 'inconclusive',
      evidence: `${evidence} No interval: ${e.interval.reason}.`,
    };
  const status: VerdictStatus = above(e.interval, chance)
    ? 'reproduced'
    : below(e.interval, chance)
      ? 'not-reproduced'
      : 'inconclusive';
  return {
    expectation,
    status,
    evidence: status === 'inconclusive' ? `${evidence} The interval includes it.` : evidence,
  };
}
