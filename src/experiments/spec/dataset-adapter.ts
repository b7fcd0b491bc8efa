/**
 * The dataset part of an experiment spec: src/core/data's `DatasetSpec` schema (dataset kind,
 * parameters and tokenizer), plus the default dataset the presets use.
 */
import {
  datasetSpecSchema as coreDatasetSpecSchema,
  type DatasetSpecInput,
} from '../../core/data/spec';

export const datasetSpecSchema = coreDatasetSpecSchema.describe(
  'Dataset and tokenizer (src/core/data/spec.ts).',
);

/**
 * The presets' dataset: copy/reverse strings — an emergence task (the copy circuit appears
 * abruptly) that small models learn in minutes. `tiny` fits contextLength 8 and trains in
 * seconds.
 */
export function defaultDatasetSpec(size: 'tiny' | 'full'): DatasetSpecInput {
  return size === 'tiny'
    ? {
        kind: 'copy-reverse',
        mode: 'copy',
        alphabetSize: 5,
        minLength: 2,
        maxLength: 3,
        numTrain: 64,
        numValidation: 16,
        seed: 0,
      }
    : {
        kind: 'copy-reverse',
        mode: 'mixed',
        alphabetSize: 10,
        minLength: 3,
        maxLength: 10,
        numTrain: 20_000,
        numValidation: 1_000,
        seed: 0,
      };
}
