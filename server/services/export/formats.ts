// Row layouts of the export formats. Each format is a list of columns (used for the Parquet schema and the dataset
// card) and a function from one prompt group to rows. The same row objects go to JSONL and Parquet, so both file
// types hold the same data; only `json` columns are stored as JSON text in Parquet (see `Column.json`).
import type { SchemaElement } from "hyparquet-writer";
import type { Aggregation, ExportFormat } from "@/server/schemas/export";
import type { Message } from "@/server/services/hashing";
import { annotationsOf, collectVotes, preferencePairs, rankCandidates, ratingsScore, round6, type PairVotes } from "./aggregate";
import type { ExportCandidate, PromptGroup } from "./stream";

export type Row = Record<string, unknown>;

export interface Column {
  name: string;
  /** the column's Parquet schema subtree (its own element first) */
  parquet: SchemaElement[];
  /** type as written in the dataset card */
  type: string;
  description: string;
  /** nested value with no fixed shape: stored as JSON text in Parquet, as an object in JSONL */
  json?: boolean;
}

export interface FormatContext {
  aggregation: Aggregation;
  /** criterion keys of the selected projects, sorted; empty when no project rates candidates */
  criteria: string[];
  pseudonym: (userId: string) => string;
  /** kto: the mean criterion rating from which an unthumbed rating counts as desirable */
  ktoThreshold: number;
}

export interface FormatSpec {
  /** what one row is, for the dataset card */
  rowIs: string;
  columns: (ctx: FormatContext) => Column[];
  rows: (group: PromptGroup, votes: Map<string, PairVotes>, ctx: FormatContext) => Row[];
}

// ---- Parquet schema helpers -------------------------------------------------------------------------------------

type Repetition = "REQUIRED" | "OPTIONAL";

