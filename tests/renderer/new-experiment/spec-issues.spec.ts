/** The form's "start from" field: the CLI's `--from` syntax, or nothing. */
import { describe, expect, it } from 'vitest';
import { parseFrom } from '../../../renderer/src/new-experiment/spec-issues';

describe('parseFrom', () => {
  it('reads run-N and run-N@step, empty as none, anything else as invalid', () => {
    expect(parseFrom('')).toBeNull();
    expect(parseFrom('  ')).toBeNull();
    expect(parseFrom('run-3')).toEqual({ runId: 3 });
    expect(parseFrom(' run-3@200 ')).toEqual({ runId: 3, step: 200 });
    for (const bad of ['run x', '3', 'run-', 'run-3@', 'run-3@-1', 'exp-3', 'run-1.5'])
      expect(parseFrom(bad)).toBeUndefined();
  });
});
