/**
 * The shape of the one object the preload exposes as `window.homolab`: one method per contract
 * operation (returning the ApiResponse envelope) plus `onEvent` for pushed progress. Types only;
 * shared by the preload, the renderer and the tests.
 */
import type { ApiResponse, LabEvent, OperationName } from '../src/api/contract';

export type PreloadOperation = (input?: unknown) => Promise<ApiResponse>;

export type PreloadApi = { readonly [N in OperationName]: PreloadOperation } & {
  /** Subscribes to LabEvents; returns the unsubscribe function. */
  readonly onEvent: (listener: (event: LabEvent) => void) => () => void;
};

/** The IPC channel names (one for calls, one for pushed events). */
export const IPC_INVOKE = 'homolab:invoke';
export const IPC_EVENT = 'homolab:event';
