/**
 * Which stored metric names hold the training and evaluation loss. The worker writes them; we
 * accept the common spellings so the API does not break if the trainer renames one.
 */
import type { MetricName } from './types';

const CANDIDATES: Record<MetricName, string[]> = {
  loss: ['loss', 'train/loss', 'train_loss', 'trainLoss'],
  evalLoss: ['eval_loss', 'evalLoss', 'eval/loss', 'val/loss', 'val_loss', 'valLoss'],
};

/** The stored name for `metric` among a run's metric names, or null. */
export function resolveMetricName(metric: MetricName, available: string[]): string | null {
  for (const c of CANDIDATES[metric]) if (available.includes(c)) return c;
  return null;
}
