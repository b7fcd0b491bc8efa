/**
 * The store's schema, as an ordered list of migrations. Never edit a released migration: add a
 * new one with the next version. Each migration runs in its own transaction together with the
 * bump of `PRAGMA user_version` and its `schema_migrations` row (see migrate.ts).
 */
import type { Migration } from './migrate';

const STATUSES = `'queued','running','completed','failed','cancelled','diverged','interrupted'`;

const V1 = `
CREATE TABLE experiments (
  id          INTEGER PRIMARY KEY,
  uid         TEXT    NOT NULL UNIQUE,
  name        TEXT    NOT NULL,
  spec        TEXT    NOT NULL CHECK (json_valid(spec)),
  notes       TEXT    NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);

CREATE TABLE datasets (
  id            INTEGER PRIMARY KEY,
  kind          TEXT    NOT NULL,
  name          TEXT    NOT NULL DEFAULT '',
  params        TEXT    NOT NULL CHECK (json_valid(params)),
  content_hash  TEXT    NOT NULL,
  tokenizer     TEXT    NOT NULL CHECK (json_valid(tokenizer)),
  created_at    INTEGER NOT NULL
);
CREATE INDEX datasets_by_hash ON datasets (content_hash);

CREATE TABLE runs (
  id             INTEGER PRIMARY KEY,
  uid            TEXT    NOT NULL UNIQUE,
  experiment_id  INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  dataset_id     INTEGER REFERENCES datasets (id) ON DELETE SET NULL,
  name           TEXT    NOT NULL,
  variant        TEXT    NOT NULL CHECK (json_valid(variant)),
  init_seed      INTEGER NOT NULL,
  data_seed      INTEGER NOT NULL,
  backend        TEXT    NOT NULL DEFAULT '',
  device         TEXT    NOT NULL DEFAULT '',
  versions       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(versions)),
  status         TEXT    NOT NULL CHECK (status IN (${STATUSES})),
  status_reason  TEXT,
  error          TEXT,
  created_at     INTEGER NOT NULL,
  started_at     INTEGER,
  ended_at       INTEGER,
  heartbeat_at   INTEGER,
  owner_pid      INTEGER,
  owner_host     TEXT
);
CREATE INDEX runs_by_experiment ON runs (experiment_id, id);
CREATE INDEX runs_by_status ON runs (status);

-- Metric names are interned: a metrics row is then five numbers, which keeps the table small
-- and ingestion fast.
CREATE TABLE metric_names (
  id    INTEGER PRIMARY KEY,
  name  TEXT NOT NULL UNIQUE
);

-- Clustered on (run, metric, step): a series read or a downsample is one range scan.
-- value is NULL when NaN was logged (SQLite cannot store NaN); ±Infinity is stored as is.
CREATE TABLE metrics (
  run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name_id  INTEGER NOT NULL REFERENCES metric_names (id),
  step     INTEGER NOT NULL,
  tokens   INTEGER NOT NULL,
  wall_ms  REAL    NOT NULL,
  value    REAL,
  PRIMARY KEY (run_id, name_id, step)
) WITHOUT ROWID;

-- weights/optimizer use the tensor-codec format (magic, shapes, float32 data, CRC-32).
CREATE TABLE checkpoints (
  id           INTEGER PRIMARY KEY,
  run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step         INTEGER NOT NULL,
  tokens       INTEGER NOT NULL DEFAULT 0,
  weights      BLOB    NOT NULL,
  optimizer    BLOB    NOT NULL,
  data_cursor  TEXT    NOT NULL CHECK (json_valid(data_cursor)),
  rng_state    TEXT    NOT NULL CHECK (json_valid(rng_state)),
  meta         TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
  created_at   INTEGER NOT NULL,
  UNIQUE (run_id, step)
);

CREATE TABLE analyses (
  id             INTEGER PRIMARY KEY,
  experiment_id  INTEGER REFERENCES experiments (id) ON DELETE CASCADE,
  kind           TEXT    NOT NULL,
  step           INTEGER,
  layers         TEXT    NOT NULL DEFAULT 'null' CHECK (json_valid(layers)),
  params         TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  result         TEXT    NOT NULL CHECK (json_valid(result)),
  created_at     INTEGER NOT NULL
);
CREATE INDEX analyses_by_experiment ON analyses (experiment_id, kind);

-- The runs an analysis compares, in order; a real table so run deletion cascades.
CREATE TABLE analysis_runs (
  analysis_id  INTEGER NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
  position     INTEGER NOT NULL,
  run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  PRIMARY KEY (analysis_id, position)
);
CREATE INDEX analysis_runs_by_run ON analysis_runs (run_id);

CREATE TABLE samples (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step        INTEGER NOT NULL,
  prompt      TEXT    NOT NULL,
  output      TEXT    NOT NULL,
  params      TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  created_at  INTEGER NOT NULL
);
CREATE INDEX samples_by_run ON samples (run_id, step);

-- One row per imported bundle; the checksum detects importing the same bundle twice.
CREATE TABLE imports (
  id               INTEGER PRIMARY KEY,
  bundle_checksum  TEXT    NOT NULL UNIQUE,
  source           TEXT    NOT NULL,
  imported_at      INTEGER NOT NULL,
  summary          TEXT    NOT NULL CHECK (json_valid(summary))
);
`;

