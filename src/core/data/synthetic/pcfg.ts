/**
 * A probabilistic context-free grammar of English-like sentences, sampled into a text stream.
 *
 * Rules are weighted alternatives per nonterminal (`[weight, "Sym Sym ..."]`); a symbol is a
 * nonterminal when it has rules, otherwise a terminal word. Sampling starts at `start`
 * (default `S`); past `maxDepth` levels each nonterminal only uses its shortest-terminating
 * alternatives, so every sentence is finite. A sentence is its words joined by spaces, first
 * letter capitalised, ending in `.`; sentences are joined with `\n` into one corpus. The first
 * (1 − validationFraction) of the sentences form the training text, the rest the validation.
 * The grammar has real long-range structure (agreement-free but hierarchical: PP attachment,
 * coordination) while its vocabulary is tiny, which suits small-model emergence studies.
 */
import { Rng } from '../../rng';

export type GrammarRules = Record<string, [number, string][]>;

export interface Grammar {
  start?: string;
  rules: GrammarRules;
}

export interface PcfgParams {
  numSentences: number;
  validationFraction: number;
  maxDepth: number;
  seed: number;
  grammar?: Grammar;
}

export const DEFAULT_GRAMMAR: Grammar = {
  start: 'S',
  rules: {
    S: [
      [0.85, 'NP VP'],
      [0.15, 'NP VP Conj NP VP'],
    ],
    NP: [
      [0.45, 'Det N'],
      [0.25, 'Det Adj N'],
      [0.15, 'Det N PP'],
      [0.15, 'Name'],
    ],
    VP: [
      [0.4, 'Vt NP'],
      [0.25, 'Vi'],
      [0.15, 'Vt NP PP'],
      [0.2, 'Vi Adv'],
    ],
    PP: [[1, 'P NP']],
    Det: [
      [3, 'the'],
      [2, 'a'],
      [1, 'every'],
      [1, 'some'],
      [1, 'this'],
      [1, 'that'],
    ],
    N: [
      [1, 'cat'],
      [1, 'dog'],
      [1, 'bird'],
      [1, 'child'],
      [1, 'teacher'],
      [1, 'farmer'],
      [1, 'river'],
      [1, 'house'],
      [1, 'garden'],
      [1, 'book'],
      [1, 'song'],
      [1, 'city'],
    ],
    Adj: [
      [1, 'small'],
      [1, 'old'],
      [1, 'green'],
      [1, 'quiet'],
      [1, 'happy'],
      [1, 'strange'],
      [1, 'bright'],
    ],
    Vt: [
      [1, 'sees'],
      [1, 'likes'],
      [1, 'finds'],
      [1, 'follows'],
      [1, 'helps'],
      [1, 'remembers'],
      [1, 'paints'],
    ],
    Vi: [
      [1, 'sleeps'],
      [1, 'runs'],
      [1, 'sings'],
      [1, 'waits'],
      [1, 'laughs'],
      [1, 'dances'],
    ],
    Adv: [
      [1, 'quickly'],
      [1, 'slowly'],
      [1, 'often'],
      [1, 'rarely'],
      [1, 'quietly'],
    ],
    P: [
      [1, 'near'],
      [1, 'with'],
      [1, 'behind'],
      [1, 'under'],
      [1, 'beside'],
    ],
    Name: [
      [1, 'Alice'],
      [1, 'Bob'],
      [1, 'Carol'],
      [1, 'Dave'],
    ],
    Conj: [
      [2, 'and'],
      [1, 'but'],
      [1, 'while'],
    ],
  },
};

interface CompiledRule {
  weight: number;
  symbols: string[];
  /** Levels needed to reach only terminals through this alternative. */
  height: number;
}

/** Checks a grammar and precomputes each alternative's termination height; throws on errors. */
export function compileGrammar(grammar: Grammar): {
  start: string;
  rules: Map<string, CompiledRule[]>;
} {
  const start = grammar.start ?? 'S';
  const rules = new Map<string, CompiledRule[]>();
  for (const [name, alts] of Object.entries(grammar.rules)) {
    if (!Array.isArray(alts) || alts.length === 0)
      throw new Error(`grammar: nonterminal "${name}" needs at least one alternative`);
    rules.set(
      name,
      alts.map(([weight, rhs], i) => {
        if (!(weight > 0 && Number.isFinite(weight)))
          throw new Error(
            `grammar: rules.${name}[${i}] has weight ${weight}; weights must be positive numbers`,
          );
        const symbols = rhs.split(/\s+/).filter((s) => s.length > 0);
        if (symbols.length === 0) throw new Error(`grammar: rules.${name}[${i}] is empty`);
        return { weight, symbols, height: Infinity };
      }),
    );
  }
  if (!rules.has(start)) throw new Error(`grammar: the start symbol "${start}" has no rules`);
  // Fixpoint: height(N) = min over alternatives of 1 + max height of its nonterminals.
  const height = new Map<string, number>();
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, alts] of rules) {
      for (const alt of alts) {
        let h = 1;
        for (const s of alt.symbols)
          if (rules.has(s)) h = Math.max(h, 1 + (height.get(s) ?? Infinity));
        alt.height = h;
        if (h < (height.get(name) ?? Infinity)) {
          height.set(name, h);
          changed = true;
        }
      }
    }
  }
  for (const name of rules.keys())
    if (!height.has(name))
      throw new Error(
        `grammar: nonterminal "${name}" can never finish (every alternative recurses); add a terminal-only alternative`,
      );
  return { start, rules };
}

export function pcfgSentences(params: PcfgParams): string[] {
  const { start, rules } = compileGrammar(params.grammar ?? DEFAULT_GRAMMAR);
  const rng = Rng.derive(params.seed, 'pcfg');
  const pick = (alts: CompiledRule[]): CompiledRule => {
    const total = alts.reduce((s, a) => s + a.weight, 0);
    let r = rng.next() * total;
    for (const a of alts) {
      r -= a.weight;
      if (r < 0) return a;
    }
    return alts[alts.length - 1];
  };
  const expand = (sym: string, depth: number, out: string[]): void => {
    let alts = rules.get(sym);
    if (!alts) {
      out.push(sym);
      return;
    }
    if (depth >= params.maxDepth) {
      const minH = Math.min(...alts.map((a) => a.height));
      alts = alts.filter((a) => a.height === minH);
    }
    for (const s of pick(alts).symbols) expand(s, depth + 1, out);
  };
  const sentences: string[] = [];
  for (let i = 0; i < params.numSentences; i++) {
    const words: string[] = [];
    expand(start, 0, words);
    const text = words.join(' ');
    sentences.push(`${text.charAt(0).toUpperCase()}${text.slice(1)}.`);
  }
  return sentences;
}

/** Training and validation text of the PCFG corpus. */
export function pcfgCorpus(params: PcfgParams): { train: string; validation: string } {
  const sentences = pcfgSentences(params);
  const nVal = Math.round(params.validationFraction * sentences.length);
  if (nVal < 1 || nVal >= sentences.length)
    throw new Error(
      `pcfg: validationFraction ${params.validationFraction} of ${sentences.length} sentences leaves an empty split; raise numSentences or change the fraction`,
    );
  const cut = sentences.length - nVal;
  return {
    train: sentences.slice(0, cut).join('\n') + '\n',
    validation: sentences.slice(cut).join('\n') + '\n',
  };
}
