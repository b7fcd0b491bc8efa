/**
 * Learning-rate schedule: linear warmup from 0 to `peak` over `warmupSteps`, then a half-cosine
 * decay to `min` at `totalSteps` (held at `min` afterwards). Step indices are 0-based: the
 * update taken at step s uses lr(s), so lr(0) = peak/warmup (never exactly 0).
 */
export interface ScheduleConfig {
  learningRate: number;
  minLearningRate: number;
  warmupSteps: number;
  totalSteps: number;
}

export function learningRateAt(s: ScheduleConfig, step: number): number {
  if (step < s.warmupSteps) return (s.learningRate * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  return (
    s.minLearningRate +
    0.5 * (s.learningRate - s.minLearningRate) * (1 + Math.cos(Math.PI * progress))
  );
}
