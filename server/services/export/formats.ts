// Row layouts of the export formats. Each format is a list of columns (used for the Parquet schema and the dataset
// card) and a function from one prompt group to rows. The same row objects go to JSONL and Parquet, so both file
// types hold the same data; only `json` columns are stored as JSON text in Parquet (see `Column.json`).
import type { SchemaElement } from "hyparquet-writer";
import type { Aggregation, ExportFormat } from "@/server/schemas/export";
import type { Message } from "@/server/services/hashing";
import { annotationsOf, collectVotes, preferencePairs, rankCandidates, round6, type PairVotes } from "./aggregate";
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

function candidateMap(group: PromptGroup): Map<string, ExportCandidate> {
  const map = new Map<string, ExportCandidate>();
  for (const item of group.items) for (const c of item.candidates) if (!map.has(c.id)) map.set(c.id, c);
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
    `mean 1–7 rating of the ${side} response over the criteria (${ctx.criteria.join(", ")}) and annotators; null if unrated`;
  return [
    { name: "score_chosen", parquet: dbl("score_chosen", "OPTIONAL"), type: "float64 | null", description: d("chosen") },
    { name: "score_rejected", parquet: dbl("score_rejected", "OPTIONAL"), type: "float64 | null", description: d("rejected") },
  ];
}

/**
 * A pairwise format's row for one pair, less its margin and scores: what is fixed per prompt, then the chosen and
 * rejected responses put in. The one definition of each pairwise row: the general path fills it in per pair, the
 * direct path (./pair-lines.ts) renders it once per prompt and splices the responses' JSON literals in.
 */
export interface PairTemplate {
  row: (prompt: { contentHash: string; messages: Message[] }) => (chosen: string, rejected: string) => Row;
  /** rows end with the pair's margin and, when the projects rate candidates, both responses' scores */
  margin: boolean;
}

function pairRows(group: PromptGroup, votes: Map<string, PairVotes>, ctx: FormatContext, template: PairTemplate): Row[] {
  const candidates = candidateMap(group);
  const withScores = template.margin && ctx.criteria.length > 0;
  const build = template.row(group);
  return preferencePairs(group, ctx.aggregation, votes).map((p) => {
    const row = build(candidates.get(p.chosenId)!.text, candidates.get(p.rejectedId)!.text);
    if (template.margin) row.margin = p.margin;
    if (withScores) {
      row.score_chosen = score(p.scoreChosen);
      row.score_rejected = score(p.scoreRejected);
    }
    return row;
  });
}

export const pairTemplates = {
  trl: {
    row: ({ contentHash, messages }) => {
      const prompt = promptText(messages);
      return (chosen, rejected) => ({ prompt_id: contentHash, prompt, chosen, rejected });
    },
    margin: true,
  },
  "trl-conversational": {
    row: ({ contentHash, messages }) => {
      const prompt = conversation(messages);
      return (chosen, rejected) => ({
        prompt_id: contentHash,
        prompt,
        chosen: [{ role: "assistant", content: chosen }],
        rejected: [{ role: "assistant", content: rejected }],
      });
    },
    margin: true,
  },
  hh: {
    row: ({ messages }) => (chosen, rejected) => ({ chosen: hhTranscript(messages, chosen), rejected: hhTranscript(messages, rejected) }),
    margin: false,
  },
} satisfies Record<string, PairTemplate>;

export type PairFormat = keyof typeof pairTemplates;

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
  rows: (group, votes, ctx) => pairRows(group, votes, ctx, pairTemplates.trl),
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
  rows: (group, votes, ctx) => pairRows(group, votes, ctx, pairTemplates["trl-conversational"]),
};

const hh: FormatSpec = {
  rowIs: "one preference pair (Anthropic HH-RLHF format)",
  columns: () => [
    { name: "chosen", parquet: str("chosen"), type: "string", description: "full transcript `\\n\\nHuman: …\\n\\nAssistant: …` ending with the preferred response" },
    { name: "rejected", parquet: str("rejected"), type: "string", description: "the same transcript ending with the other response" },
  ],
  rows: (group, votes, ctx) => pairRows(group, votes, ctx, pairTemplates.hh),
};

// ---- UltraFeedback-like ----------------------------------------------------------------------------------------

const ultrafeedback: FormatSpec = {
  rowIs: "one prompt with all its judged completions (UltraFeedback-like)",
  columns: (ctx) => {
    const fields = [str("model", "OPTIONAL"), str("response")];
    if (ctx.criteria.length > 0) fields.push(struct("ratings", ctx.criteria.map((k) => dbl(k, "OPTIONAL"))));
    fields.push(i32("rank"));
    const ratingsType = ctx.criteria.length > 0 ? `, ratings: {${ctx.criteria.map((k) => `${k}: float64 | null`).join(", ")}}` : "";
    return [
      promptIdColumn,
      { name: "prompt", parquet: str("prompt"), type: "string", description: "the prompt as text" },
      { name: "messages", parquet: list("messages", messageStruct), type: messageListType, description: "the prompt as a conversation" },
      {
        name: "completions",
        parquet: list("completions", struct("element", fields)),
        type: `list<{model: string | null, response: string${ratingsType}, rank: int32}>`,
        description:
          "every judged response: its model, mean rating per criterion over annotators (null if unrated), and its rank " +
          "among the prompt's responses by Bradley-Terry score over all judgements (1 = best; equal scores share a rank)",
      },
    ];
  },
  rows: (group, votes, ctx) => {
    const { ranks } = rankCandidates(group, votes);
    const annotations = annotationsOf(group);
    const completions = [...candidateMap(group).values()]
      .filter((c) => ranks.has(c.id))
      .sort((x, y) => ranks.get(x.id)! - ranks.get(y.id)!)
      .map((c) => {
        const completion: Row = { model: c.model, response: c.text };
        if (ctx.criteria.length > 0) {
          const ratings: Record<string, number | null> = {};
          for (const key of ctx.criteria) {
            const values = annotations.map((a) => a.ratings?.[c.id]?.[key]).filter((v): v is number => typeof v === "number");
            ratings[key] = values.length ? round6(values.reduce((s, v) => s + v, 0) / values.length) : null;
          }
          completion.ratings = ratings;
        }
        completion.rank = ranks.get(c.id)!;
        return completion;
      });
    if (completions.length === 0) return [];
    return [{ prompt_id: group.contentHash, prompt: promptText(group.messages), messages: conversation(group.messages), completions }];
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
    { name: "ratings", parquet: [], json: true, type: "{candidate_id: {criterion: 1..7}} (JSON text in Parquet)", description: "per-candidate criterion ratings" },
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
  ultrafeedback,
  raw,
};

/** Votes are computed once per prompt and shared by the rows and the agreement tally. */
export function votesOf(group: PromptGroup): Map<string, PairVotes> {
  return collectVotes(annotationsOf(group));
}
