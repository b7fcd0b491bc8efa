/**
 * The handler manager: the single entry point both transports (Electron IPC and the HTTP
 * server) call. It rejects unknown operation names, validates every payload against the
 * contract's zod schema, runs the handler and wraps the outcome in an ApiResponse, so no
 * exception or unvalidated value crosses a transport.
 */
import { z } from 'zod';
import {
  contract,
  type ApiIssue,
  type ApiResponse,
  type OperationName,
  type OpOutput,
  type OpParsed,
} from './contract';
import { internalError, knownFailure, newErrorId } from './errors';
import { humanIssue } from '../experiments/spec/spec-errors';

/** Who is calling; handlers may use it to refuse host-only operations (e.g. native dialogs). */
export interface CallContext {
  transport: 'ipc' | 'http' | 'direct';
}

export type Handler<N extends OperationName> = (
  input: OpParsed<N>,
  ctx: CallContext,
) => OpOutput<N> | Promise<OpOutput<N>>;

export type Handlers = { [N in OperationName]: Handler<N> };

export interface Dispatcher {
  dispatch(name: string, payload: unknown, ctx: CallContext): Promise<ApiResponse>;
}

const isOperation = (name: string): name is OperationName =>
  Object.prototype.hasOwnProperty.call(contract, name);

/** Turns zod issues into issues that name the field and say the problem in words. */
export function describeIssues(error: z.ZodError): ApiIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(input)',
    ...humanIssue(i),
  }));
}

/**
 * Builds the dispatcher. `onError` sees unexpected errors (neither an ApiFailure nor a store
 * error with a user-facing message) with the id it is logged under; the caller gets only a
 * generic message carrying that id, so no internal message or stack reaches a client.
 */
export function createDispatcher(
  handlers: Handlers,
  onError: (name: string, err: unknown, errorId: string) => void = () => {},
): Dispatcher {
  return {
    async dispatch(name, payload, ctx) {
      if (typeof name !== 'string' || !isOperation(name))
        return {
          ok: false,
          error: { code: 'unknown_operation', message: `Unknown operation: ${String(name)}` },
        };
      const parsed = contract[name].input.safeParse(payload ?? {});
      if (!parsed.success) {
        const issues = describeIssues(parsed.error);
        return {
          ok: false,
          error: {
            code: 'invalid_input',
            message: `Invalid input for ${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
            issues,
          },
        };
      }
      try {
        const handler = handlers[name] as Handler<OperationName>;
        const result = await handler(parsed.data as OpParsed<OperationName>, ctx);
        return { ok: true, result };
      } catch (err) {
        const known = knownFailure(err);
        if (known) return { ok: false, error: known.toJSON() };
        const errorId = newErrorId();
        onError(name, err, errorId);
        return { ok: false, error: internalError(errorId) };
      }
    },
  };
}
