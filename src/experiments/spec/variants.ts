/**
 * Variant expansion and lockstep grouping.
 *
 * `expandVariants` turns a spec's axes into concrete variants (each a full model config,
 * training config and seed pair). `groupLockstep` then packs variants that differ only in their
 * init seed — identical parameter shapes, architecture, optimiser settings and data order — into
 * groups trained as one stacked `[K, …]` model. Every variant of an experiment sees the same
 * batches in the same order unless `dataSeed` is an axis (the batcher is seeded by `dataSeed`
 * only), and each run records a batch hash so that is checkable.
 */
import { modelSpecSchema, trainingSpecSchema } from './spec';
import type { AxisValue, ExperimentSpec, ModelSpec, TrainingSpec } from './spec';
import { formatPath, issue, type SpecIssue } from './spec-errors';
import { LIMITS } from '../../core/limits';

/** Most variants one experiment may expand to (a guard against typo'd grids). */
export const MAX_VARIANTS = LIMITS.variants;

/** One concrete configuration to train. */
export interface Variant {
  /** Position in expansion order (stable: list order × grid order, last axis fastest). */
  index: number;
  /** Human label, e.g. `initSeed=3 dModel=64`; `base` when there are no axes. */
  name: string;
  /** The axis values this variant takes, keyed by axis path. */
  axes: Record<string, AxisValue>;
  model: ModelSpec;
  /** Training config with `steps` always resolved (from `tokens` if that was the budget). */
  training: TrainingSpec & { steps: number };
  initSeed: number;
  dataSeed: number;
}

/** Variants trained together as one stacked model; they differ only in `initSeed`. */
export interface LockstepGroup {
  /** Identity of the shared config (equal for groups that were split by `maxGroupSize`). */
  key: string;
  variants: Variant[];
}

const modelShape = modelSpecSchema.shape;
const trainingShape = trainingSpecSchema.shape;

/** Every path an axis may vary. */
export const AXIS_FIELDS: readonly string[] = [
  'initSeed',
  'dataSeed',
  ...Object.keys(modelShape).map((k) => `model.${k}`),
  ...Object.keys(trainingShape).map((k) => `training.${k}`),
];

/** Checks one axis value against the field's own schema; returns a message or null. */
function checkAxisValue(field: string, value: AxisValue): string | null {
  if (field === 'initSeed' || field === 'dataSeed') {
    return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff
      ? null
      : `${field} must be an integer in [0, 4294967295], got ${JSON.stringify(value)}`;
  }
  const [section, key] = field.split('.', 2);
  const shape = (section === 'model' ? modelShape : trainingShape) as Record<
    string,
    (typeof modelShape)[keyof typeof modelShape]
  >;
  const r = shape[key].safeParse(value);
  if (r.success) return null;
  const issue = r.error.issues[0];
  const allowed = issue.code === 'invalid_value' ? issue.values : null;
  return allowed
    ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`
    : `${issue.message.replace(/^Invalid input: /, '')} (got ${JSON.stringify(value)})`;
}

function checkAxisField(field: string): string | null {
  return AXIS_FIELDS.includes(field)
    ? null
    : `unknown axis field ${JSON.stringify(field)}; allowed: initSeed, dataSeed, model.<${Object.keys(modelShape).join('|')}>, training.<${Object.keys(trainingShape).join('|')}>`;
}

function label(field: string): string {
  return field.includes('.') ? field.slice(field.indexOf('.') + 1) : field;
}

/** Structural problems of a variant's resolved config (cross-field rules). */
export function variantProblems(model: ModelSpec, training: TrainingSpec): SpecIssue[] {
  const out: SpecIssue[] = [];
  if (model.dModel % model.nHeads !== 0)
    out.push(
      issue(
        'model.dModel',
        'not_divisible',
        `d_model must be divisible by the number of heads: ${model.dModel} is not divisible by ${model.nHeads}`,
        { dModel: model.dModel, nHeads: model.nHeads },
      ),
    );
  else if (model.positionalEncoding === 'rope' && (model.dModel / model.nHeads) % 2 !== 0)
    out.push(
      issue(
        'model.positionalEncoding',
        'rope_odd_head',
        `'rope' needs an even head size (d_model / heads), got ${model.dModel / model.nHeads}`,
        { headSize: model.dModel / model.nHeads },
      ),
    );
  if (model.positionalEncoding === 'sinusoidal' && model.dModel % 2 !== 0)
    out.push(
      issue(
        'model.dModel',
        'sinusoidal_odd',
        `'sinusoidal' positional encoding needs an even d_model, got ${model.dModel}`,
        { dModel: model.dModel },
      ),
    );
  if ((training.steps === undefined) === (training.tokens === undefined))
    out.push(
      issue('training', 'one_budget', 'give exactly one of training.steps or training.tokens'),
    );
  const steps = resolveSteps(model, training);
  if (steps !== undefined && steps > LIMITS.steps)
    out.push({
      path: 'training.tokens',
      message: `the token budget makes ${steps} steps, more than the ${LIMITS.steps} a run may take; lower training.tokens`,
    });
  if (steps !== undefined && training.warmupSteps > steps)
    out.push(
      issue(
        'training.warmupSteps',
        'warmup_too_long',
        `warmupSteps (${training.warmupSteps}) exceeds the run's ${steps} steps`,
        { warmupSteps: training.warmupSteps, steps },
      ),
    );
  return out;
}

/** Steps of the training budget (from `tokens` when that is how the budget was given). */
export function resolveSteps(model: ModelSpec, training: TrainingSpec): number | undefined {
  if (training.steps !== undefined) return training.steps;
  if (training.tokens !== undefined)
    return Math.ceil(training.tokens / (training.batchSize * model.contextLength));
  return undefined;
}

