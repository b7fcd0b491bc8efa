/** A small typed fan-out of LabEvents from the runner/analysis to every connected transport. */
import type { LabEvent } from './contract';

export type LabEventListener = (event: LabEvent) => void;

export class EventBus {
  private readonly listeners = new Set<LabEventListener>();

  /** Subscribes; returns the unsubscribe function. */
  on(listener: LabEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: LabEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // One broken subscriber (e.g. a closed socket) must not stop the others.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
