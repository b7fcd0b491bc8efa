/** Experiments: a named spec whose variants become runs. */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../errors';
import { fromJsonText, toJsonText } from '../json';
import type { ExperimentInput, ExperimentRow, JsonObject } from '../types';
import type { RepoContext } from './context';

interface Raw {
  id: number;
  uid: string;
  name: string;
  spec: string;
  notes: string;
  created_at: number;
}

function toRow(r: Raw): ExperimentRow {
  return {
    id: r.id,
    uid: r.uid,
    name: r.name,
    spec: fromJsonText<JsonObject>(r.spec),
    notes: r.notes,
    createdAt: r.created_at,
  };
}

export interface ExperimentsRepo {
  create(input: ExperimentInput, opts?: { uid?: string; createdAt?: number }): ExperimentRow;
  get(id: number): ExperimentRow | undefined;
  /** Like get, but throws NotFoundError. */
  require(id: number): ExperimentRow;
  getByUid(uid: string): ExperimentRow | undefined;
  /** All experiments, newest first. */
  list(): ExperimentRow[];
  update(id: number, patch: Partial<ExperimentInput>): ExperimentRow;
  /** Deletes the experiment and, by cascade, its runs, metrics, checkpoints, analyses, samples. */
  delete(id: number): boolean;
}

export function createExperimentsRepo({ db, now, retry }: RepoContext): ExperimentsRepo {
  const insert = db.prepare(
    'INSERT INTO experiments (uid, name, spec, notes, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  // Experiments an import is still writing (staging not NULL) are invisible until it finishes.
  const byId = db.prepare('SELECT * FROM experiments WHERE id = ? AND staging IS NULL');
  const byUid = db.prepare('SELECT * FROM experiments WHERE uid = ? AND staging IS NULL');
  const all = db.prepare(
    'SELECT * FROM experiments WHERE staging IS NULL ORDER BY created_at DESC, id DESC',
  );
  const upd = db.prepare('UPDATE experiments SET name = ?, spec = ?, notes = ? WHERE id = ?');
  const del = db.prepare('DELETE FROM experiments WHERE id = ? AND staging IS NULL');

  const repo: ExperimentsRepo = {
    create(input, opts = {}) {
      const info = retry(() =>
        insert.run(
          opts.uid ?? randomUUID(),
          input.name,
          toJsonText(input.spec, 'experiment spec'),
          input.notes ?? '',
          opts.createdAt ?? now(),
        ),
      );
      return repo.require(Number(info.lastInsertRowid));
    },
    get(id) {
      const r = byId.get(id) as Raw | undefined;
      return r && toRow(r);
    },
    require(id) {
      const r = repo.get(id);
      if (!r) throw new NotFoundError('experiment', id);
      return r;
    },
    getByUid(uid) {
      const r = byUid.get(uid) as Raw | undefined;
      return r && toRow(r);
    },
    list() {
      return (all.all() as Raw[]).map(toRow);
    },
    update(id, patch) {
      retry(() =>
        db
          .transaction(() => {
            const cur = repo.require(id);
            upd.run(
              patch.name ?? cur.name,
              toJsonText(patch.spec ?? cur.spec, 'experiment spec'),
              patch.notes ?? cur.notes,
              id,
            );
          })
          .immediate(),
      );
      return repo.require(id);
    },
    delete(id) {
      return retry(() => del.run(id).changes > 0);
    },
  };
  return repo;
}
