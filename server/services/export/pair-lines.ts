// The direct path for the most common snapshot: a pairwise format (TRL, TRL conversational, HH-RLHF) as JSONL with
// every pair kept (policy `all`, ties dropped, no agreement threshold) — the default definition. Each row is then
// one comparison, so Postgres can stream them already joined and in order, with both responses escaped as JSON
// string literals (to_json, built in its parallel workers before the sort). Node renders each prompt's row template
// (the format's own, from ./formats.ts) once, and completes every row by splicing the literals in: the responses
// are never parsed or re-encoded, which was most of the cost of an export.
// The statistics come from ./stats.ts, as for every snapshot.
//
// tests/integration/export/pair-lines.test.ts builds each eligible definition both ways (nasty texts included) and
// requires identical bytes; the golden tests in formats.test.ts run through here too.
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { SnapshotDefinition } from "@/server/schemas/export";
import type { Message } from "@/server/services/hashing";
import { ratingsScore } from "./aggregate";
import { pairTemplates, score, type FormatContext, type PairFormat } from "./formats";
import { copyLines, copyStreamText, filterClauses } from "./stream";
import type { SplitWriter } from "./writers";

/** Whether the direct path writes this definition (the same bytes as the general one, faster). */
export function writesPairLines(def: SnapshotDefinition): boolean {
  return (
    def.fileType === "jsonl" &&
    Object.hasOwn(pairTemplates, def.format) &&
    def.aggregation.policy === "all" &&
    def.aggregation.ties === "drop" &&
    def.aggregation.minAgreement === 0 &&
    (def.filters.minJudgements ?? 1) <= 1
  );
}

// Fields of one streamed row are separated by \x03 (FIELD below): no field holds it raw (JSON escapes control
// characters), and it is neither COPY's quote nor its delimiter (see copyLines).

/**
 * One line per comparison in the general path's order (prompt hash, item key, project, annotation time and id, then
 * the order the submit wrote the pairs in): prompt hash, annotation id, the prompt's messages (jsonb text), chosen and
 * rejected response as JSON literals, margin, and — with criteria — the annotation's ratings of both responses.
 */
function pairQuery(opts: { client: pg.PoolClient; def: SnapshotDefinition; excludedUserIds: string[]; rejectedPresent: boolean; withScores: boolean }): string {
  const where = filterClauses({ client: opts.client, projectIds: opts.def.projectIds, filters: opts.def.filters, excludedUserIds: opts.excludedUserIds, rejectedPresent: opts.rejectedPresent });
  // with criteria, the annotation's ratings of both responses (for their scores)
  const ratings = opts.withScores ? `, coalesce((a.ratings -> c."chosenId")::text, ''), coalesce((a.ratings -> c."rejectedId")::text, '')` : "";
  return copyLines(`
    SELECT q.line FROM (
      SELECT p."contentHash" COLLATE "C" AS k1, i."itemKey" COLLATE "C" AS k2, i."projectId" COLLATE "C" AS k3,
        a."createdAt" AS k4, a.id COLLATE "C" AS k5, c.id AS k6,
        concat_ws(E'\\x03', p."contentHash", a.id, p.messages::text, to_json(ch.text)::text, to_json(rj.text)::text, c.margin::text${ratings}) AS line
      FROM "Comparison" c JOIN "Annotation" a ON a.id = c."annotationId" JOIN "Item" i ON i.id = a."itemId"
        JOIN "Prompt" p ON p.id = i."promptId" JOIN "Candidate" ch ON ch.id = c."chosenId" JOIN "Candidate" rj ON rj.id = c."rejectedId"
      WHERE c."projectId" = ANY(${where.projects}) AND ${where.item} AND ${where.annotation}
      ORDER BY k1, k2, k3, k4, k5, k6) q`);
}

// Stand-ins for the two responses while a prompt's row template is rendered: NUL never occurs in the database's
// text (PostgreSQL text cannot hold it), and JSON.stringify writes it as \u0000 inside a string literal.
const CHOSEN = "\u0000chosen\u0000";
const REJECTED = "\u0000rejected\u0000";

/**
 * Per prompt, its row template from ./formats.ts rendered once as JSON with stand-ins for the responses, cut into
 * the pieces around them; per row, the pieces with the responses' JSON literals (as Postgres escaped them) in the
 * stand-ins' places. A response that is a whole JSON value (TRL) takes its literal; one inside a longer string (an
 * HH transcript) takes the literal without its quotes: JSON escaping is per character, so the escaped string is the
 * escaped prefix followed by the escaped response.
 */
interface LineBuilder {
  prompt(hash: string, messages: Message[]): void;
  line(chosen: string, rejected: string, tail: string): string;
}

interface Slot {
  /** the JSON before the stand-in */
  before: string;
  /** the stand-in is a whole string value: its literal goes in with its quotes */
  whole: boolean;
}

function cut(json: string, standIn: string, from: number): { slot: Slot; end: number } {
  const escaped = JSON.stringify(standIn).slice(1, -1);
  const at = json.indexOf(escaped, from);
  const whole = json[at - 1] === '"' && json[at + escaped.length] === '"';
  const start = whole ? at - 1 : at;
  return { slot: { before: json.slice(from, start), whole }, end: start + escaped.length + (whole ? 2 : 0) };
}

