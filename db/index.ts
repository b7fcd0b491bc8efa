/**
 * The lab store: the only place with SQL. Everything else calls these typed functions.
 *
 *   const store = openStore(path);            // WAL, synchronous=FULL, migrations, recovery
 *   store.experiments / datasets / runs / metrics / checkpoints / analyses / samples
 *   exportCsv / exportParquet / exportBundle  // streaming, atomic
 *   importBundle                              // strict, all or nothing
 *   store.backup(dest)                        // online, SQLite backup API
 */
export * from './types';
export { openStore, type Store, type OpenStoreOptions, type ResumeResult } from './store';
export { NotFoundError, InvalidTransitionError } from './errors';
export { canTransition, allowedTransitions, TERMINAL_STATUSES } from './lifecycle';
export { SCHEMA_VERSION } from './schema';
export { SchemaTooNewError, MigrationError, type Migration } from './migrate';
export { encodeTensors, decodeTensors, verifyTensors, CorruptTensorsError } from './tensor-codec';
export type { ExperimentsRepo } from './repos/experiments';
export type { DatasetsRepo } from './repos/datasets';
export {
  DEFAULT_STALE_MS,
  DEFAULT_ALIVE_STALE_MS,
  type RunsRepo,
  type RecoveredRun,
  type RecoverOptions,
  type TransitionOptions,
} from './repos/runs';
export type { MetricsRepo, MetricsWriter, SeriesOptions, StepRange } from './repos/metrics';
export type { CheckpointsRepo, SaveCheckpointOptions } from './repos/checkpoints';
export type { AnalysesRepo, AnalysesListFilter } from './repos/analyses';
export type { SamplesRepo } from './repos/samples';
export type { BackupOptions } from './backup';
export type { ExportScope } from './export/snapshot';
export { exportCsv, type CsvExportOptions, type ExportResult } from './export/csv';
export { exportParquet, type ParquetExportOptions } from './export/parquet';
export { exportBundle, type BundleExportOptions, type BundleExportResult } from './bundle/export';
export {
  importBundle,
  readBundle,
  BundleError,
  DuplicateImportError,
  DEFAULT_MAX_BUNDLE_BYTES,
  type ImportOptions,
  type ImportResult,
} from './bundle/import';
export { BUNDLE_FORMAT, BUNDLE_VERSION } from './bundle/schema';
