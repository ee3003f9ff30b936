// What an AI judge is asked and how its answers become a suggestion, as pure functions (the run is ./run.ts).
//
// Comparisons follow MT-Bench (Zheng et al., 2023) and Arena-Hard: the judge explains, then ends with a verdict in
// double brackets — "[[A>>B]]", "[[A>B]]", "[[A=B]]", "[[B>A]]", "[[B>>A]]" for a pair, "[[C>A=B>D]]" for a
// ranking — and is asked a second time with the order reversed. Where the two orders agree the verdict stands (for a
// pair with the weaker of the two strengths); where they disagree a pair is a tie (MT-Bench's rule) and a ranking
// is the candidates' average place (equal averages tie). A single response is rated once, a "[[key=value]]" line per
// criterion and "[[thumbs=up]]" or "[[thumbs=down]]".
import type { Message } from "@/server/services/hashing";
import { scaleValues, type Scale, type Strength, type TaskType } from "@/server/schemas/judgement";

export interface JudgedItem {
  taskType: TaskType;
  messages: Message[];
  guidelines: string;
  /** in the item's own order */
  candidates: { id: string; text: string }[];
  criteria: { key: string; label?: string; description?: string; scale?: Scale }[];
  /** RATING: thumbs up or down is asked for */
  thumbs: boolean;
}

/** A parsed answer, in candidate ids. */
export type Verdict =
  | { kind: "ranking"; ranking: string[][]; strength?: Strength }
  | { kind: "rating"; ratings: Record<string, number>; thumbs?: boolean };

export interface Answer {
  /** candidate ids as shown, first = "A" (or "1") */
  order: string[];
  raw: string;
  verdict: Verdict | null;
}

export interface Combined {
  ranking: string[][] | null;
  strength: Strength | null;
  ratings: Record<string, Record<string, number>>;
  thumbs: boolean | null;
  /** the two orders agreed; null when asked once or when one answer had no verdict */
  consistent: boolean | null;
}

const LABELS = "ABCDEFGHI";

// ---- prompts -----------------------------------------------------------------------------------------------------

const AVOID_BIAS =
  "Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. " +
  "Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. Be as objective as possible.";

export const DEFAULT_SYSTEM_PROMPT: Record<Exclude<TaskType, "DEMONSTRATION">, string> = {
  PAIRWISE:
    "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user prompt displayed below. " +
    "You should choose the assistant that follows the user's instructions and answers the user's question better, judging helpfulness, relevance, accuracy, depth and harmlessness. " +
    `${AVOID_BIAS} Begin with a short explanation. After it, output your final verdict by strictly following this format: ` +
    '"[[A>>B]]" if assistant A is significantly better, "[[A>B]]" if assistant A is better, "[[A=B]]" for a tie, "[[B>A]]" if assistant B is better, and "[[B>>A]]" if assistant B is significantly better.',
  RANKING:
    "Please act as an impartial judge and rank the responses provided by several AI assistants to the user prompt displayed below, from best to worst, judging helpfulness, relevance, accuracy, depth and harmlessness. " +
    `${AVOID_BIAS} Begin with a short explanation. After it, output your final ranking by strictly following this format: the assistants' letters from best to worst between double brackets, ` +
    'separated by ">" and by "=" where two are equally good, every letter exactly once, for example "[[C>A=B>D]]".',
  RATING:
    "Please act as an impartial judge and rate the response provided by an AI assistant to the user prompt displayed below on each criterion listed. " +
    "Be as objective as possible and do not let the response's length influence you. Begin with a short explanation. After it, output one line per criterion by strictly following this format: " +
    '"[[key=value]]", with the criterion\'s key and a value on its scale.',
};

export const DEFAULT_TEMPLATE: Record<Exclude<TaskType, "DEMONSTRATION">, string> = {
  PAIRWISE:
    "{{guidelines}}<|User Prompt|>\n{{question}}\n\n<|The Start of Assistant A's Answer|>\n{{answer_a}}\n<|The End of Assistant A's Answer|>\n\n" +
    "<|The Start of Assistant B's Answer|>\n{{answer_b}}\n<|The End of Assistant B's Answer|>",
  RANKING: "{{guidelines}}<|User Prompt|>\n{{question}}\n\n{{answers}}",
  RATING: "{{guidelines}}<|User Prompt|>\n{{question}}\n\n<|The Start of the Assistant's Answer|>\n{{answer}}\n<|The End of the Assistant's Answer|>\n\n{{criteria}}",
};

/** The placeholders a template for the task type must keep: without them the judge would not see the responses. */
export const REQUIRED_PLACEHOLDERS: Record<Exclude<TaskType, "DEMONSTRATION">, string[]> = {
  PAIRWISE: ["question", "answer_a", "answer_b"],
  RANKING: ["question", "answers"],
  RATING: ["question", "answer", "criteria"],
};

