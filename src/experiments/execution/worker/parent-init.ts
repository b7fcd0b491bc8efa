/**
 * Fine-tuning: a run whose stored variant names a `parent` (another run's checkpoint) starts
 * from that checkpoint's weights instead of its own random initialisation. The optimizer starts
 * fresh (zero Adam moments, step 0, the run's own schedule), as fine-tuning usually does; the
 * run's init seed still seeds its dropout stream. Only a fresh start reads the parent: a resumed
 * fine-tune run continues from its own checkpoints.
 *
 * The link is the run's `parent_run_id` / `parent_step` columns (schema v3); the run's variant
 * JSON also keeps `variant.parent = { runId, runUid, step }` as provenance (the uid survives a
 * bundle import, which re-links the columns by it).
 */
import type { Store } from '../../../../db/store';
import type { RunRow } from '../../../../db/types';
import type { Transformer } from '../../../core/model/transformer';
import type { ParentCheckpoint } from '../../spec/create';

/** Where a fine-tune run starts: a run's checkpoint at `step` (uid: provenance across imports). */
export type ParentRef = ParentCheckpoint;

/** The run's parent checkpoint, or null for a run trained from scratch. */
export function parentOf(run: RunRow): ParentRef | null {
  if (run.parentRunId === null) return null;
  const p = (run.variant as { parent?: Partial<ParentRef> }).parent;
  return {
    runId: run.parentRunId,
    runUid: typeof p?.runUid === 'string' ? p.runUid : '',
    step: run.parentStep ?? 0,
  };
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as object).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );

/**
 * Overwrites the stacked `model`'s member k with the parent checkpoint of `rows[k]` (members
 * without a parent keep their initialisation). Throws with a message for the user when the
 * parent checkpoint is missing, was trained with another tokenizer, or has other shapes.
 */
export async function initFromParents(
  store: Pick<Store, 'runs' | 'checkpoints' | 'datasets'>,
  model: Transformer,
  rows: readonly RunRow[],
  tokenizer: unknown,
): Promise<number> {
  const parents = rows.map(parentOf);
  if (parents.every((p) => p === null)) return 0;
  const K = rows.length;
  const rec = await model.exportParams();
  parents.forEach((p, k) => {
    if (!p) return;
    const parentRun = store.runs.get(p.runId);
    if (!parentRun || (p.runUid && parentRun.uid !== p.runUid))
      throw new Error(`parent run ${p.runId} of run ${rows[k].id} is not in this store`);
    const cp = store.checkpoints.atStep(p.runId, p.step);
    if (!cp) throw new Error(`parent run ${p.runId} has no checkpoint at step ${p.step}`);
    const ds = parentRun.datasetId === null ? null : store.datasets.get(parentRun.datasetId);
    if (ds && canonical(ds.tokenizer) !== canonical(tokenizer))
      throw new Error(
        `run ${rows[k].id} cannot start from run ${p.runId}: their tokenizers differ (fine-tuning needs the same vocabulary)`,
      );
    for (const name of Object.keys(rec.tensors)) {
      const src = cp.weights[`param/${name}`];
      const shape = rec.shapes[name];
      if (!src || src.shape.slice(1).join(',') !== shape.slice(1).join(','))
        throw new Error(
          `run ${rows[k].id} cannot start from run ${p.runId}: parameter '${name}' has shape [${src?.shape.slice(1) ?? 'missing'}], this model needs [${shape.slice(1)}]`,
        );
      const size = rec.tensors[name].length / K;
      rec.tensors[name].set(src.data.subarray(0, size), k * size);
    }
  });
  model.loadParams(rec);
  return parents.filter(Boolean).length;
}
