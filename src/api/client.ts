/**
 * The transport-agnostic client the renderer (and tests) use: one `call` per operation, typed
 * from the contract, and an event subscription. Transports only move ApiResponse envelopes.
 * Browser-safe.
 */
import type { ApiError, ApiResponse, LabEvent, OperationName, OpInput, OpOutput } from './contract';

/** Moves envelopes; implemented over Electron IPC (preload object) and over HTTP + WebSocket. */
export interface Transport {
  invoke(name: OperationName, payload: unknown): Promise<ApiResponse>;
  subscribe(listener: (event: LabEvent) => void): () => void;
}

/** Thrown by LabClient.call when the operation failed; carries the typed error. */
export class ApiCallError extends Error {
  constructor(
    readonly operation: OperationName,
    readonly error: ApiError,
  ) {
    super(error.message);
    this.name = 'ApiCallError';
  }
  get code() {
    return this.error.code;
  }
}

export interface LabClient {
  call<N extends OperationName>(name: N, input: OpInput<N>): Promise<OpOutput<N>>;
  subscribe(listener: (event: LabEvent) => void): () => void;
}

export function createClient(transport: Transport): LabClient {
  return {
    async call(name, input) {
      const res = await transport.invoke(name, input);
      if (!res.ok) throw new ApiCallError(name, res.error);
      return res.result as never;
    },
    subscribe: (listener) => transport.subscribe(listener),
  };
}
