// What every export format is built from: the row and column types, the Parquet schema helpers, the renderings of
// a prompt (as text, as a conversation, as an HH transcript) and the columns several formats share. The formats are in
// ./formats.ts (preference pairs, raw) and ./formats-collection.ts (UltraFeedback, SFT, KTO).
import type { SchemaElement } from "hyparquet-writer";
import type { Aggregation, BothBadMode, LabelSource } from "@/server/schemas/export";
import type { Message } from "@/server/services/hashing";
import { round6, type PairVotes } from "./aggregate";
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
  /** the snapshot's bothBad: `keep` adds the `both_bad` column to the formats that take the option */
  bothBad: BothBadMode;
  /** the snapshot's labels: `both` adds the `source` column (human or ai) to the formats that take AI labels */
  labels?: LabelSource;
}

export interface FormatSpec {
  /** what one row is, for the dataset card */
  rowIs: string;
  columns: (ctx: FormatContext) => Column[];
  rows: (group: PromptGroup, votes: Map<string, PairVotes>, ctx: FormatContext) => Row[];
  /**
   * Judgements that marked every response bad: `option` — a preference format, given them only with `bothBad: keep`
   * (flagged in its `both_bad` column); `never` — given none (SFT takes no good response from them); `own` — given
   * them all, the format decides (KTO labels their responses undesirable, raw writes the flag of every judgement).
   */
  bothBad: "option" | "never" | "own";
}

// ---- Parquet schema helpers -------------------------------------------------------------------------------------

export type Repetition = "REQUIRED" | "OPTIONAL";

export function str(name: string, repetition: Repetition = "REQUIRED"): SchemaElement[] {
  return [{ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: repetition }];
}
export function dbl(name: string, repetition: Repetition = "REQUIRED"): SchemaElement[] {
  return [{ name, type: "DOUBLE", repetition_type: repetition }];
}
export function i32(name: string, repetition: Repetition = "REQUIRED"): SchemaElement[] {
  return [{ name, type: "INT32", repetition_type: repetition }];
}
export function bool(name: string, repetition: Repetition = "REQUIRED"): SchemaElement[] {
  return [{ name, type: "BOOLEAN", repetition_type: repetition }];
}
/** The standard three-level LIST (`<name> (LIST) / list (repeated) / element`) that pyarrow and DuckDB write. */
export function list(name: string, element: SchemaElement[]): SchemaElement[] {
  return [
    { name, repetition_type: "REQUIRED", converted_type: "LIST", num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { ...element[0], name: "element" },
    ...element.slice(1),
  ];
}
export function struct(name: string, fields: SchemaElement[][], repetition: Repetition = "REQUIRED"): SchemaElement[] {
  return [{ name, repetition_type: repetition, num_children: fields.length }, ...fields.flat()];
}

export const messageStruct = struct("element", [str("role"), str("content")]);

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
export function candidateMap(group: PromptGroup): Map<string, ExportCandidate> {
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

// ---- columns several formats share --------------------------------------------------------------------------

export const promptIdColumn: Column = {
  name: "prompt_id",
  parquet: str("prompt_id"),
  type: "string",
  description: "sha256 of the prompt's messages; rows from one prompt (e.g. the pairs of a K-way ranking) share it",
};

export const messageListType = "list<{role: string, content: string}>";

/** The `source` column, written only when a snapshot mixes people's and an AI judge's labels. */
export function sourceColumns(ctx: FormatContext): Column[] {
  if (ctx.labels !== "both") return [];
  return [{ name: "source", parquet: str("source"), type: "string", description: "whose judgement the row comes from: human, or ai (the AI judge named in the card)" }];
}

/** The `both_bad` column, written only when the snapshot keeps both-bad judgements (so the default layout is the published one). */
export function bothBadColumns(ctx: FormatContext, description: string): Column[] {
  if (ctx.bothBad !== "keep") return [];
  return [{ name: "both_bad", parquet: bool("both_bad"), type: "bool", description }];
}
