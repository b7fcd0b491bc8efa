/** JSON column helpers: the store keeps JSON values as TEXT checked by json_valid(). */
import type { Json } from './types';

/** Serialises a JSON column value; rejects values JSON cannot represent faithfully. */
export function toJsonText(value: unknown, what: string): string {
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v))
      throw new Error(`${what}: non-finite number ${v} cannot be stored as JSON`);
    if (typeof v === 'bigint') throw new Error(`${what}: bigint cannot be stored as JSON`);
    return v;
  });
  if (text === undefined) throw new Error(`${what}: not a JSON value`);
  return text;
}

export function fromJsonText<T = Json>(text: string): T {
  return JSON.parse(text) as T;
}