/** What is wrong with a template for the task type, or null. */
export function templateError(taskType: TaskType, template: string): string | null {
  if (taskType === "DEMONSTRATION") return "a demonstration project has nothing to judge";
  const missing = REQUIRED_PLACEHOLDERS[taskType].filter((p) => !template.includes(`{{${p}}}`));
  return missing.length ? `the template must contain ${missing.map((p) => `{{${p}}}`).join(", ")}` : null;
}

/** A conversation as the judge reads it: a single user turn as itself, a longer one turn by turn. */
export function questionText(messages: Message[]): string {
  if (messages.length === 1 && messages[0].role === "user") return messages[0].content;
  return messages.map((m) => `${m.role}: ${m.content}`).join("\n\n");
}

function criteriaText(item: JudgedItem): string {
  const lines = item.criteria.map((c) => {
    const values = scaleValues(c.scale);
    const range = c.scale?.kind === "binary" ? `0 (${values[0].label}) or 1 (${values[1].label})` : `1 to ${values.length}`;
    return `- ${c.key}: ${c.label ?? c.key}${c.description ? ` (${c.description})` : ""}, ${range}`;
  });
  if (item.thumbs) lines.push('- thumbs: would you accept this response as it is? "up" or "down"');
  return `Criteria (one [[key=value]] line each):\n${lines.join("\n")}`;
}

/** Fills {{name}} once, left to right: a value that itself contains "{{…}}" (model text) is never expanded. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? values[name] : whole));
}

/** The chat messages asking the judge about the item with its candidates shown in `order` (candidate ids). */
export function judgeMessages(item: JudgedItem, order: string[], config: { system_prompt?: string; template?: string }): Message[] {
  if (item.taskType === "DEMONSTRATION") throw new Error("a demonstration item has nothing to judge");
  const text = new Map(item.candidates.map((c) => [c.id, c.text]));
  const shown = order.map((id) => text.get(id) ?? "");
  const values: Record<string, string> = {
    guidelines: item.guidelines.trim() ? `The guidelines the human annotators follow:\n${item.guidelines.trim()}\n\n` : "",
    question: questionText(item.messages),
    answer_a: shown[0] ?? "",
    answer_b: shown[1] ?? "",
    answer: shown[0] ?? "",
    answers: shown.map((t, k) => `<|The Start of Assistant ${LABELS[k]}'s Answer|>\n${t}\n<|The End of Assistant ${LABELS[k]}'s Answer|>`).join("\n\n"),
    criteria: criteriaText(item),
  };
  return [
    { role: "system", content: config.system_prompt ?? DEFAULT_SYSTEM_PROMPT[item.taskType] },
    { role: "user", content: fillTemplate(config.template ?? DEFAULT_TEMPLATE[item.taskType], values) },
  ];
}

/** The order of the second request: reversed (for two candidates, swapped). */
export function swappedOrder(order: string[]): string[] {
  return [...order].reverse();
}

// ---- parsing -----------------------------------------------------------------------------------------------------

const PAIR_RE = /\[\[\s*([AB])\s*(>>|>|=|<<|<)\s*([AB])\s*\]\]/g;

function parsePair(order: string[], text: string): Verdict | null {
  const found = new Set<string>();
  for (const m of text.matchAll(PAIR_RE)) {
    const [, x, op, y] = m;
    if (x === y) continue;
    // one spelling per verdict: "B<A" is "A>B"
    const [winner, loser, strength] =
      op === "=" ? ["A", "B", "TIE"] : op.startsWith(">") ? [x, y, op === ">>" ? "MUCH_BETTER" : "BETTER"] : [y, x, op === "<<" ? "MUCH_BETTER" : "BETTER"];
    found.add(`${winner}${loser}${strength}`);
  }
  // none, or verdicts that contradict each other (Arena-Hard drops those too)
  if (found.size !== 1) return null;
  const [key] = found;
  const winner = order[LABELS.indexOf(key[0])];
  const loser = order[LABELS.indexOf(key[1])];
  const strength = key.slice(2) as Strength;
  return { kind: "ranking", ranking: strength === "TIE" ? [[order[0], order[1]]] : [[winner], [loser]], strength };
}

function parseRanking(order: string[], text: string): Verdict | null {
  const labels = LABELS.slice(0, order.length);
  const matches = [...text.matchAll(/\[\[([A-I\s>=]+)\]\]/g)];
  if (matches.length === 0) return null;
  // the final verdict is the last one given
  const groups = matches[matches.length - 1][1]
    .replace(/\s+/g, "")
    .split(">")
    .map((g) => g.split("="));
  const flat = groups.flat();
  if (flat.some((l) => l.length !== 1 || !labels.includes(l)) || new Set(flat).size !== flat.length || flat.length !== order.length) return null;
  return { kind: "ranking", ranking: groups.map((g) => g.map((l) => order[labels.indexOf(l)])) };
}