/**
 * Saved comparisons get their own tables (they were analysis rows of kind 'comparison' with no
 * experiment). AUTOINCREMENT: a deleted comparison's id is never handed out again, so a link
 * or an open view cannot silently show another one. Each member experiment is linked by id
 * (set NULL when the experiment is deleted, so a later experiment that reuses the id is never
 * taken for it) and by uid (to name what was compared).
 */
const V2 = `
CREATE TABLE comparisons (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT    NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
  options     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
  snapshot    TEXT    NOT NULL CHECK (json_valid(snapshot)),
  format      INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE comparison_experiments (
  comparison_id   INTEGER NOT NULL REFERENCES comparisons (id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  experiment_id   INTEGER REFERENCES experiments (id) ON DELETE SET NULL,
  experiment_uid  TEXT    NOT NULL,
  PRIMARY KEY (comparison_id, position)
);
CREATE INDEX comparison_experiments_by_experiment ON comparison_experiments (experiment_id);

INSERT INTO comparisons (id, name, options, snapshot, format, created_at)
  SELECT id, trim(json_extract(params, '$.name')),
         coalesce(json_extract(result, '$.options'), '{}'),
         coalesce(json_extract(result, '$.comparison'), '{}'),
         coalesce(json_extract(params, '$.format'), 1), created_at
  FROM analyses
  WHERE kind = 'comparison' AND experiment_id IS NULL
    AND length(trim(coalesce(json_extract(params, '$.name'), ''))) BETWEEN 1 AND 200;

INSERT INTO comparison_experiments (comparison_id, position, experiment_id, experiment_uid)
  SELECT a.id, CAST(j.key AS INTEGER), e.id, coalesce(e.uid, 'deleted:' || j.value)
  FROM analyses a, json_each(json_extract(a.params, '$.experimentIds')) j
  LEFT JOIN experiments e ON e.id = j.value
  WHERE a.kind = 'comparison' AND a.experiment_id IS NULL
    AND a.id IN (SELECT id FROM comparisons);

DELETE FROM analyses WHERE kind = 'comparison' AND experiment_id IS NULL;
`;

// Run lineage: a fine-tune run starts from another run's checkpoint. Before v3 the link lived
// only in the run's variant JSON (variant.parent = { runId, runUid, step }); it is copied here
// where that parent is still in the store. A deleted parent leaves its children (SET NULL);
// their variant JSON keeps the parent's uid as provenance.
const V3 = `
ALTER TABLE runs ADD COLUMN parent_run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL;
ALTER TABLE runs ADD COLUMN parent_step INTEGER;
CREATE INDEX runs_by_parent ON runs (parent_run_id);
UPDATE runs
   SET parent_run_id = json_extract(variant, '$.parent.runId'),
       parent_step = json_extract(variant, '$.parent.step')
 WHERE json_extract(variant, '$.parent.runId') IN (SELECT id FROM runs);
`;

// Tags and notes on runs, as researchers keep them in W&B or MLflow: tags are a JSON array of
// strings (a run has a handful; filtering happens in the UI), notes are free text. It reached
// main after v5: stores already at v5 get it too (migrate.ts applies every missing version).
const V4 = `
ALTER TABLE runs ADD COLUMN tags  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags));
ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
`;

/**
 * v5: imports are written in short chunks under a staging id (bundle/import.ts) and made
 * visible in one short final transaction, so a large import never holds the write lock for
 * long. `experiments.staging` is NULL for every visible experiment; `import_staging` records
 * who is writing each staged import, so a crashed import's rows are removed on the next open.
 * Runs that failed only because the store was locked by another process (before writers
 * retried) become `interrupted`, so `resume` continues them from their last checkpoint.
 */
const V5 = `
ALTER TABLE experiments ADD COLUMN staging TEXT;
CREATE INDEX experiments_by_staging ON experiments (staging) WHERE staging IS NOT NULL;

CREATE TABLE import_staging (
  id            TEXT    PRIMARY KEY,
  source        TEXT    NOT NULL,
  owner_pid     INTEGER NOT NULL,
  owner_host    TEXT    NOT NULL,
  started_at    INTEGER NOT NULL,
  heartbeat_at  INTEGER NOT NULL
);

UPDATE runs
   SET status = 'interrupted',
       status_reason = 'failed while another process held the store lock: ' || coalesce(error, ''),
       ended_at = NULL
 WHERE status = 'failed'
   AND (error LIKE '%database is locked%' OR error LIKE '%SQLITE_BUSY%');
`;

/** All migrations, ascending by version. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: (db) => db.exec(V1) },
  { version: 2, name: 'saved comparisons table', up: (db) => db.exec(V2) },
  { version: 3, name: 'run lineage (parent run and step)', up: (db) => db.exec(V3) },
  { version: 4, name: 'run tags and notes', up: (db) => db.exec(V4) },
  { version: 5, name: 'staged imports; lock failures resumable', up: (db) => db.exec(V5) },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
