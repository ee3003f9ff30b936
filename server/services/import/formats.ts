// The seven input formats: detection from the first readable line, and one parser per format that turns a record
// into a normalized row (prompt messages + candidates + optional gold) or into `{ line, field, message }` errors.
// Over 400 lines on purpose: each parser is short and they share the issue-to-error wording, so they read best
// side by side; a new format is one parser here and one line in detectFormat.
import { parse as csvParse } from "csv-parse";
import type { z } from "zod";
import type { FieldError } from "@/server/errors";
import { AppError } from "@/server/errors";
import { type Message } from "@/server/services/hashing";
import {
  alpacaRowSchema,
  csvColumnPattern,
  csvRowSchema,
  hhRowSchema,
  type ImportFormat,
  jsonlRowSchema,
  MAX_CANDIDATES,
  openaiRowSchema,
  sniTaskSchema,
  trlRowSchema,
} from "@/server/schemas/import";
import type { Line } from "./lines";

export type LineError = Required<Pick<FieldError, "line">> & FieldError;

export interface CandidateIn {
  text: string;
  model: string | null;
  metadata: Record<string, unknown> | null;
}

/** One input row that defines its own item(s): jsonl, trl, hh, csv. */
export interface RowIn {
  kind: "row";
  prompt: Message[];
  promptMetadata: Record<string, unknown> | null;
  source: string | null;
  candidates: CandidateIn[];
  priority: number;
  /** expected ranking as groups of indices into `candidates`, best first; for a rating item, the expected thumbs */
  gold: Gold | null;
}

export type Gold = number[][] | { thumbs: boolean };

/** One OpenAI chat row: a prompt and a single response; items are formed per prompt after the whole file is read. */
export interface SingleIn {
  kind: "single";
  prompt: Message[];
  candidate: CandidateIn;
}

export interface ParsedRecord {
  line: number;
  /** the record's original text, for the rejected-lines file */
  raw: Buffer | string;
  value?: RowIn | SingleIn;
  errors?: LineError[];
}

export interface ParseOptions {
  trlAsGold: boolean;
}

type ZodIssue = z.core.$ZodIssue;

/** The value at `path` in a parsed line; undefined when it (or a parent) is absent. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function kindOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/**
 * Zod issues → field errors, in words a person fixing the file can use: an absent field is "missing", a value of
 * the wrong type names what was expected and what it is. For a failed union, the branch that got past the type
 * check explains the problem. `input` is the parsed line the issues are about.
 */
export function issuesToErrors(issues: readonly ZodIssue[], line: number, input: unknown, prefix: PropertyKey[] = []): LineError[] {
  const out: LineError[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const field = path.map(String).join(".");
    const value = valueAt(input, path);
    if (issue.code === "invalid_union") {
      const typeOnly = (b: readonly ZodIssue[]) => b.length === 1 && b[0].code === "invalid_type" && b[0].path.length === 0;
      const branch = issue.errors.find((b) => b.length > 0 && !typeOnly(b));
      if (branch) {
        out.push(...issuesToErrors(branch, line, input, path));
        continue;
      }
      if (value !== undefined && issue.errors.every(typeOnly)) {
        const expected = issue.errors.map((b) => (b[0] as { expected?: string }).expected).join(" or ");
        out.push({ line, field, message: `must be ${expected}, not ${kindOf(value)}` });
        continue;
      }
    }
    const missing = value === undefined && (issue.code === "invalid_type" || issue.code === "invalid_union");
    out.push({ line, field, message: missing ? "missing" : issue.message });
  }
  return out;
}

/** Deeper JSON is refused: the validation and the staging recurse, and 100,000 levels overflowed the stack. */
export const MAX_JSON_DEPTH = 100;

/** The top-level field of `obj` that nests arrays and objects more than `max` levels deep, or null. Iterative. */
function tooDeep(obj: Record<string, unknown>, max: number): string | null {
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value !== "object" || value === null) continue;
    const stack: [unknown, number][] = [[value, 2]];
    while (stack.length > 0) {
      const [v, depth] = stack.pop() as [unknown, number];
      if (depth > max) return key;
      for (const child of Array.isArray(v) ? v : Object.values(v as object)) {
        if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
      }
    }
  }
  return null;
}

