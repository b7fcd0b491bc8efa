/**
 * The run lifecycle:
 *
 *   queued → running → completed | failed | cancelled | diverged | interrupted
 *   interrupted → queued | running   (resume)
 *   queued | interrupted → cancelled (the user gives up on it)
 *
 * completed, failed, cancelled and diverged are terminal. `interrupted` is set by recovery
 * (the owning process died or stopped heart-beating) or by a worker that shuts down cleanly
 * mid-run (pause); either way the run can resume from its last checkpoint.
 */
import type { RunStatus } from './types';

const ALLOWED: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['running', 'cancelled'],
  running: ['completed', 'failed', 'cancelled', 'diverged', 'interrupted'],
  interrupted: ['queued', 'running', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
  diverged: [],
};

export const TERMINAL_STATUSES: readonly RunStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'diverged',
];

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function allowedTransitions(from: RunStatus): readonly RunStatus[] {
  return ALLOWED[from];
}

/** True if a process with this pid exists on this machine (EPERM still means it exists). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