function parseRating(item: JudgedItem, text: string): Verdict | null {
  const ratings: Record<string, number> = {};
  for (const c of item.criteria) {
    const escaped = c.key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const all = [...text.matchAll(new RegExp(`\\[\\[\\s*${escaped}\\s*[=:]\\s*(\\d+)\\s*\\]\\]`, "gi"))];
    if (all.length === 0) return null;
    const value = Number(all[all.length - 1][1]);
    if (!scaleValues(c.scale).some((v) => v.value === value)) return null;
    ratings[c.key] = value;
  }
  let thumbs: boolean | undefined;
  if (item.thumbs) {
    const all = [...text.matchAll(/\[\[\s*thumbs\s*[=:]\s*(up|down)\s*\]\]/gi)];
    if (all.length === 0) return null;
    thumbs = all[all.length - 1][1].toLowerCase() === "up";
  }
  return { kind: "rating", ratings, thumbs };
}

/** The verdict in a judge's answer to the item shown in `order`, or null when it gave none it could be held to. */
export function parseVerdict(item: JudgedItem, order: string[], text: string): Verdict | null {
  if (item.taskType === "RATING") return parseRating(item, text);
  if (item.taskType === "PAIRWISE" && order.length === 2) return parsePair(order, text);
  return parseRanking(order, text);
}

// ---- combining the two orders ------------------------------------------------------------------------------------

const MAGNITUDE: Record<Strength, number> = { MUCH_BETTER: 3, BETTER: 2, SLIGHTLY_BETTER: 1, TIE: 0 };
const BY_MAGNITUDE: Strength[] = ["TIE", "SLIGHTLY_BETTER", "BETTER", "MUCH_BETTER"];

/** A pair's verdict as a signed strength of `first` over the other candidate. */
function signed(v: Extract<Verdict, { kind: "ranking" }>, first: string): number {
  const m = MAGNITUDE[v.strength ?? (v.ranking.length === 1 ? "TIE" : "BETTER")];
  if (v.ranking.length === 1) return 0;
  return v.ranking[0][0] === first ? m : -m;
}

/** Each candidate's place (0 = best; tied candidates share one). */
function places(ranking: string[][]): Map<string, number> {
  const out = new Map<string, number>();
  ranking.forEach((group, k) => group.forEach((id) => out.set(id, k)));
  return out;
}

function sameRanking(a: string[][], b: string[][]): boolean {
  const pa = places(a);
  const pb = places(b);
  return a.length === b.length && [...pa].every(([id, k]) => pb.get(id) === k);
}

/** Candidates by their average place over the rankings, equal averages tied. */
function averageRanking(candidates: string[], rankings: string[][][]): string[][] {
  const placeMaps = rankings.map(places);
  const mean = new Map(candidates.map((id) => [id, placeMaps.reduce((s, p) => s + (p.get(id) ?? 0), 0) / placeMaps.length]));
  const sorted = [...candidates].sort((x, y) => (mean.get(x) as number) - (mean.get(y) as number));
  const groups: string[][] = [];
  for (const id of sorted) {
    const last = groups[groups.length - 1];
    if (last && Math.abs((mean.get(last[0]) as number) - (mean.get(id) as number)) < 1e-9) last.push(id);
    else groups.push([id]);
  }
  return groups;
}

/** The suggestion the answers add up to. */
export function combine(item: JudgedItem, answers: Answer[]): Combined {
  const none: Combined = { ranking: null, strength: null, ratings: {}, thumbs: null, consistent: null };
  const parsed = answers.filter((a) => a.verdict !== null);
  if (parsed.length === 0) return none;
  if (item.taskType === "RATING") {
    const v = parsed[0].verdict as Extract<Verdict, { kind: "rating" }>;
    const id = item.candidates[0].id;
    return { ranking: [[id]], strength: null, ratings: { [id]: v.ratings }, thumbs: v.thumbs ?? null, consistent: null };
  }
  const verdicts = parsed.map((a) => a.verdict as Extract<Verdict, { kind: "ranking" }>);
  const ids = item.candidates.map((c) => c.id);
  const pair = item.taskType === "PAIRWISE" && ids.length === 2;
  if (verdicts.length === 1) {
    return { ...none, ranking: verdicts[0].ranking, strength: pair ? (verdicts[0].strength ?? null) : null, consistent: null };
  }
  if (pair) {
    const [s1, s2] = verdicts.slice(0, 2).map((v) => signed(v, ids[0]));
    if (Math.sign(s1) !== Math.sign(s2)) return { ...none, ranking: [[ids[0], ids[1]]], strength: "TIE", consistent: false };
    if (s1 === 0) return { ...none, ranking: [[ids[0], ids[1]]], strength: "TIE", consistent: true };
    const winner = s1 > 0 ? ids[0] : ids[1];
    return {
      ...none,
      ranking: [[winner], [winner === ids[0] ? ids[1] : ids[0]]],
      strength: BY_MAGNITUDE[Math.min(Math.abs(s1), Math.abs(s2))],
      consistent: true,
    };
  }
  const rankings = verdicts.map((v) => v.ranking);
  const consistent = rankings.every((r) => sameRanking(r, rankings[0]));
  return { ...none, ranking: consistent ? rankings[0] : averageRanking(ids, rankings), consistent };
}