const JSON_ARRAY_HINT =
  "the file looks like one JSON array; the importer reads JSON Lines, one object per line (convert it with: jq -c '.[]' file.json > file.jsonl)";

function jsonError(line: Line, err: unknown): LineError {
  const detail = err instanceof Error ? err.message : String(err);
  const truncated = line.noNewline
    ? " — the file looks truncated: the last line is not complete JSON and has no newline"
    : "";
  return { line: line.line, field: "", message: `line ${line.line} is not valid JSON (${detail})${truncated}` };
}

function parseJsonObject(line: Line): { obj?: Record<string, unknown>; error?: LineError } {
  const arrayHint = line.text.trimStart().startsWith("[") ? `; ${JSON_ARRAY_HINT}` : "";
  let obj: unknown;
  try {
    obj = JSON.parse(line.text);
  } catch (err) {
    const error = jsonError(line, err);
    return { error: { ...error, message: error.message + arrayHint } };
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    return { error: { line: line.line, field: "", message: `line ${line.line} must be a JSON object${arrayHint}` } };
  }
  const deep = tooDeep(obj as Record<string, unknown>, MAX_JSON_DEPTH);
  if (deep !== null) {
    return { error: { line: line.line, field: deep, message: `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep` } };
  }
  return { obj: obj as Record<string, unknown> };
}

const CSV_SEMICOLON_HINT = 'the CSV file separates its columns with ";"; save it with "," as the delimiter';

function csvHeaderOf(firstLine: string, delimiter: string): string[] {
  return firstLine.split(delimiter).map((c) => c.trim().replace(/^"|"$/g, ""));
}

const isCsvHeader = (columns: string[]) => columns.includes("prompt") && columns.some((c) => /^response_\d+$/.test(c));

/**
 * Why a first line fits no format, when a common mistake explains it (a JSON array instead of JSON Lines, a CSV
 * saved with semicolons); null otherwise.
 */
export function unrecognizedHint(firstLine: string): string | null {
  if (firstLine.trimStart().startsWith("[")) return JSON_ARRAY_HINT;
  if (isCsvHeader(csvHeaderOf(firstLine, ";"))) return CSV_SEMICOLON_HINT;
  return null;
}

