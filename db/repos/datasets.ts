/** Datasets: kind, parameters, content hash and the tokenizer that produced the token stream. */
import { NotFoundError } from '../errors';
import { fromJsonText, toJsonText } from '../json';
import type { DatasetInput, DatasetRow, JsonObject } from '../types';
import type { RepoContext } from './context';

interface Raw {
  id: number;
  kind: string;
  name: string;
  params: string;
  content_hash: string;
  tokenizer: string;
  created_at: number;
}

function toRow(r: Raw): DatasetRow {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    params: fromJsonText<JsonObject>(r.params),
    contentHash: r.content_hash,
    tokenizer: fromJsonText<JsonObject>(r.tokenizer),
    createdAt: r.created_at,
  };
}

export interface DatasetsRepo {
  create(input: DatasetInput, opts?: { createdAt?: number }): DatasetRow;
  /**
   * Returns the existing dataset with the same kind, content hash, params and tokenizer, or
   * creates it. Runs of one experiment share one dataset row this way.
   */
  ensure(input: DatasetInput, opts?: { createdAt?: number }): DatasetRow;
  get(id: number): DatasetRow | undefined;
  require(id: number): DatasetRow;
  findByHash(contentHash: string): DatasetRow[];
  list(): DatasetRow[];
  delete(id: number): boolean;
}

export function createDatasetsRepo({ db, now, retry }: RepoContext): DatasetsRepo {
  const insert = db.prepare(
    `INSERT INTO datasets (kind, name, params, content_hash, tokenizer, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare('SELECT * FROM datasets WHERE id = ?');
  const byHash = db.prepare('SELECT * FROM datasets WHERE content_hash = ? ORDER BY id');
  // json() normalises both sides, so key spacing differences do not matter.
  const same = db.prepare(
    `SELECT * FROM datasets WHERE content_hash = ? AND kind = ?
       AND json(params) = json(?) AND json(tokenizer) = json(?) ORDER BY id LIMIT 1`,
  );
  const all = db.prepare('SELECT * FROM datasets ORDER BY id');
  const del = db.prepare('DELETE FROM datasets WHERE id = ?');

  const repo: DatasetsRepo = {
    create(input, opts = {}) {
      const info = retry(() =>
        insert.run(
          input.kind,
          input.name ?? '',
          toJsonText(input.params, 'dataset params'),
          input.contentHash,
          toJsonText(input.tokenizer, 'dataset tokenizer'),
          opts.createdAt ?? now(),
        ),
      );
      return repo.require(Number(info.lastInsertRowid));
    },
    ensure(input, opts = {}) {
      return retry(() =>
        db
          .transaction(() => {
            const r = same.get(
              input.contentHash,
              input.kind,
              toJsonText(input.params, 'dataset params'),
              toJsonText(input.tokenizer, 'dataset tokenizer'),
            ) as Raw | undefined;
            return r ? toRow(r) : repo.create(input, opts);
          })
          .immediate(),
      );
    },
    get(id) {
      const r = byId.get(id) as Raw | undefined;
      return r && toRow(r);
    },
    require(id) {
      const r = repo.get(id);
      if (!r) throw new NotFoundError('dataset', id);
      return r;
    },
    findByHash(contentHash) {
      return (byHash.all(contentHash) as Raw[]).map(toRow);
    },
    list() {
      return (all.all() as Raw[]).map(toRow);
    },
    delete(id) {
      return retry(() => del.run(id).changes > 0);
    },
  };
  return repo;
}
