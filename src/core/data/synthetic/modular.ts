/**
 * Modular arithmetic `a ∘ b mod p`, the grokking setup (Power et al. 2022): the complete table
 * of equations is enumerated and split at random (by `seed`) into a training fraction and a
 * held-out rest, so held-out accuracy measures generalisation to unseen pairs.
 *
 * Text format: `a∘b=` prompt, `c` answer, every number zero-padded to the width of p − 1 (so
 * with a char tokenizer every example has the same length), e.g. p = 97: `05+93=` → `01`.
 * Ops: `+`, `-` (result in [0, p)), `*`, and `/` = a · b⁻¹ mod p (b ≠ 0; needs p prime).
 * Table order before the split: ops in the order given, then a, then b.
 */
import { Rng } from '../../rng';
import type { TextExample } from '../sources';

export type ModOp = '+' | '-' | '*' | '/';
export const MOD_OPS: readonly ModOp[] = ['+', '-', '*', '/'];

export interface ModularParams {
  p: number;
  ops: readonly ModOp[];
  /** Fraction of the table used for training, (0, 1); the rest is held out. */
  trainFraction: number;
  seed: number;
}

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** b⁻¹ mod p by the extended Euclidean algorithm (p prime, b ≠ 0 mod p). */
export function modInverse(b: number, p: number): number {
  let [r0, r1] = [p, ((b % p) + p) % p];
  let [t0, t1] = [0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  if (r0 !== 1) throw new Error(`modInverse: ${b} has no inverse mod ${p}`);
  return ((t0 % p) + p) % p;
}

/** The value of a ∘ b mod p. */
export function applyModOp(op: ModOp, a: number, b: number, p: number): number {
  switch (op) {
    case '+':
      return (a + b) % p;
    case '-':
      return (((a - b) % p) + p) % p;
    case '*':
      return (a * b) % p;
    case '/':
      return (a * modInverse(b, p)) % p;
  }
}

export function modularTableSize(p: number, ops: readonly ModOp[]): number {
  return ops.reduce((n, op) => n + (op === '/' ? p * (p - 1) : p * p), 0);
}

export function modularExamples(params: ModularParams): {
  train: TextExample[];
  validation: TextExample[];
} {
  const { p, ops, trainFraction, seed } = params;
  if (ops.includes('/') && !isPrime(p))
    throw new Error(`modular: division needs a prime p, got ${p}`);
  const width = String(p - 1).length;
  const num = (x: number): string => String(x).padStart(width, '0');
  const table: TextExample[] = [];
  for (const op of ops) {
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        if (op === '/' && b === 0) continue;
        table.push({ prompt: `${num(a)}${op}${num(b)}=`, answer: num(applyModOp(op, a, b, p)) });
      }
    }
  }
  const order = Int32Array.from(table.keys());
  Rng.derive(seed, 'modular-split').shuffle(order);
  const nTrain = Math.round(trainFraction * table.length);
  if (nTrain < 1 || nTrain >= table.length)
    throw new Error(
      `modular: trainFraction ${trainFraction} of ${table.length} equations leaves an empty split; pick a fraction between ${(1 / table.length).toFixed(4)} and ${(1 - 1 / table.length).toFixed(4)} or a larger p`,
    );
  const train: TextExample[] = [];
  const validation: TextExample[] = [];
  order.forEach((idx, i) => (i < nTrain ? train : validation).push(table[idx]));
  return { train, validation };
}