/** Which format a first record is in, or null when nothing fits. */
export function detectFormat(firstLine: string, fileName?: string): ImportFormat | null {
  // a pretty-printed Super-NaturalInstructions task file opens a document, then its keys
  if (/^\s*\{\s*$/.test(firstLine) || /^\s*\{?\s*"(?:Contributors|Source|Definition|Positive Examples|Negative Examples|Instances)"\s*:/.test(firstLine)) {
    if (!/^\s*\{.*\}\s*$/.test(firstLine)) return "sni";
  }
  let obj: unknown;
  try {
    obj = JSON.parse(firstLine);
  } catch {
    if (isCsvHeader(csvHeaderOf(firstLine, ","))) return "csv";
    return fileName?.toLowerCase().endsWith(".csv") ? "csv" : null;
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return null;
  const keys = obj as Record<string, unknown>;
  if ("candidates" in keys) return "jsonl";
  if ("Definition" in keys && "Instances" in keys) return "sni";
  if ("instruction" in keys) return "alpaca";
  if ("messages" in keys) return "openai";
  if ("chosen" in keys && "rejected" in keys) {
    if ("prompt" in keys) return "trl";
    return typeof keys.chosen === "string" ? "hh" : "trl";
  }
  // prompts alone (for demonstrations to be written)
  if ("prompt" in keys) return "jsonl";
  return null;
}

function sameMessages(a: Message[], b: Message[]): boolean {
  return a.length === b.length && a.every((m, i) => m.role === b[i].role && m.content === b[i].content);
}

function checkPromptEnd(prompt: Message[], line: number, field: string): LineError | null {
  return prompt[prompt.length - 1].role === "user"
    ? null
    : { line, field, message: 'the last message of a prompt must have role "user"' };
}

function parseJsonl(obj: Record<string, unknown>, line: number): RowIn | LineError[] {
  const r = jsonlRowSchema.safeParse(obj);
  if (!r.success) return issuesToErrors(r.error.issues, line, obj);
  const row = r.data;
  const k = row.candidates.length;
  let gold: Gold | null = null;
  if (row.gold && "thumbs" in row.gold) {
    if (k !== 1) return [{ line, field: "gold.thumbs", message: `gold.thumbs is the answer of a rating item: one candidate (this row has ${k})` }];
    gold = { thumbs: row.gold.thumbs };
  } else if (row.gold && "chosen" in row.gold) {
    if (k !== 2) {
      return [{ line, field: "gold.chosen", message: `gold.chosen needs exactly 2 candidates (this row has ${k}); use gold.ranking` }];
    }
    if (row.gold.chosen > 1) return [{ line, field: "gold.chosen", message: "must be 0 or 1 (the index of a candidate)" }];
    gold = [[row.gold.chosen], [1 - row.gold.chosen]];
  } else if (row.gold) {
    const seen = row.gold.ranking.flat();
    const complete = seen.length === k && new Set(seen).size === k && seen.every((i) => i < k);
    if (!complete) {
      return [
        {
          line,
          field: "gold.ranking",
          message: `must list every candidate index 0..${k - 1} exactly once (ties share a group)`,
        },
      ];
    }
    gold = row.gold.ranking;
  }
  return {
    kind: "row",
    prompt: row.prompt,
    promptMetadata: row.metadata ?? null,
    source: row.source ?? null,
    candidates: row.candidates.map((c) => ({ text: c.text, model: c.model ?? null, metadata: c.metadata ?? null })),
    priority: row.priority ?? 0,
    gold,
  };
}

/** An instruction with its input as one user message: the instruction, a blank line, the input (when there is one). */
export function instructionPrompt(instruction: string, input?: string): string {
  return input?.trim() ? `${instruction}\n\n${input}` : instruction;
}

function parseAlpaca(obj: Record<string, unknown>, line: number): RowIn | LineError[] {
  const r = alpacaRowSchema.safeParse(obj);
  if (!r.success) return issuesToErrors(r.error.issues, line, obj);
  const { instruction, input, output } = r.data;
  const content = instructionPrompt(instruction, input);
  return {
    kind: "row",
    prompt: [{ role: "user", content }],
    promptMetadata: { instruction, ...(input?.trim() ? { input } : {}) },
    source: null,
    candidates: output?.trim() ? [{ text: output, model: null, metadata: null }] : [],
    priority: 0,
    gold: null,
  };
}

/** A single response (OpenAI chat row) as a row of its own: how rating and demonstration projects take them. */
export function singleAsRow(single: SingleIn): RowIn {
  return { kind: "row", prompt: single.prompt, promptMetadata: null, source: null, candidates: [single.candidate], priority: 0, gold: null };
}

function completionText(value: string | Message[], field: string, line: number): string | LineError {
  if (typeof value === "string") return value;
  if (value.length !== 1 || value[0].role !== "assistant") {
    return { line, field, message: "must be a single assistant message (conversational TRL format)" };
  }
  return value[0].content;
}

function preferenceRow(prompt: Message[], chosen: string, rejected: string, opts: ParseOptions, line: number, field: string): RowIn | LineError[] {
  if (chosen === rejected) {
    return [{ line, field, message: "chosen and rejected responses are identical; an item needs two different candidates" }];
  }
  return {
    kind: "row",
    prompt,
    promptMetadata: null,
    source: null,
    candidates: [
      { text: chosen, model: null, metadata: null },
      { text: rejected, model: null, metadata: null },
    ],
    priority: 0,
    gold: opts.trlAsGold ? [[0], [1]] : null,
  };
}

function parseTrl(obj: Record<string, unknown>, line: number, opts: ParseOptions): RowIn | LineError[] {
  const r = trlRowSchema.safeParse(obj);
  if (!r.success) return issuesToErrors(r.error.issues, line, obj);
  const { prompt, chosen, rejected } = r.data;
  if (prompt === undefined) {
    // implicit prompt: both sides are whole conversations that share everything but the final assistant turn
    if (typeof chosen === "string" || typeof rejected === "string") {
      return [{ line, field: "prompt", message: "is required for standard (string) rows; for HH-RLHF transcripts use format hh" }];
    }
    const last = (m: Message[]) => m[m.length - 1];
    if (last(chosen).role !== "assistant" || last(rejected).role !== "assistant") {
      return [{ line, field: "chosen", message: "an implicit-prompt row must end both conversations with an assistant message" }];
    }
    const shared = chosen.slice(0, -1);
    if (shared.length === 0 || !sameMessages(shared, rejected.slice(0, -1))) {
      return [{ line, field: "rejected", message: "chosen and rejected must share the same conversation before the final assistant message" }];
    }
    const endErr = checkPromptEnd(shared, line, "chosen");
    if (endErr) return [endErr];
    return preferenceRow(shared, last(chosen).content, last(rejected).content, opts, line, "rejected");
  }
  const messages: Message[] = typeof prompt === "string" ? [{ role: "user", content: prompt }] : prompt;
  const endErr = checkPromptEnd(messages, line, "prompt");
  if (endErr) return [endErr];
  const c = completionText(chosen, "chosen", line);
  if (typeof c !== "string") return [c];
  const rj = completionText(rejected, "rejected", line);
  if (typeof rj !== "string") return [rj];
  return preferenceRow(messages, c, rj, opts, line, "rejected");
}

const hhTurn = /(?:^|\n\n)(Human|Assistant):[ \t]?/g;

/** `\n\nHuman: a\n\nAssistant: b` → messages; null when the text is not in that shape. */
export function parseTranscript(text: string): Message[] | null {
  const body = text.replace(/^\s+/, "");
  const marks = [...body.matchAll(hhTurn)];
  if (marks.length === 0 || marks[0].index !== 0) return null;
  const out: Message[] = [];
  for (let i = 0; i < marks.length; i++) {
    const start = marks[i].index + marks[i][0].length;
    const end = i + 1 < marks.length ? marks[i + 1].index : body.length;
    out.push({ role: marks[i][1] === "Human" ? "user" : "assistant", content: body.slice(start, end).trim() });
  }
  return out;
}

function parseHh(obj: Record<string, unknown>, line: number, opts: ParseOptions): RowIn | LineError[] {
  const r = hhRowSchema.safeParse(obj);
  if (!r.success) return issuesToErrors(r.error.issues, line, obj);
  const chosen = parseTranscript(r.data.chosen);
  const rejected = parseTranscript(r.data.rejected);
  for (const [field, conv] of [["chosen", chosen], ["rejected", rejected]] as const) {
    if (!conv || conv.length < 2 || conv[conv.length - 1].role !== "assistant") {
      return [{ line, field, message: 'must be a transcript "\\n\\nHuman: …\\n\\nAssistant: …" ending with an Assistant turn' }];
    }
    if (conv.some((m) => m.content === "" && m !== conv[conv.length - 1])) {
      return [{ line, field, message: "has an empty turn" }];
    }
  }
  const c = chosen as Message[];
  const rj = rejected as Message[];
  const prompt = c.slice(0, -1);
  if (!sameMessages(prompt, rj.slice(0, -1))) {
    return [{ line, field: "rejected", message: "chosen and rejected must share the same conversation before the final Assistant turn" }];
  }
  const endErr = checkPromptEnd(prompt, line, "chosen");
  if (endErr) return [endErr];
  for (const [field, conv] of [["chosen", c], ["rejected", rj]] as const) {
    if (conv[conv.length - 1].content === "") return [{ line, field, message: "the final Assistant turn is empty" }];
  }
  return preferenceRow(prompt, c[c.length - 1].content, rj[rj.length - 1].content, opts, line, "rejected");
}

function parseOpenai(obj: Record<string, unknown>, line: number): SingleIn | LineError[] {
  const r = openaiRowSchema.safeParse(obj);
  if (!r.success) return issuesToErrors(r.error.issues, line, obj);
  const prompt = r.data.messages.slice(0, -1);
  const endErr = checkPromptEnd(prompt, line, "messages");
  if (endErr) return [endErr];
  return {
    kind: "single",
    prompt,
    candidate: {
      text: r.data.messages[r.data.messages.length - 1].content,
      model: r.data.model ?? null,
      metadata: r.data.metadata ?? null,
    },
  };
}

function parseJsonRecord(format: Exclude<ImportFormat, "csv" | "sni">, line: Line, opts: ParseOptions): ParsedRecord {
  const { obj, error } = parseJsonObject(line);
  if (!obj) return { line: line.line, raw: line.raw, errors: [error as LineError] };
  let result: RowIn | SingleIn | LineError[];
  if (format === "jsonl") result = parseJsonl(obj, line.line);
  else if (format === "trl") result = parseTrl(obj, line.line, opts);
  else if (format === "hh") result = parseHh(obj, line.line, opts);
  else if (format === "alpaca") result = parseAlpaca(obj, line.line);
  else result = parseOpenai(obj, line.line);
  return Array.isArray(result)
    ? { line: line.line, raw: line.raw, errors: result }
    : { line: line.line, raw: line.raw, value: result };
}

function problemRecord(line: Line): ParsedRecord {
  return { line: line.line, raw: line.raw, errors: [{ line: line.line, field: "", message: line.problem as string }] };
}

async function* parseJsonLines(
  format: Exclude<ImportFormat, "csv" | "sni">,
  lines: AsyncIterable<Line>,
  opts: ParseOptions,
): AsyncGenerator<ParsedRecord> {
  for await (const line of lines) {
    if (line.problem) yield problemRecord(line);
    else if (line.text.trim() !== "") yield parseJsonRecord(format, line, opts);
  }
}

function csvRow(record: Record<string, string>, line: number): RowIn | LineError[] {
  const r = csvRowSchema.safeParse(record);
  if (!r.success) return issuesToErrors(r.error.issues, line, record);
  const candidates: CandidateIn[] = [];
  for (let i = 1; i <= MAX_CANDIDATES; i++) {
    const text = record[`response_${i}`];
    const model = record[`model_${i}`]?.trim() || null;
    if (text === undefined || text.trim() === "") {
      if (model) return [{ line, field: `response_${i}`, message: `is empty but model_${i} is set` }];
      continue;
    }
    candidates.push({ text, model, metadata: null });
  }
  if (candidates.length < 2) {
    return [{ line, field: "response_1", message: "an item needs at least 2 non-empty responses" }];
  }
  return {
    kind: "row",
    prompt: [{ role: "user", content: r.data.prompt }],
    promptMetadata: null,
    source: r.data.source?.trim() || null,
    candidates,
    priority: r.data.priority ?? 0,
    gold: null,
  };
}

/**
 * CSV through csv-parse's streaming parser, fed one physical line at a time so that the shared hygiene (UTF-8,
 * limits) applies first; an unreadable line is fed as an empty one, so the parser's line count stays the file's.
 * A record is reported at the line where it ends: the parser's `info.lines`, not the line last fed, because the
 * parser hands a record out only once it has seen the next line.
 */
async function* parseCsv(lines: AsyncIterable<Line>): AsyncGenerator<ParsedRecord> {
  let currentLine = 0;
  const skipped: ParsedRecord[] = [];
  const parser = csvParse({
    info: true,
    raw: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    bom: false,
    on_skip: (err, raw) => {
      const line = typeof err?.lines === "number" && err.lines > 0 ? err.lines : currentLine;
      skipped.push({
        line,
        raw: (raw ?? "").replace(/\r?\n$/, ""),
        errors: [{ line, field: "", message: `line ${line}: ${err?.message ?? "invalid CSV"}` }],
      });
      return undefined;
    },
  });
  let header: string[] | null = null;

  const take = function* (): Generator<ParsedRecord> {
    yield* skipped.splice(0);
    let item: { record: string[]; raw: string; info: { lines: number } } | null;
    while ((item = parser.read() as typeof item) !== null) {
      const raw = item.raw.replace(/\r?\n$/, "");
      const line = item.info.lines;
      if (!header) {
        header = item.record.map((c) => c.trim());
        const unknown = header.filter((c) => !csvColumnPattern.test(c));
        const missing = ["prompt", "response_1", "response_2"].filter((c) => !header?.includes(c));
        if (unknown.length > 0 || missing.length > 0 || new Set(header).size !== header.length) {
          const semicolons = header.length === 1 && isCsvHeader(csvHeaderOf(header[0], ";"));
          throw new AppError(
            "BAD_REQUEST",
            semicolons
              ? `line ${line}: ${CSV_SEMICOLON_HINT}`
              : `line ${line}: the CSV header must be prompt,response_1..response_k,model_1..model_k (k ≤ ${MAX_CANDIDATES}, optional priority, source)` +
                  (unknown.length ? `; unknown column(s): ${unknown.join(", ")}` : "") +
                  (missing.length ? `; missing: ${missing.join(", ")}` : ""),
            [{ line, field: "header", message: semicolons ? CSV_SEMICOLON_HINT : "invalid CSV header" }],
          );
        }
        continue;
      }
      if (item.record.length !== header.length) {
        yield { line, raw, errors: [{ line, field: "", message: `has ${item.record.length} columns, the header has ${header.length}` }] };
        continue;
      }
      const obj: Record<string, string> = {};
      header.forEach((name, i) => (obj[name] = item?.record[i] ?? ""));
      const result = csvRow(obj, line);
      yield Array.isArray(result) ? { line, raw, errors: result } : { line, raw, value: result };
    }
  };

  for await (const line of lines) {
    currentLine = line.line;
    if (line.problem) {
      yield problemRecord(line);
      parser.write("\n");
      continue;
    }
    parser.write(line.text + "\n");
    yield* take();
  }
  parser.end();
  yield* take();
  if (!header) throw new AppError("BAD_REQUEST", "The CSV file has no header line.");
}

/** Records of `format` from `lines`. */
/**
 * A Super-NaturalInstructions task file is one JSON document over many lines: read whole (the line and file limits
 * still apply), then one row per instance — the prompt is the definition and the instance's input, the reference
 * outputs its candidates. An instance's errors point at the line of its "id" (or of the document's start).
 */
async function* parseSni(lines: AsyncIterable<Line>): AsyncGenerator<ParsedRecord> {
  const texts: string[] = [];
  let first: Line | null = null;
  for await (const line of lines) {
    if (line.problem) {
      yield problemRecord(line);
      return;
    }
    first ??= line;
    texts.push(line.text);
  }
  const text = texts.join("\n");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    yield { line: first?.line ?? 1, raw: text, errors: [{ line: first?.line ?? 1, field: "", message: `the task file is not valid JSON (${err instanceof Error ? err.message : String(err)})` }] };
    return;
  }
  const r = sniTaskSchema.safeParse(doc);
  if (!r.success) {
    yield { line: 1, raw: text, errors: issuesToErrors(r.error.issues, 1, doc) };
    return;
  }
  const definition = r.data.Definition.join("\n");
  const source = r.data.Source?.join(", ") || null;
  for (const [i, inst] of r.data.Instances.entries()) {
    const at = inst.id ? text.indexOf(JSON.stringify(inst.id)) : -1;
    const line = at < 0 ? 1 : text.slice(0, at).split("\n").length;
    const raw = JSON.stringify(inst);
    if (!inst.input.trim()) {
      yield { line, raw, errors: [{ line, field: `Instances.${i}.input`, message: "must not be empty" }] };
      continue;
    }
    const outputs = [...new Set(inst.output.filter((o) => o.trim() !== ""))];
    yield {
      line,
      raw,
      value: {
        kind: "row",
        prompt: [{ role: "user", content: instructionPrompt(definition, inst.input) }],
        promptMetadata: { definition, input: inst.input, ...(inst.id ? { instanceId: inst.id } : {}) },
        source,
        candidates: outputs.map((text) => ({ text, model: null, metadata: { reference: true } })),
        priority: 0,
        gold: null,
      },
    };
  }
}

export function parseRecords(format: ImportFormat, lines: AsyncIterable<Line>, opts: ParseOptions): AsyncGenerator<ParsedRecord> {
  if (format === "csv") return parseCsv(lines);
  if (format === "sni") return parseSni(lines);
  return parseJsonLines(format, lines, opts);
}
