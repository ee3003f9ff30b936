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
 * Texts kept so far, tokenized once. `closest` finds the most similar kept text. Exhaustive: fine for the tens of
 * thousands of instructions Self-Instruct keeps (the paper's 52k took its authors' script the same way); a token
 * that no kept text shares cannot raise the score, so texts without a common token are skipped cheaply.
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
