/** Errors a handler throws to give the caller a precise, typed failure. */
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
