/**
 * Errors a handler throws to give the caller a precise, typed failure, and the one table that
 * maps each error code to its HTTP status (the serve transport answers with it; IPC carries
 * the code only).
 */
import { randomBytes } from 'node:crypto';
import { InvalidTransitionError, NotFoundError } from '../../db/errors';
import type { ApiError, ApiErrorCode } from './contract';

export class ApiFailure extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: ApiError['issues'],
  ) {
    super(message);
    this.name = 'ApiFailure';
  }

  toJSON(): ApiError {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
    };
  }
}

export const notFound = (what: string, id: string) =>
  new ApiFailure('not_found', `${what} ${id} not found`);
export const unsupported = (message: string) => new ApiFailure('unsupported', message);

/** The HTTP status of every error code. */
export const HTTP_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  unknown_operation: 404,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  unsupported: 422,
  over_capacity: 422,
  needs_confirmation: 422,
  rate_limited: 429,
  internal: 500,
};

/**
 * The store's own errors carry messages written for users ("run 7 not found", "run 3: cannot
 * go from 'completed' to 'running'"); they become typed failures instead of internal errors.
 */
export function knownFailure(err: unknown): ApiFailure | null {
  if (err instanceof ApiFailure) return err;
  if (err instanceof NotFoundError) return new ApiFailure('not_found', capitalise(err.message));
  if (err instanceof InvalidTransitionError)
    return new ApiFailure('conflict', capitalise(err.message));
  return null;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A short random id that ties a generic error answer to its log line. */
export const newErrorId = (): string => randomBytes(6).toString('hex');

/** What a client sees for an unexpected error: nothing internal, only the id to look up. */
export function internalError(errorId: string): ApiError {
  return {
    code: 'internal',
    message: `Internal error (id ${errorId}); the details are in the lab's log.`,
    errorId,
  };
}