function str(name: string, repetition: Repetition = "REQUIRED"): SchemaElement[] {
  return [{ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: repetition }];
}
function dbl(name: string, repetition: Repetition = "REQUIRED"): SchemaElement[] {
  return [{ name, type: "DOUBLE", repetition_type: repetition }];
}
function i32(name: string, repetition: Repetition = "REQUIRED"): SchemaElement[] {
  return [{ name, type: "INT32", repetition_type: repetition }];
}
function bool(name: string, repetition: Repetition = "REQUIRED"): SchemaElement[] {
  return [{ name, type: "BOOLEAN", repetition_type: repetition }];
}
/** The standard three-level LIST (`<name> (LIST) / list (repeated) / element`) that pyarrow and DuckDB write. */
function list(name: string, element: SchemaElement[]): SchemaElement[] {
  return [
    { name, repetition_type: "REQUIRED", converted_type: "LIST", num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { ...element[0], name: "element" },
    ...element.slice(1),
  ];
}
function struct(name: string, fields: SchemaElement[][], repetition: Repetition = "REQUIRED"): SchemaElement[] {
  return [{ name, repetition_type: repetition, num_children: fields.length }, ...fields.flat()];
}

const messageStruct = struct("element", [str("role"), str("content")]);

export function parquetSchema(columns: Column[]): SchemaElement[] {
  return [
    { name: "schema", num_children: columns.length },
    ...columns.flatMap((c) => (c.json ? str(c.name) : c.parquet)),
  ];
}

// ---- rendering --------------------------------------------------------------------------------------------------

const ROLE_LABEL: Record<Message["role"], string> = { system: "System", user: "User", assistant: "Assistant" };

/** A prompt as one string: a lone user message as is, a longer conversation with role labels. */
export function promptText(messages: Message[]): string {
  if (messages.length === 1 && messages[0].role === "user") return messages[0].content;
  return messages.map((m) => `${ROLE_LABEL[m.role]}: ${m.content}`).join("\n\n");
}

/**
 * Anthropic HH-RLHF transcript. HH has no system turn, so system text opens the first Human turn, separated by a
 * blank line.
 */
export function hhTranscript(messages: Message[], response: string): string {
  let out = "";
  let pendingSystem: string[] = [];
  for (const m of messages) {
    if (m.role === "system") {
      pendingSystem.push(m.content);
    } else if (m.role === "user") {
      out += `\n\nHuman: ${[...pendingSystem, m.content].join("\n\n")}`;
      pendingSystem = [];
    } else {
      out += `\n\nAssistant: ${m.content}`;
    }
  }
  if (pendingSystem.length > 0) out += `\n\nHuman: ${pendingSystem.join("\n\n")}`;
  return `${out}\n\nAssistant: ${response}`;
}

export function conversation(messages: Message[]): { role: string; content: string }[] {
  return messages.map((m) => ({ role: m.role, content: m.content }));
}

/** The prompt's candidates by id, improved responses (edited ≻ original) included. */
function candidateMap(group: PromptGroup): Map<string, ExportCandidate> {
  const map = new Map<string, ExportCandidate>();
  for (const item of group.items) {
    for (const c of item.candidates) if (!map.has(c.id)) map.set(c.id, c);
    for (const a of item.annotations) if (a.edited && !map.has(a.edited.id)) map.set(a.edited.id, a.edited);
  }
  return map;
}

/** A pair's score as written: rounded (see round6), or null when unrated. */
export function score(x: number | null): number | null {
  return x === null ? null : round6(x);
}

// ---- pairwise formats (TRL, HH) ---------------------------------------------------------------------------------

const promptIdColumn: Column = {
  name: "prompt_id",
  parquet: str("prompt_id"),
  type: "string",
  description: "sha256 of the prompt's messages; rows from one prompt (e.g. the pairs of a K-way ranking) share it",
};
const marginColumn: Column = {
  name: "margin",
  parquet: dbl("margin"),
  type: "float64",
  description:
    "how strongly chosen beats rejected: pairwise strength (slightly 1, better 2, much 3) or rank distance; " +
    "mean of the majority's margins (majority); Bradley-Terry score difference (bradley_terry); 0 for a kept tie",
};
function scoreColumns(ctx: FormatContext): Column[] {
  if (ctx.criteria.length === 0) return [];
  const d = (side: string) =>
    `mean rating of the ${side} response over the criteria (${ctx.criteria.join(", ")}) and annotators; null if unrated`;
  return [
    { name: "score_chosen", parquet: dbl("score_chosen", "OPTIONAL"), type: "float64 | null", description: d("chosen") },
    { name: "score_rejected", parquet: dbl("score_rejected", "OPTIONAL"), type: "float64 | null", description: d("rejected") },
  ];
}

function pairRows(
  group: PromptGroup,
  votes: Map<string, PairVotes>,
  ctx: FormatContext,
  build: (chosen: ExportCandidate, rejected: ExportCandidate) => Row,
): Row[] {
  const candidates = candidateMap(group);
  const withScores = ctx.criteria.length > 0;
  return preferencePairs(group, ctx.aggregation, votes).map((p) => {
    const row = build(candidates.get(p.chosenId)!, candidates.get(p.rejectedId)!);
    row.margin = p.margin;
    if (withScores) {
      row.score_chosen = score(p.scoreChosen);
      row.score_rejected = score(p.scoreRejected);
    }
    return row;
  });
}

const trl: FormatSpec = {
  rowIs: "one preference pair (TRL standard preference format)",
  columns: (ctx) => [
    promptIdColumn,
    { name: "prompt", parquet: str("prompt"), type: "string", description: "the prompt as text (role-labelled when it has more than one user message)" },
    { name: "chosen", parquet: str("chosen"), type: "string", description: "the preferred response" },
    { name: "rejected", parquet: str("rejected"), type: "string", description: "the other response" },
    marginColumn,
    ...scoreColumns(ctx),
  ],
  rows: (group, votes, ctx) => {
    const prompt = promptText(group.messages);
    return pairRows(group, votes, ctx, (c, r) => ({ prompt_id: group.contentHash, prompt, chosen: c.text, rejected: r.text }));
  },
};

const messageListType = "list<{role: string, content: string}>";

const trlConversational: FormatSpec = {
  rowIs: "one preference pair (TRL conversational preference format)",
  columns: (ctx) => [
    promptIdColumn,
    { name: "prompt", parquet: list("prompt", messageStruct), type: messageListType, description: "the conversation before the response (shared prefix)" },
    { name: "chosen", parquet: list("chosen", messageStruct), type: messageListType, description: "the preferred assistant turn, as a one-message list" },
    { name: "rejected", parquet: list("rejected", messageStruct), type: messageListType, description: "the other assistant turn, as a one-message list" },
    marginColumn,
    ...scoreColumns(ctx),
  ],
  rows: (group, votes, ctx) => {
    const prompt = conversation(group.messages);
    return pairRows(group, votes, ctx, (c, r) => ({
      prompt_id: group.contentHash,
      prompt,
      chosen: [{ role: "assistant", content: c.text }],
      rejected: [{ role: "assistant", content: r.text }],
    }));
  },
};

const hh: FormatSpec = {
  rowIs: "one preference pair (Anthropic HH-RLHF format)",
  columns: () => [
    { name: "chosen", parquet: str("chosen"), type: "string", description: "full transcript `\\n\\nHuman: …\\n\\nAssistant: …` ending with the preferred response" },
    { name: "rejected", parquet: str("rejected"), type: "string", description: "the same transcript ending with the other response" },
  ],
  rows: (group, votes, ctx) => {
    const candidates = candidateMap(group);
    return preferencePairs(group, ctx.aggregation, votes).map((p) => ({
      chosen: hhTranscript(group.messages, candidates.get(p.chosenId)!.text),
      rejected: hhTranscript(group.messages, candidates.get(p.rejectedId)!.text),
    }));
  },
};

// ---- UltraFeedback (the two public layouts) -----------------------------------------------------------------

/** Mean rating of a candidate per criterion over the annotations that rated it (null when none did). */
function meanRatings(group: PromptGroup, candidateId: string, criteria: string[]): Record<string, number | null> {
  const annotations = annotationsOf(group);
  const out: Record<string, number | null> = {};
  for (const key of criteria) {
    const values = annotations.map((a) => a.ratings?.[candidateId]?.[key]).filter((v): v is number => typeof v === "number");
    out[key] = values.length ? round6(values.reduce((s, v) => s + v, 0) / values.length) : null;
  }
  return out;
}

/** Mean over the criteria of a candidate's mean ratings; null when it has none. */
function overall(ratings: Record<string, number | null>): number | null {
  const values = Object.values(ratings).filter((v): v is number => v !== null);
  return values.length ? round6(values.reduce((s, v) => s + v, 0) / values.length) : null;
}

/** The prompt's judged candidates, best first (Bradley-Terry over all its votes; ties in a stable order). */
function ranked(group: PromptGroup, votes: Map<string, PairVotes>): { candidate: ExportCandidate; rank: number }[] {
  const { ranks } = rankCandidates(group, votes);
  return [...candidateMap(group).values()]
    .filter((c) => ranks.has(c.id))
    .sort((x, y) => ranks.get(x.id)! - ranks.get(y.id)!)
    .map((candidate) => ({ candidate, rank: ranks.get(candidate.id)! }));
}

/**
 * HuggingFaceH4/ultrafeedback_binarized: per prompt, `chosen` and `rejected` as whole conversations ending in the
 * response, `messages` = the chosen conversation, and their scores. H4 takes the best-rated completion as chosen
 * and one of the others at random as rejected; here chosen is the top of the prompt's Bradley-Terry ranking over
 * every judgement and rejected its bottom, so a re-export gives the same rows.
 */
const ultrafeedbackBinarized: FormatSpec = {
  rowIs: "one prompt: its best and its worst judged response (HuggingFaceH4/ultrafeedback_binarized layout)",
  columns: (ctx) => {
    const d = (side: string) =>
      ctx.criteria.length
        ? `mean rating of the ${side} response over the criteria (${ctx.criteria.join(", ")}) and annotators; null if unrated`
        : `null: the projects rate no criteria (the ${side} side comes from the comparisons alone)`;
    return [
      { name: "prompt", parquet: str("prompt"), type: "string", description: "the prompt as text" },
      promptIdColumn,
      { name: "chosen", parquet: list("chosen", messageStruct), type: messageListType, description: "the conversation ending in the top-ranked response" },
      { name: "rejected", parquet: list("rejected", messageStruct), type: messageListType, description: "the conversation ending in the bottom-ranked response" },
      { name: "messages", parquet: list("messages", messageStruct), type: messageListType, description: "the chosen conversation (for SFT on the same rows)" },
      { name: "score_chosen", parquet: dbl("score_chosen", "OPTIONAL"), type: "float64 | null", description: d("chosen") },
      { name: "score_rejected", parquet: dbl("score_rejected", "OPTIONAL"), type: "float64 | null", description: d("rejected") },
    ];
  },
  rows: (group, votes, ctx) => {
    const order = ranked(group, votes);
    if (order.length < 2) return [];
    const best = order[0];
    const worst = order[order.length - 1];
    // every response shares the top rank: no preference to write
    if (best.rank === worst.rank) return [];
    const convo = conversation(group.messages);
    const chosen = [...convo, { role: "assistant", content: best.candidate.text }];
    return [
      {
        prompt: promptText(group.messages),
        prompt_id: group.contentHash,
        chosen,
        rejected: [...convo, { role: "assistant", content: worst.candidate.text }],
        messages: chosen,
        score_chosen: overall(meanRatings(group, best.candidate.id, ctx.criteria)),
        score_rejected: overall(meanRatings(group, worst.candidate.id, ctx.criteria)),
      },
    ];
  },
};

/**
 * openbmb/UltraFeedback: per instruction, its models and completions, each with `annotations.<aspect>.{Rating,
 * Rationale}` (Rating as text, as there: the mean over annotators, "N/A" when unrated; Rationale: the annotators'
 * rationales), `fine-grained_score` (mean over the aspects) and `overall_score` (the same mean: there is no separate
 * critique score here).
 */
const ultrafeedbackRaw: FormatSpec = {
  rowIs: "one instruction with all its judged completions (openbmb/UltraFeedback layout)",
  columns: (ctx) => {
    const aspect = (k: string) => struct(k, [str("Rating"), str("Rationale")]);
    const fields: SchemaElement[][] = [str("model", "OPTIONAL"), str("response")];
    if (ctx.criteria.length > 0) fields.push(struct("annotations", ctx.criteria.map(aspect)));
    fields.push(dbl("fine-grained_score", "OPTIONAL"), dbl("overall_score", "OPTIONAL"));
    const annotationsType = ctx.criteria.length > 0 ? `, annotations: {${ctx.criteria.map((k) => `${k}: {Rating: string, Rationale: string}`).join(", ")}}` : "";
    return [
      promptIdColumn,
      { name: "instruction", parquet: str("instruction"), type: "string", description: "the prompt as text" },
      { name: "models", parquet: list("models", str("element")), type: "list<string>", description: "the models of the completions, in their order (\"unknown\" when not recorded)" },
      {
        name: "completions",
        parquet: list("completions", struct("element", fields)),
        type: `list<{model: string | null, response: string${annotationsType}, fine-grained_score: float64 | null, overall_score: float64 | null}>`,
        description: "every judged response, best first by a Bradley-Terry model over the prompt's judgements, with its ratings per aspect (criterion)",
      },
    ];
  },
  rows: (group, votes, ctx) => {
    const order = ranked(group, votes);
    // ratings alone (a rating project) rank nothing: every rated response is a completion, in item order
    const rated = order.length ? order.map((o) => o.candidate) : [...candidateMap(group).values()];
    if (rated.length === 0) return [];
    const annotations = annotationsOf(group);
    const completions = rated.map((c) => {
      const means = meanRatings(group, c.id, ctx.criteria);
      const completion: Row = { model: c.model, response: c.text };
      if (ctx.criteria.length > 0) {
        const rationale = annotations.filter((a) => a.ratings?.[c.id] && a.rationale).map((a) => a.rationale).join("\n\n");
        completion.annotations = Object.fromEntries(
          ctx.criteria.map((k) => [k, { Rating: means[k] === null ? "N/A" : String(means[k]), Rationale: rationale }]),
        );
      }
      completion["fine-grained_score"] = overall(means);
      completion.overall_score = overall(means);
      return completion;
    });
    return [{ prompt_id: group.contentHash, instruction: promptText(group.messages), models: rated.map((c) => c.model ?? "unknown"), completions }];
  },
};

// ---- SFT and KTO (TRL's prompt-completion, language-modeling and unpaired-preference layouts) -----------------

/**
 * The responses a prompt's judgements say are good, for supervised fine-tuning: every demonstration (written or
 * improved), every rated response most of whose thumbs are up, and the top of the prompt's Bradley-Terry ranking
 * where responses were compared (every response sharing the top rank). Each text once per prompt.
 */
function sftCompletions(group: PromptGroup, votes: Map<string, PairVotes>): string[] {
  const out = new Set<string>();
  for (const a of annotationsOf(group)) if (a.demonstration !== null) out.add(a.demonstration);
  const thumbs = new Map<string, number>();
  for (const item of group.items) {
    if (item.candidates.length !== 1) continue;
    for (const a of item.annotations) if (a.thumbs !== null) thumbs.set(item.candidates[0].id, (thumbs.get(item.candidates[0].id) ?? 0) + (a.thumbs ? 1 : -1));
  }
  const candidates = candidateMap(group);
  for (const [id, balance] of thumbs) if (balance > 0) out.add(candidates.get(id)!.text);
  const order = ranked(group, votes);
  for (const o of order) if (o.rank === 1 && order.some((x) => x.rank > 1)) out.add(o.candidate.text);
  return [...out];
}

const sft: FormatSpec = {
  rowIs: "one prompt and a good response (TRL standard prompt-completion format)",
  columns: () => [
    promptIdColumn,
    { name: "prompt", parquet: str("prompt"), type: "string", description: "the prompt as text (role-labelled when it is a conversation)" },
    { name: "completion", parquet: str("completion"), type: "string", description: "a demonstration, a thumbs-up response or the top-ranked response" },
  ],
  rows: (group, votes) => {
    const prompt = promptText(group.messages);
    return sftCompletions(group, votes).map((completion) => ({ prompt_id: group.contentHash, prompt, completion }));
  },
};

const sftConversational: FormatSpec = {
  rowIs: "one conversation and a good assistant turn (TRL conversational prompt-completion format)",
  columns: () => [
    promptIdColumn,
    { name: "prompt", parquet: list("prompt", messageStruct), type: messageListType, description: "the conversation before the response" },
    { name: "completion", parquet: list("completion", messageStruct), type: messageListType, description: "the good response as a one-message assistant list" },
  ],
  rows: (group, votes) => {
    const prompt = conversation(group.messages);
    return sftCompletions(group, votes).map((text) => ({ prompt_id: group.contentHash, prompt, completion: [{ role: "assistant", content: text }] }));
  },
};

const sftMessages: FormatSpec = {
  rowIs: "one whole conversation ending in a good response (TRL conversational language-modeling format, `messages`)",
  columns: () => [
    promptIdColumn,
    { name: "messages", parquet: list("messages", messageStruct), type: messageListType, description: "the prompt's messages, then the good response as the assistant's turn" },
  ],
  rows: (group, votes) => {
    const convo = conversation(group.messages);
    return sftCompletions(group, votes).map((text) => ({ prompt_id: group.contentHash, messages: [...convo, { role: "assistant", content: text }] }));
  },
};

/**
 * Desirable and undesirable responses for KTO (TRL's unpaired preference format): each rating, labelled by its thumbs
 * or else by its mean criterion rating against the definition's threshold; each written demonstration (desirable);
 * each preference pair split into its chosen (desirable) and rejected (undesirable) side, as TRL's
 * unpair_preference_dataset does. Ratings are one row per annotation with policy `all`, else one per response by
 * majority (a split vote is left out).
 */
const kto: FormatSpec = {
  rowIs: "one response with whether it is desirable (TRL standard unpaired preference format, for KTO)",
  columns: () => [
    promptIdColumn,
    { name: "prompt", parquet: str("prompt"), type: "string", description: "the prompt as text" },
    { name: "completion", parquet: str("completion"), type: "string", description: "the response" },
    { name: "label", parquet: bool("label"), type: "bool", description: "true: desirable; false: undesirable" },
  ],
  rows: (group, votes, ctx) => {
    const prompt = promptText(group.messages);
    const rows: Row[] = [];
    const push = (completion: string, label: boolean) => rows.push({ prompt_id: group.contentHash, prompt, completion, label });
    const labelOf = (a: { thumbs: boolean | null; ratings: Record<string, Record<string, number>> }, cid: string) => {
      if (a.thumbs !== null) return a.thumbs;
      const mean = ratingsScore(a.ratings?.[cid]);
      return mean === null ? null : mean >= ctx.ktoThreshold;
    };
    for (const item of group.items) {
      const single = item.candidates.length === 1 ? item.candidates[0] : null;
      const labels: boolean[] = [];
      for (const a of item.annotations) {
        if (a.demonstration !== null && !a.edited) push(a.demonstration, true);
        if (!single || a.demonstration !== null) continue;
        const label = labelOf(a, single.id);
        if (label === null) continue;
        if (ctx.aggregation.policy === "all") push(single.text, label);
        else labels.push(label);
      }
      if (single && labels.length) {
        const up = labels.filter(Boolean).length;
        if (up * 2 !== labels.length) push(single.text, up * 2 > labels.length);
      }
    }
    const candidates = candidateMap(group);
    for (const p of preferencePairs(group, ctx.aggregation, votes)) {
      if (p.tie) continue;
      push(candidates.get(p.chosenId)!.text, true);
      push(candidates.get(p.rejectedId)!.text, false);
    }
    return rows;
  },
};

// ---- raw --------------------------------------------------------------------------------------------------------

const stringList = (name: string) => list(name, str("element"));

const raw: FormatSpec = {
  rowIs: "one annotation with every field (aggregate it yourself)",
  columns: () => [
    { name: "annotation_id", parquet: str("annotation_id"), type: "string", description: "annotation id" },
    { name: "project_id", parquet: str("project_id"), type: "string", description: "project id" },
    { name: "item_id", parquet: str("item_id"), type: "string", description: "item id (one comparison task)" },
    promptIdColumn,
    { name: "prompt", parquet: list("prompt", messageStruct), type: messageListType, description: "the prompt as a conversation" },
    {
      name: "candidates",
      parquet: list("candidates", struct("element", [str("candidate_id"), str("model", "OPTIONAL"), str("response")])),
      type: "list<{candidate_id: string, model: string | null, response: string}>",
      description: "the item's candidates in item order",
    },
    { name: "ranking", parquet: list("ranking", stringList("element")), type: "list<list<string>>", description: "candidate ids in ordered groups, best first; a group of more than one is a tie" },
    { name: "strength", parquet: str("strength", "OPTIONAL"), type: "string | null", description: "pairwise strength: MUCH_BETTER, BETTER, SLIGHTLY_BETTER or TIE" },
    { name: "both_bad", parquet: bool("both_bad"), type: "bool", description: "the annotator marked every response as bad" },
    { name: "ratings", parquet: [], json: true, type: "{candidate_id: {criterion: value on its scale}} (JSON text in Parquet)", description: "per-candidate criterion ratings" },
    { name: "thumbs", parquet: bool("thumbs", "OPTIONAL"), type: "bool | null", description: "rating items: thumbs up (true) or down (false)" },
    { name: "demonstration", parquet: str("demonstration", "OPTIONAL"), type: "string | null", description: "demonstration items: the response written, or the improved response" },
    { name: "demonstration_from", parquet: str("demonstration_from", "OPTIONAL"), type: "string | null", description: "the candidate id an improved response started from" },
    { name: "rationale", parquet: str("rationale"), type: "string", description: "the annotator's free-text rationale" },
    { name: "flags", parquet: stringList("flags"), type: "list<string>", description: "unsafe, factually_wrong, off_topic, pii, other" },
    { name: "flag_note", parquet: str("flag_note"), type: "string", description: "note for the `other` flag" },
    { name: "time_spent_ms", parquet: i32("time_spent_ms"), type: "int32", description: "time from render to submit, measured in the browser" },
    { name: "late", parquet: bool("late"), type: "bool", description: "submitted after the lease expired" },
    { name: "surplus", parquet: bool("surplus"), type: "bool", description: "the item already had its planned number of judgements" },
    { name: "is_gold", parquet: bool("is_gold"), type: "bool", description: "a gold (quality-control) item" },
    { name: "gold_correct", parquet: bool("gold_correct", "OPTIONAL"), type: "bool | null", description: "for gold items, whether the answer matched" },
    { name: "annotator", parquet: str("annotator"), type: "string", description: "annotator pseudonym, stable within this snapshot" },
    { name: "shown_order", parquet: stringList("shown_order"), type: "list<string>", description: "candidate ids in the order shown to the annotator (empty if unknown)" },
    { name: "created_at", parquet: str("created_at"), type: "string (ISO 8601, UTC)", description: "when the annotation was submitted" },
  ],
  rows: (group, _votes, ctx) => {
    const prompt = conversation(group.messages);
    const rows: Row[] = [];
    for (const item of group.items) {
      const candidates = item.candidates.map((c) => ({ candidate_id: c.id, model: c.model, response: c.text }));
      for (const a of item.annotations) {
        rows.push({
          annotation_id: a.id,
          project_id: a.projectId,
          item_id: a.itemId,
          prompt_id: group.contentHash,
          prompt,
          candidates,
          ranking: a.ranking,
          strength: a.strength,
          both_bad: a.bothBad,
          ratings: a.ratings ?? {},
          thumbs: a.thumbs,
          demonstration: a.demonstration,
          demonstration_from: a.demonstrationFrom,
          rationale: a.rationale,
          flags: a.flags,
          flag_note: a.flagNote,
          time_spent_ms: a.timeSpentMs,
          late: a.late,
          surplus: a.surplus,
          is_gold: a.isGold,
          gold_correct: a.goldCorrect,
          annotator: ctx.pseudonym(a.userId),
          shown_order: a.shownOrder,
          created_at: a.createdAt,
        });
      }
    }
    return rows;
  },
};

export const formats: Record<ExportFormat, FormatSpec> = {
  trl,
  "trl-conversational": trlConversational,
  hh,
  "ultrafeedback-binarized": ultrafeedbackBinarized,
  "ultrafeedback-raw": ultrafeedbackRaw,
  sft,
  "sft-conversational": sftConversational,
  "sft-messages": sftMessages,
  kto,
  raw,
};

/** Votes are computed once per prompt and shared by the rows and the agreement tally. */
export function votesOf(group: PromptGroup): Map<string, PairVotes> {
  return collectVotes(annotationsOf(group));
}
