/** JSON bundle export/import over db/bundle, with bundle errors mapped to exit codes. */
import { APP_VERSION } from '../../core/version';
import { exportBundle } from '../../../db/bundle/export';
import { BundleError, DuplicateImportError, importBundle } from '../../../db/bundle/import';
import type { Store } from '../../../db/store';
import { CliError, EXIT } from '../exit-codes';

export async function exportJsonBundle(
  store: Store,
  out: string,
  experimentIds: number[] | undefined,
  checkpoints: boolean,
): Promise<{ bytes: number; checksum: string; counts: Record<string, number> }> {
  return exportBundle(store, out, {
    experimentIds,
    includeCheckpoints: checkpoints,
    producer: `homolab-cli ${APP_VERSION}`,
  });
}

export async function importJsonBundle(store: Store, file: string): Promise<unknown> {
  try {
    return importBundle(store, file);
  } catch (e) {
    if (e instanceof DuplicateImportError) throw new CliError(e.message, EXIT.INVALID_INPUT);
    if (e instanceof BundleError) throw new CliError(e.message, EXIT.INVALID_INPUT);
    throw e;
  }
}
