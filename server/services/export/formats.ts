// Row layouts of the export formats. Each format is a list of columns (used for the Parquet schema and the dataset
// card) and a function from one prompt group to rows. The same row objects go to JSONL and Parquet, so both file
// types hold the same data; only `json` columns are stored as JSON text in Parquet (see `Column.json`). Here: the
// preference pairs (TRL, HH) and raw; ./formats-collection.ts has UltraFeedback, SFT and KTO; ./layout.ts what they
// are built from.
import type { ExportFormat } from "@/server/schemas/export";
import { annotationsOf, collectVotes, preferencePairs, type PairVotes } from "./aggregate";
import { kto, sft, sftConversational, sftMessages, ultrafeedbackBinarized, ultrafeedbackRaw } from "./formats-collection";
import {
  bool,
  bothBadColumns,
  sourceColumns,
  candidateMap,
  conversation,
  dbl,
  hhTranscript,
  i32,
  list,
  messageListType,
  messageStruct,
  promptIdColumn,
  promptText,
  score,
  str,
  struct,
  type Column,
  type FormatContext,
  type FormatSpec,
  type Row,
} from "./layout";
import type { Message } from "@/server/services/hashing";
import type { PromptGroup } from "./stream";

export { conversation, hhTranscript, parquetSchema, promptText, score, type Column, type FormatContext, type FormatSpec, type Row } from "./layout";

// ---- pairwise formats (TRL, HH) ---------------------------------------------------------------------------------

const marginColumn: Column = {
  name: "margin",
  parquet: dbl("margin"),
  type: "float64",
  description:
    "how strongly chosen beats rejected: pairwise strength (slightly 1, better 2, much 3) or rank distance; " +
    "mean of the majority's margins (majority); Bradley-Terry score difference (bradley_terry); 0 for a kept tie",
};
const PAIR_BOTH_BAD = "true when a judgement behind the pair marked every response bad (kept because the snapshot's bothBad is keep)";

function scoreColumns(ctx: FormatContext): Column[] {
  if (ctx.criteria.length === 0) return [];
  const d = (side: string) =>
    `mean rating of the ${side} response over the criteria (${ctx.criteria.join(", ")}) and annotators; null if unrated`;
  return [
    { name: "score_chosen", parquet: dbl("score_chosen", "OPTIONAL"), type: "float64 | null", description: d("chosen") },
    { name: "score_rejected", parquet: dbl("score_rejected", "OPTIONAL"), type: "float64 | null", description: d("rejected") },
  ];
}

/**
 * A pairwise format's row for one pair, less its margin and scores: the values taken from the prompt alone (computed
 * once per prompt), then the row with the chosen and rejected responses put in. The one definition of each pairwise
 * row: the general path fills it in per pair; the direct path (./pair-lines.ts) renders `row` once per format with
 * stand-ins, and per prompt only encodes the prompt's values, so each line is a few concatenations.
 */
export interface PairTemplate<P extends Record<string, unknown> = Record<string, unknown>> {
  prompt: (prompt: { contentHash: string; messages: Message[] }) => P;
  row: (prompt: P, chosen: string, rejected: string) => Row;
  /** rows end with the pair's margin and, when the projects rate candidates, both responses' scores */
  margin: boolean;
}

/** Keeps each template's prompt values and row typed against each other. */
const pairTemplate = <P extends Record<string, unknown>>(t: PairTemplate<P>) => t as unknown as PairTemplate;

function pairRows(group: PromptGroup, votes: Map<string, PairVotes>, ctx: FormatContext, template: PairTemplate): Row[] {
  const candidates = candidateMap(group);
  const withScores = template.margin && ctx.criteria.length > 0;
  const prompt = template.prompt(group);
  return preferencePairs(group, ctx.aggregation, votes).map((p) => {
    const row = template.row(prompt, candidates.get(p.chosenId)!.text, candidates.get(p.rejectedId)!.text);
    if (template.margin) row.margin = p.margin;
    if (withScores) {
      row.score_chosen = score(p.scoreChosen);
      row.score_rejected = score(p.scoreRejected);
    }
    if (ctx.bothBad === "keep") row.both_bad = p.bothBad;
    if (ctx.labels === "both") row.source = p.source ?? "human";
    return row;
  });
}

