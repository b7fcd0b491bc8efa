/**
 * The representation measures by their CLI names (`homolab measure <name> A.npy B.npy`), each
 * with the metadata the UI and docs show, and one uniform call shape returning the value with
 * any warnings attached (never only logged).
 */
import {
  MEASURE_CATALOGUE,
  REPRESENTATION_MEASURE_IDS,
  type MeasureOptionInfo,
  type RepresentationMeasureId,
} from './catalogue';
import { CCA_MIN_RATIO, pwcca, svcca } from './cca';
import { debiasedCka, linearCka, rbfCka } from './cka';
import type { RepresentationInput } from './representation';
import { mutualKnn } from './mutual-knn';
import { procrustesDistance } from './procrustes';

/** The representation measures' names, from the measure catalogue. */
export const MEASURE_NAMES = REPRESENTATION_MEASURE_IDS;

export type MeasureName = RepresentationMeasureId;

export interface MeasureOptions {
  /** Neighbours for mutual-knn (default 10). */
  k?: number;
  /** rbf-cka: bandwidth as a fraction of the median distance (default 0.5); svcca: fraction of variance kept (default 0.99). */
  threshold?: number;
}

export interface MeasureResult {
  measure: MeasureName;
  value: number;
  /** Caveats that make the value less trustworthy; empty when none. */
  warnings: string[];
}

export interface MeasureInfo {
  name: MeasureName;
  title: string;
  /** 'similarity': higher = more alike (1 = identical); 'distance': lower = more alike (0 = identical). */
  direction: 'similarity' | 'distance';
  range: readonly [number, number];
  formula: string;
  preprocessing: string;
  invariances: string;
  cost: string;
  reference: string;
  options: readonly MeasureOptionInfo[];
  compute(x: RepresentationInput, y: RepresentationInput, options?: MeasureOptions): MeasureResult;
}

function nonFiniteWarning(value: number): string[] {
  return Number.isFinite(value)
    ? []
    : ['The value is undefined for this input (a representation has no usable variance).'];
}

function smallSampleWarning(n: number, d: number, measure: string): string[] {
  return n < d
    ? [
        `${measure} with N = ${n} examples and D = ${d} features: N < D, so the estimate is noisy and (for biased CKA) inflated; prefer debiased-cka or more examples.`,
      ]
    : [];
}

/**
 * The result `computeMeasure(name, x, y)` returns, for a value of a CKA measure or Procrustes
 * computed some other way (e.g. RBF CKA for all pairs at once, cka.ts `rbfCkaPairs`): the same
 * warnings attached. (The other measures add warnings from their own computation.)
 */
export function measureResult(
  name: 'linear-cka' | 'debiased-cka' | 'rbf-cka' | 'procrustes',
  x: RepresentationInput,
  y: RepresentationInput,
  value: number,
): MeasureResult {
  return simple(name, x, y, value);
}

function simple(
  name: MeasureName,
  x: RepresentationInput,
  y: RepresentationInput,
  value: number,
  extra: string[] = [],
): MeasureResult {
  // CCA measures carry their own (stronger) sample-size warning.
  const sample =
    name === 'svcca' || name === 'pwcca'
      ? []
      : smallSampleWarning(x.rows, Math.max(x.cols, y.cols), MEASURES[name].title);
  return { measure: name, value, warnings: [...sample, ...extra, ...nonFiniteWarning(value)] };
}

/** A registry entry's metadata, from the catalogue. */
function info(name: MeasureName): Omit<MeasureInfo, 'compute'> {
  const c = MEASURE_CATALOGUE[name];
  return {
    name,
    title: c.label,
    direction: c.direction,
    range: c.range,
    formula: c.formula,
    preprocessing: c.preprocessing,
    invariances: c.invariances,
    cost: c.cost,
    reference: c.reference,
    options: 'options' in c ? c.options : [],
  };
}

export const MEASURES: Readonly<Record<MeasureName, MeasureInfo>> = {
  'linear-cka': {
    ...info('linear-cka'),
    compute: (x, y) => {
      const v = linearCka(x, y);
      return simple('linear-cka', x, y, v);
    },
  },
  'debiased-cka': {
    ...info('debiased-cka'),
    compute: (x, y) => {
      const v = debiasedCka(x, y);
      return simple('debiased-cka', x, y, v);
    },
  },
  'rbf-cka': {
    ...info('rbf-cka'),
    compute: (x, y, o = {}) => {
      const v = rbfCka(x, y, o.threshold ?? 0.5);
      return simple('rbf-cka', x, y, v);
    },
  },
  procrustes: {
    ...info('procrustes'),
    compute: (x, y) => {
      const v = procrustesDistance(x, y);
      return simple('procrustes', x, y, v);
    },
  },
  'mutual-knn': {
    ...info('mutual-knn'),
    compute: (x, y, o = {}) => {
      const k = o.k ?? 10;
      const v = mutualKnn(x, y, k);
      const warn =
        x.rows < 10 * k
          ? [
              `mutual k-NN with N = ${x.rows} and k = ${k}: chance level k/(N−1) = ${(k / (x.rows - 1)).toFixed(3)} is high.`,
            ]
          : [];
      return simple('mutual-knn', x, y, v, warn);
    },
  },
  svcca: {
    ...info('svcca'),
    compute: (x, y, o = {}) => {
      const r = svcca(x, y, o.threshold ?? 0.99);
      return simple('svcca', x, y, r.value, r.warnings);
    },
  },
  pwcca: {
    ...info('pwcca'),
    compute: (x, y) => {
      const r = pwcca(x, y);
      return simple('pwcca', x, y, r.value, r.warnings);
    },
  },
};

/** True for the CLI names in MEASURE_NAMES. */
export function isMeasureName(s: string): s is MeasureName {
  return (MEASURE_NAMES as readonly string[]).includes(s);
}

/** Computes a representation measure by CLI name; throws for unknown names or bad options. */
export function computeMeasure(
  name: string,
  x: RepresentationInput,
  y: RepresentationInput,
  options: MeasureOptions = {},
): MeasureResult {
  if (!isMeasureName(name))
    throw new Error(`unknown measure '${name}'; expected one of ${MEASURE_NAMES.join(', ')}`);
  return MEASURES[name].compute(x, y, options);
}

export { CCA_MIN_RATIO };
export type { MeasureOptionInfo };