function lineBuilder(format: PairFormat): LineBuilder {
  const template = pairTemplates[format];
  let chosenSlot: Slot = { before: "", whole: true };
  let rejectedSlot: Slot = { before: "", whole: true };
  let after = "";
  const fill = (slot: Slot, literal: string) => (slot.whole ? literal : literal.slice(1, -1));
  return {
    prompt: (hash, messages) => {
      const json = JSON.stringify(template.row({ contentHash: hash, messages })(CHOSEN, REJECTED));
      const chosen = cut(json, CHOSEN, 0);
      const rejected = cut(json, REJECTED, chosen.end);
      chosenSlot = chosen.slot;
      rejectedSlot = rejected.slot;
      // with a margin, the row goes on where the template's object closes
      after = template.margin ? json.slice(rejected.end, -1) : json.slice(rejected.end);
    },
    line: (chosen, rejected, tail) => `${chosenSlot.before}${fill(chosenSlot, chosen)}${rejectedSlot.before}${fill(rejectedSlot, rejected)}${after}${tail}`,
  };
}

const FIELD = "\u0003";
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const RATING = /"([^"\\]*)": (-?[\d.eE+-]+)(, |\})/y;

/**
 * A response's score from the annotation's ratings of it (a JSON object, or nothing), as ./formats.ts scores it.
 * Ratings are flat objects of small integers, so the usual case is read without JSON.parse: `{"key": 6, …}` in
 * jsonb's text form, summed in the same order as ratingsScore sums Object.values; anything else (escapes in a key,
 * a key that is a number — Object.values would reorder it —, a value that is not a plain number) goes through
 * JSON.parse and ratingsScore themselves.
 */
function scoreOf(text: string): number | null {
  if (text === "") return null;
  if (text === "{}") return score(null);
  let sum = 0;
  let count = 0;
  RATING.lastIndex = 1;
  let plain = text.charCodeAt(0) === 0x7b && text.indexOf("\\") === -1;
  while (plain && RATING.lastIndex < text.length) {
    const m = RATING.exec(text);
    if (!m || /^\d+$/.test(m[1]) || !NUMBER.test(m[2])) plain = false;
    else {
      sum += Number(m[2]);
      count++;
    }
  }
  if (plain && count > 0) return score(sum / count);
  return score(ratingsScore(JSON.parse(text) as Record<string, number>));
}

/**
 * Writes the rows of an eligible snapshot (writesPairLines) into the split writers.
 * Runs inside the export's read transaction. A row is read with string searches (which V8 runs without leaving
 * JavaScript) and written as one string: measured, this is faster than working on the bytes with Buffer calls.
 */
export async function writePairLines(opts: {
  client: pg.PoolClient;
  def: SnapshotDefinition;
  ctx: FormatContext;
  excludedUserIds: string[];
  rejectedPresent: boolean;
  writers: { train: SplitWriter; test: SplitWriter };
  isTest: (contentHash: string) => boolean;
  /** called now and then with the number of annotations read so far */
  onAnnotations?: (annotationsRead: number) => void;
}): Promise<void> {
  const format = opts.def.format as PairFormat;
  const { margin } = pairTemplates[format];
  const withScores = opts.ctx.criteria.length > 0 && margin;
  const build = lineBuilder(format);
  const stream = opts.client.query(copyTo(pairQuery({ client: opts.client, def: opts.def, excludedUserIds: opts.excludedUserIds, rejectedPresent: opts.rejectedPresent, withScores })));
  let prompt = "";
  let annotation = "";
  let annotationsRead = 0;
  let split: "train" | "test" = "train";
  const tail = (margin: string, ratingsChosen: string, ratingsRejected: string): string => {
    // a whole-number margin prints the same in Postgres and JavaScript; anything else is reprinted as JSON does
    const m = /^\d{1,15}$/.test(margin) ? margin : JSON.stringify(Number(margin));
    if (!withScores) return `,"margin":${m}}`;
    return `,"margin":${m},"score_chosen":${JSON.stringify(scoreOf(ratingsChosen))},"score_rejected":${JSON.stringify(scoreOf(ratingsRejected))}}`;
  };
  try {
    for await (const text of copyStreamText(stream)) {
      let start = 0;
      for (;;) {
        const end = text.indexOf("\n", start);
        if (end === -1) break;
        // hash, annotation, messages, chosen, rejected, margin[, ratings of chosen, ratings of rejected]
        const f1 = text.indexOf(FIELD, start);
        const f2 = text.indexOf(FIELD, f1 + 1);
        const f3 = text.indexOf(FIELD, f2 + 1);
        const f4 = text.indexOf(FIELD, f3 + 1);
        const f5 = text.indexOf(FIELD, f4 + 1);
        const f6 = withScores ? text.indexOf(FIELD, f5 + 1) : end;
        const f7 = withScores ? text.indexOf(FIELD, f6 + 1) : end;
        if (f5 === -1 || f5 > end || f7 === -1 || f7 > end) throw new Error("export stream: a row with missing fields");
        const hash = text.slice(start, f1);
        if (hash !== prompt) {
          prompt = hash;
          build.prompt(hash, JSON.parse(text.slice(f2 + 1, f3)) as Message[]);
          split = opts.isTest(hash) ? "test" : "train";
        }
        const ann = text.slice(f1 + 1, f2);
        if (ann !== annotation) {
          annotation = ann;
          annotationsRead++;
        }
        const line = build.line(
          text.slice(f3 + 1, f4),
          text.slice(f4 + 1, f5),
          !margin ? "" : tail(text.slice(f5 + 1, f6), withScores ? text.slice(f6 + 1, f7) : "", withScores ? text.slice(f7 + 1, end) : ""),
        );
        const full = opts.writers[split].writeLine(line);
        if (full) await full;
        start = end + 1;
      }
      opts.onAnnotations?.(annotationsRead);
    }
  } finally {
    if (!stream.readableEnded) stream.destroy();
  }
}