export const pairTemplates = {
  trl: pairTemplate({
    prompt: ({ contentHash, messages }) => ({ id: contentHash, text: promptText(messages) }),
    row: (prompt, chosen, rejected) => ({ prompt_id: prompt.id, prompt: prompt.text, chosen, rejected }),
    margin: true,
  }),
  "trl-conversational": pairTemplate({
    prompt: ({ contentHash, messages }) => ({ id: contentHash, conversation: conversation(messages) }),
    row: (prompt, chosen, rejected) => ({
      prompt_id: prompt.id,
      prompt: prompt.conversation,
      chosen: [{ role: "assistant", content: chosen }],
      rejected: [{ role: "assistant", content: rejected }],
    }),
    margin: true,
  }),
  hh: pairTemplate({
    // hhTranscript ends with the response, so the transcript with an empty one is every row's shared start
    prompt: ({ messages }) => ({ transcript: hhTranscript(messages, "") }),
    row: (prompt, chosen, rejected) => ({ chosen: prompt.transcript + chosen, rejected: prompt.transcript + rejected }),
    margin: false,
  }),
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
    ...bothBadColumns(ctx, PAIR_BOTH_BAD),
    ...sourceColumns(ctx),
  ],
  rows: (group, votes, ctx) => pairRows(group, votes, ctx, pairTemplates.trl),
  bothBad: "option",
};

const trlConversational: FormatSpec = {
  rowIs: "one preference pair (TRL conversational preference format)",
  columns: (ctx) => [
    promptIdColumn,
    { name: "prompt", parquet: list("prompt", messageStruct), type: messageListType, description: "the conversation before the response (shared prefix)" },
    { name: "chosen", parquet: list("chosen", messageStruct), type: messageListType, description: "the preferred assistant turn, as a one-message list" },
    { name: "rejected", parquet: list("rejected", messageStruct), type: messageListType, description: "the other assistant turn, as a one-message list" },
    marginColumn,
    ...scoreColumns(ctx),
    ...bothBadColumns(ctx, PAIR_BOTH_BAD),
    ...sourceColumns(ctx),
  ],
  rows: (group, votes, ctx) => pairRows(group, votes, ctx, pairTemplates["trl-conversational"]),
  bothBad: "option",
};

const hh: FormatSpec = {
  rowIs: "one preference pair (Anthropic HH-RLHF format)",
  columns: (ctx) => [
    { name: "chosen", parquet: str("chosen"), type: "string", description: "full transcript `\\n\\nHuman: …\\n\\nAssistant: …` ending with the preferred response" },
    { name: "rejected", parquet: str("rejected"), type: "string", description: "the same transcript ending with the other response" },
    ...bothBadColumns(ctx, PAIR_BOTH_BAD),
    ...sourceColumns(ctx),
  ],
  rows: (group, votes, ctx) => pairRows(group, votes, ctx, pairTemplates.hh),
  bothBad: "option",
};

// ---- raw --------------------------------------------------------------------------------------------------------

const stringList = (name: string) => list(name, str("element"));

const raw: FormatSpec = {
  rowIs: "one annotation with every field (aggregate it yourself)",
  columns: (ctx) => [
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
    { name: "review_state", parquet: str("review_state", "OPTIONAL"), type: "string | null", description: "the latest review: ACCEPTED, REJECTED (only when the snapshot includes rejected judgements) or CORRECTED (the fields above hold the reviewer's correction); null when not reviewed" },
    { name: "reviewer", parquet: str("reviewer", "OPTIONAL"), type: "string | null", description: "pseudonym of who made that review (same pseudonyms as `annotator`)" },
    ...(ctx.labels && ctx.labels !== "human"
      ? [{ name: "source", parquet: str("source"), type: "string", description: "human, or ai: an AI judge's verdict (its `annotator` is the judge's pseudonym)" }]
      : []),
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
          review_state: a.reviewState,
          reviewer: a.reviewerId ? ctx.pseudonym(a.reviewerId) : null,
          ...(ctx.labels && ctx.labels !== "human" ? { source: a.source } : {}),
        });
      }
    }
    return rows;
  },
  bothBad: "own",
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
