/** Samples: text a run generated for a prompt at a step (side-by-side generations). */
import { fromJsonText, toJsonText } from '../json';
import type { JsonObject, SampleInput, SampleRow } from '../types';
import type { RepoContext } from './context';

interface Raw {
  id: number;
  run_id: number;
  step: number;
  prompt: string;
  output: string;
  params: string;
  created_at: number;
}

function toRow(r: Raw): SampleRow {
  return {
    id: r.id,
    runId: r.run_id,
    step: r.step,
    prompt: r.prompt,
    output: r.output,
    params: fromJsonText<JsonObject>(r.params),
    createdAt: r.created_at,
  };
}

export interface SamplesRepo {
  create(input: SampleInput, opts?: { createdAt?: number }): SampleRow;
  /** A run's samples by step (optionally one step only). */
  list(runId: number, opts?: { step?: number }): SampleRow[];
  /** Deletes a run's samples with step > `step` (resume). Returns rows deleted. */
  discardAfter(runId: number, step: number): number;
  delete(id: number): boolean;
}

export function createSamplesRepo({ db, now, retry }: RepoContext): SamplesRepo {
  const ins = db.prepare(
    `INSERT INTO samples (run_id, step, prompt, output, params, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare('SELECT * FROM samples WHERE id = ?');
  const byRun = db.prepare(
    'SELECT * FROM samples WHERE run_id = @run AND (@step IS NULL OR step = @step) ORDER BY step, id',
  );
  const discard = db.prepare('DELETE FROM samples WHERE run_id = ? AND step > ?');
  const del = db.prepare('DELETE FROM samples WHERE id = ?');
  return {
    create(input, opts = {}) {
      const id = retry(
        () =>
          ins.run(
            input.runId,
            input.step,
            input.prompt,
            input.output,
            toJsonText(input.params ?? {}, 'sample params'),
            opts.createdAt ?? now(),
          ).lastInsertRowid,
      );
      return toRow(byId.get(id) as Raw);
    },
    list(runId, opts = {}) {
      return (byRun.all({ run: runId, step: opts.step ?? null }) as Raw[]).map(toRow);
    },
    discardAfter(runId, step) {
      return retry(() => discard.run(runId, step).changes);
    },
    delete(id) {
      return retry(() => del.run(id).changes > 0);
    },
  };
}
