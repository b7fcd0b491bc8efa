/**
 * Saved comparisons: a named comparison of experiments, its options and the numbers as
 * computed (the snapshot), with its experiments linked in display order.
 */
import { fromJsonText, toJsonText } from '../json';
import type { ComparisonInput, ComparisonRow, Json, JsonObject } from '../types';
import type { RepoContext } from './context';

interface Raw {
  id: number;
  name: string;
  options: string;
  snapshot: string;
  format: number;
  created_at: number;
}

interface RawMember {
  comparison_id: number;
  position: number;
  experiment_id: number | null;
  experiment_uid: string;
}

export interface ComparisonsRepo {
  create(input: ComparisonInput, opts?: { createdAt?: number }): ComparisonRow;
  get(id: number): ComparisonRow | undefined;
  /** Oldest first. */
  list(): ComparisonRow[];
  delete(id: number): boolean;
}

export function createComparisonsRepo({ db, now, retry }: RepoContext): ComparisonsRepo {
  const ins = db.prepare(
    `INSERT INTO comparisons (name, options, snapshot, format, created_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const insMember = db.prepare(
    `INSERT INTO comparison_experiments (comparison_id, position, experiment_id, experiment_uid)
     SELECT ?, ?, id, uid FROM experiments WHERE id = ?`,
  );
  const byId = db.prepare('SELECT * FROM comparisons WHERE id = ?');
  const all = db.prepare('SELECT * FROM comparisons ORDER BY id');
  const members = db.prepare(
    'SELECT * FROM comparison_experiments WHERE comparison_id = ? ORDER BY position',
  );
  const del = db.prepare('DELETE FROM comparisons WHERE id = ?');

  const toRow = (r: Raw): ComparisonRow => {
    const m = members.all(r.id) as RawMember[];
    return {
      id: r.id,
      name: r.name,
      options: fromJsonText<JsonObject>(r.options),
      snapshot: fromJsonText<Json>(r.snapshot),
      format: r.format,
      createdAt: r.created_at,
      experimentIds: m.map((x) => x.experiment_id),
      experimentUids: m.map((x) => x.experiment_uid),
    };
  };

  return {
    create(input, opts = {}) {
      return retry(() =>
        db
          .transaction(() => {
            const id = Number(
              ins.run(
                input.name,
                toJsonText(input.options, 'comparison options'),
                toJsonText(input.snapshot, 'comparison snapshot'),
                input.format,
                opts.createdAt ?? now(),
              ).lastInsertRowid,
            );
            input.experimentIds.forEach((e, position) => {
              if (insMember.run(id, position, e).changes !== 1)
                throw new RangeError(`experiment ${e} does not exist`);
            });
            return toRow(byId.get(id) as Raw);
          })
          .immediate(),
      );
    },
    get(id) {
      const r = byId.get(id) as Raw | undefined;
      return r ? toRow(r) : undefined;
    },
    list() {
      return (all.all() as Raw[]).map(toRow);
    },
    delete(id) {
      return retry(() => del.run(id).changes > 0);
    },
  };
}