/** Combinations of the axes: the list (or one empty entry) crossed with the grid. */
function combinations(spec: ExperimentSpec): Record<string, AxisValue>[] {
  let combos: Record<string, AxisValue>[] = spec.axes.list
    ? spec.axes.list.map((e) => ({ ...e }))
    : [{}];
  for (const [field, values] of Object.entries(spec.axes.grid ?? {})) {
    const next: Record<string, AxisValue>[] = [];
    for (const c of combos) for (const v of values) next.push({ ...c, [field]: v });
    combos = next;
    if (combos.length > MAX_VARIANTS) break;
  }
  return combos;
}

/**
 * Expands a validated spec into variants, or returns the problems (axis fields that do not
 * exist, values a field does not accept, impossible combinations, duplicates).
 */
export function expandVariants(
  spec: ExperimentSpec,
): { ok: true; variants: Variant[] } | { ok: false; issues: SpecIssue[] } {
  const issues: SpecIssue[] = [];
  for (const [field, values] of Object.entries(spec.axes.grid ?? {})) {
    const bad = checkAxisField(field);
    if (bad) issues.push({ path: formatPath(['axes', 'grid', field]), message: bad });
    else
      values.forEach((v, i) => {
        const m = checkAxisValue(field, v);
        if (m) issues.push({ path: formatPath(['axes', 'grid', field, i]), message: m });
      });
  }
  (spec.axes.list ?? []).forEach((entry, i) => {
    for (const [field, v] of Object.entries(entry)) {
      const bad = checkAxisField(field) ?? checkAxisValue(field, v);
      if (bad) issues.push({ path: formatPath(['axes', 'list', i, field]), message: bad });
    }
  });
  if (issues.length) return { ok: false, issues };

  const combos = combinations(spec);
  if (combos.length > MAX_VARIANTS)
    return {
      ok: false,
      issues: [
        issue('axes', 'too_many_variants', `expands to more than ${MAX_VARIANTS} variants`, {
          max: MAX_VARIANTS,
        }),
      ],
    };

  // Problems of the base config are reported once, at their own paths; a variant is blamed
  // only for problems its axis values introduce.
  const baseProblems = variantProblems(spec.model, spec.training);
  issues.push(...baseProblems);
  const baseMessages = new Set(baseProblems.map((p) => p.message));
  const variants: Variant[] = [];
  const seen = new Map<string, number>();
  const hasAxes = combos.length > 1 || Object.keys(combos[0]).length > 0;
  combos.forEach((axes, index) => {
    const model = { ...spec.model } as Record<string, unknown>;
    const training = { ...spec.training } as Record<string, unknown>;
    let initSeed = spec.initSeed;
    let dataSeed = spec.dataSeed;
    for (const [field, v] of Object.entries(axes)) {
      if (field === 'initSeed') initSeed = v as number;
      else if (field === 'dataSeed') dataSeed = v as number;
      else if (field.startsWith('model.')) model[field.slice(6)] = v;
      else training[field.slice(9)] = v;
    }
    // A token budget varied by an axis replaces a base step budget and vice versa.
    if ('training.tokens' in axes) delete training.steps;
    if ('training.steps' in axes) delete training.tokens;
    const m = model as ModelSpec;
    const t = training as TrainingSpec;
    const name = hasAxes
      ? Object.entries(axes)
          .map(([f, v]) => `${label(f)}=${v}`)
          .join(' ')
      : 'base';
    const where = hasAxes ? `variant ${index} (${name})` : '';
    for (const p of variantProblems(m, t))
      if (!baseMessages.has(p.message))
        issues.push({ ...p, path: where ? `axes → ${where}` : p.path });
    const identity = JSON.stringify([m, t, initSeed, dataSeed]);
    const dup = seen.get(identity);
    if (dup !== undefined)
      issues.push(
        issue(
          `axes → ${where}`,
          'duplicate_variant',
          `duplicate of variant ${dup}; every variant must differ`,
          {
            of: dup,
          },
        ),
      );
    seen.set(identity, index);
    const steps = resolveSteps(m, t) ?? 0;
    variants.push({ index, name, axes, model: m, training: { ...t, steps }, initSeed, dataSeed });
  });
  if (issues.length) return { ok: false, issues: dedupe(issues) };
  return { ok: true, variants };
}

function dedupe(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\n${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** What must be equal for variants to share one stacked model: everything but `initSeed`. */
export function lockstepKey(v: Variant): string {
  return JSON.stringify({
    model: sortKeys(v.model),
    training: sortKeys(v.training),
    dataSeed: v.dataSeed,
  });
}

function sortKeys<T extends object>(o: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Packs variants into lockstep groups of at most `maxGroupSize` members (memory bound), keeping
 * expansion order inside each group and ordering groups by their first member.
 */
export function groupLockstep(variants: Variant[], maxGroupSize = 16): LockstepGroup[] {
  if (!(maxGroupSize >= 1)) throw new Error(`maxGroupSize must be ≥ 1, got ${maxGroupSize}`);
  const byKey = new Map<string, Variant[]>();
  for (const v of variants) {
    const k = lockstepKey(v);
    const list = byKey.get(k) ?? [];
    list.push(v);
    byKey.set(k, list);
  }
  const groups: LockstepGroup[] = [];
  for (const [key, members] of byKey)
    for (let i = 0; i < members.length; i += maxGroupSize)
      groups.push({ key, variants: members.slice(i, i + maxGroupSize) });
  return groups.sort((a, b) => a.variants[0].index - b.variants[0].index);
}
