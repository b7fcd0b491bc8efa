/**
 * The measures as the UI explains them (`getOptions().measures`): the measure catalogue's
 * entries in the API's `MeasureInfo` shape.
 */
import { MEASURE_CATALOGUE, MEASURE_IDS, type MeasureId } from '../core/similarity/catalogue';
import type { MeasureInfo } from './types';

function toInfo(id: MeasureId): MeasureInfo {
  const c = MEASURE_CATALOGUE[id];
  const cost = 'cost' in c ? ` Cost: ${c.cost}.` : '';
  return {
    id,
    name: c.label,
    family: c.family,
    summary: `${c.summary} ${c.formula}. Invariant to ${c.invariances}. Preprocessing: ${c.preprocessing}.${cost} Reference: ${c.reference}.`,
    higherIsSimilar: c.direction === 'similarity',
    direction: c.direction,
    docAnchor: id,
    range: c.range ? [c.range[0], c.range[1]] : null,
  };
}

export function measureInfos(): MeasureInfo[] {
  return MEASURE_IDS.map(toInfo);
}

export function measureInfo(id: string): MeasureInfo | undefined {
  return Object.prototype.hasOwnProperty.call(MEASURE_CATALOGUE, id)
    ? toInfo(id as MeasureId)
    : undefined;
}
