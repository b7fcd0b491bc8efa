/** Errors the store throws that callers may want to tell apart. */

export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly id: number,
  ) {
    super(`${entity} ${id} not found`);
    this.name = 'NotFoundError';
  }
}

export class InvalidTransitionError extends Error {
  constructor(
    readonly runId: number,
    readonly from: string,
    readonly to: string,
  ) {
    super(`run ${runId}: cannot go from '${from}' to '${to}'`);
    this.name = 'InvalidTransitionError';
  }
}
