// ROUGE-L between two texts, as Google's rouge_score computes it (the package the Self-Instruct paper's filter
// uses, with use_stemmer=False): lower-cased, every run of characters other than a–z and 0–9 a separator, the
// longest common subsequence of the tokens, F-measure = 2PR / (P + R). Also the near-duplicate index the importer
// and Self-Instruct share: does a text come within a threshold of any text kept so far.

/** rouge_score's default tokenizer. */
export function rougeTokens(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().split(" ").filter(Boolean);
}

function lcsLength(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  // one row of the DP table at a time, over the shorter sequence
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  let prev = new Uint16Array(short.length + 1);
  let row = new Uint16Array(short.length + 1);
  for (let i = 1; i <= long.length; i++) {
    for (let j = 1; j <= short.length; j++) row[j] = long[i - 1] === short[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]);
    [prev, row] = [row, prev];
  }
  return prev[short.length];
}

export function rougeLTokens(a: string[], b: string[]): number {
  const lcs = lcsLength(a, b);
  if (lcs === 0) return 0;
  const precision = lcs / b.length;
  const recall = lcs / a.length;
  return (2 * precision * recall) / (precision + recall);
}

/** ROUGE-L F-measure of `candidate` against `reference` (symmetric). */
export function rougeL(reference: string, candidate: string): number {
  return rougeLTokens(rougeTokens(reference), rougeTokens(candidate));
}

/**
 * Texts kept so far, tokenized once, with an inverted index from token to texts. `closest` finds the most similar
 * kept text among those sharing a token; `atLeast` answers "is any kept text within `threshold`" exactly without
 * looking at most of them: ROUGE-L's LCS is at most the shared-token count c, and F ≥ t needs
 * c ≥ t·n / (2 − t) for a query of n tokens (whatever the other text's length), so a text that shares none of any
 * n − ⌈c⌉ + 1 of the query's tokens cannot reach t. Those are taken from the query's rarest tokens, so the lists
 * read are short (prefix filtering, Chaudhuri et al. 2006).
 */
export class RougeIndex {
  private readonly texts: string[] = [];
  private readonly tokens: string[][] = [];
  private readonly byToken = new Map<string, number[]>();

  get size(): number {
    return this.texts.length;
  }

  add(text: string): void {
    const t = rougeTokens(text);
    const i = this.texts.length;
    this.texts.push(text);
    this.tokens.push(t);
    for (const token of new Set(t)) {
      const list = this.byToken.get(token);
      if (list) list.push(i);
      else this.byToken.set(token, [i]);
    }
  }

  /** The most similar kept text whose ROUGE-L with `text` is at least `threshold` (0 < threshold ≤ 1), or null. */
  atLeast(text: string, threshold: number): { text: string; score: number } | null {
    const t = rougeTokens(text);
    if (t.length === 0) return null;
    const minShared = Math.ceil((threshold * t.length) / (2 - threshold) - 1e-9);
    const probe = t.length - minShared + 1;
    // the query's token occurrences, rarest type first; the first `probe` of them
    const counts = new Map<string, number>();
    for (const token of t) counts.set(token, (counts.get(token) ?? 0) + 1);
    const types = [...counts.keys()].sort((x, y) => (this.byToken.get(x)?.length ?? 0) - (this.byToken.get(y)?.length ?? 0));
    const candidates = new Set<number>();
    let taken = 0;
    for (const type of types) {
      if (taken >= probe) break;
      taken += counts.get(type)!;
      for (const i of this.byToken.get(type) ?? []) candidates.add(i);
    }
    let best: { text: string; score: number } | null = null;
    for (const i of candidates) {
      const score = rougeLTokens(this.tokens[i], t);
      if (score >= threshold && (!best || score > best.score)) best = { text: this.texts[i], score };
    }
    return best;
  }

  /** The kept text most similar to `text` and its score; null when nothing shares a token with it. */
  closest(text: string): { text: string; score: number } | null {
    const t = rougeTokens(text);
    const candidates = new Set<number>();
    for (const token of new Set(t)) for (const i of this.byToken.get(token) ?? []) candidates.add(i);
    let best: { text: string; score: number } | null = null;
    for (const i of candidates) {
      const score = rougeLTokens(this.tokens[i], t);
      if (!best || score > best.score) best = { text: this.texts[i], score };
    }
    return best;
  }
}
