import { describe, expect, it } from 'vitest';
import { OPERATION_NAMES } from '../../src/api/contract';
import { createDispatcher, type Handlers } from '../../src/api/dispatcher';
import { ApiFailure } from '../../src/api/errors';
import { NotFoundError } from '../../db/errors';

/** Handlers that record what they received; any op not overridden fails loudly. */
function handlers(overrides: Partial<Handlers>): Handlers {
  const base = Object.fromEntries(
    OPERATION_NAMES.map((n) => [
      n,
      () => {
        throw new Error(`${n} not expected`);
      },
    ]),
  ) as unknown as Handlers;
  return { ...base, ...overrides };
}

describe('dispatcher', () => {
  it('validates input, fills defaults and passes parsed input to the handler', async () => {
    let seen: unknown;
    const d = createDispatcher(handlers({ getMetrics: (input) => ((seen = input), []) }));
    const r = await d.dispatch('getMetrics', { runIds: [1, 2] }, { transport: 'direct' });
    expect(r).toEqual({ ok: true, result: [] });
    expect(seen).toEqual({ runIds: [1, 2], metric: 'loss', x: 'step', maxPoints: 1000 });
  });

  it('rejects bad payloads naming every bad field, without calling the handler', async () => {
    const d = createDispatcher(handlers({}));
    const r = await d.dispatch(
      'getMetrics',
      { runIds: [], metric: 'accuracy', extra: 1 },
      { transport: 'http' },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_input');
    const paths = r.error.issues!.map((i) => i.path).sort();
    expect(paths).toEqual(['(input)', 'metric', 'runIds']);
  });

  it('refuses unknown operation names, including prototype keys', async () => {
    const d = createDispatcher(handlers({}));
    for (const name of ['nope', '__proto__', 'constructor', 'toString']) {
      const r = await d.dispatch(name, {}, { transport: 'ipc' });
      expect(r).toMatchObject({ ok: false, error: { code: 'unknown_operation' } });
    }
  });

  it('passes ApiFailures through and hides unexpected errors behind a logged id', async () => {
    const logged: string[] = [];
    const d = createDispatcher(
      handlers({
        getExperiment: () => {
          throw new ApiFailure('not_found', 'Experiment 9 not found');
        },
        listExperiments: () => {
          throw new TypeError('boom at /secret/path.ts:12');
        },
        deleteComparison: () => {
          throw new NotFoundError('run', 7);
        },
      }),
      (name, _err, id) => logged.push(`${name} ${id}`),
    );
    expect(await d.dispatch('getExperiment', { id: 9 }, { transport: 'direct' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'Experiment 9 not found' },
    });
    const r = await d.dispatch('listExperiments', {}, { transport: 'direct' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('internal');
    expect(r.error.errorId).toMatch(/^[0-9a-f]{12}$/);
    expect(r.error.message).not.toContain('boom');
    expect(r.error.message).toContain(r.error.errorId);
    expect(logged).toEqual([`listExperiments ${r.error.errorId}`]);
    // The store's own not-found error is a typed failure, not an internal one.
    expect(await d.dispatch('deleteComparison', { id: 7 }, { transport: 'direct' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'Run 7 not found' },
    });
  });
});
