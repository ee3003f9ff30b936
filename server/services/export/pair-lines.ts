// The direct path for the most common snapshot: a pairwise format (TRL, TRL conversational, HH-RLHF) as JSONL with
// every pair kept (policy `all`, ties dropped, no agreement threshold) — the default definition. Each row is then
// one comparison, so Postgres can stream them already joined and in order, with both responses escaped as JSON
// string literals (to_json, built in its parallel workers before the sort). Node renders the format's row template
// (the format's own, from ./formats.ts) once with stand-ins, encodes each prompt's values once, and completes every
// row by splicing the literals in: the responses are never parsed or re-encoded, which was most of the cost of an
// export.
// The statistics come from ./stats.ts, as for every snapshot.
//
// tests/integration/export/pair-lines.test.ts builds each eligible definition both ways (nasty texts included) and
// requires identical bytes; the golden tests in formats.test.ts run through here too.
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { SnapshotDefinition } from "@/server/schemas/export";
import type { Message } from "@/server/services/hashing";
import { ratingsScore } from "./aggregate";
import { pairTemplates, score, type FormatContext, type PairFormat, type PairTemplate } from "./formats";
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
    // an AI judge's labels are read from its suggestions, not from the comparisons table
    (def.labels ?? "human") === "human" &&
    (def.filters.minJudgements ?? 1) <= 1 &&
    // a kept both-bad judgement adds a column after the margin: the general path writes it
    def.bothBad === "drop"
  );
}

// Fields of one streamed row are separated by \x03 (FIELD below): no field holds it raw (JSON escapes control
// characters), and it is neither COPY's quote nor its delimiter (see copyLines).

/**
 * One line per comparison in the general path's order (prompt hash, item key, project, annotation time and id, then
 * the order the submit wrote the pairs in): prompt hash, annotation id, the prompt's messages (jsonb text), chosen and
 * rejected response as JSON literals, margin, and — with criteria — the annotation's ratings of both responses.
 */
function pairQuery(opts: { client: pg.PoolClient; def: SnapshotDefinition; excludedUserIds: string[]; rejectedPresent: boolean; bothBadPresent: boolean; withScores: boolean }): string {
  const where = filterClauses({ client: opts.client, projectIds: opts.def.projectIds, filters: opts.def.filters, excludedUserIds: opts.excludedUserIds, rejectedPresent: opts.rejectedPresent });
  // bothBad is `drop` here (writesPairLines): the general path leaves these judgements out with withoutBothBad
  const bothBad = opts.bothBadPresent ? ` AND NOT a."bothBad"` : "";
  // with criteria, the annotation's ratings of both responses (for their scores)
  const ratings = opts.withScores ? `, coalesce((a.ratings -> c."chosenId")::text, ''), coalesce((a.ratings -> c."rejectedId")::text, '')` : "";
  return copyLines(`
    SELECT q.line FROM (
      SELECT p."contentHash" COLLATE "C" AS k1, i."itemKey" COLLATE "C" AS k2, i."projectId" COLLATE "C" AS k3,
        a."createdAt" AS k4, a.id COLLATE "C" AS k5, c.id AS k6,
        concat_ws(E'\\x03', p."contentHash", a.id, p.messages::text, to_json(ch.text)::text, to_json(rj.text)::text, c.margin::text${ratings}) AS line
      FROM "Comparison" c JOIN "Annotation" a ON a.id = c."annotationId" JOIN "Item" i ON i.id = a."itemId"
        JOIN "Prompt" p ON p.id = i."promptId" JOIN "Candidate" ch ON ch.id = c."chosenId" JOIN "Candidate" rj ON rj.id = c."rejectedId"
      WHERE c."projectId" = ANY(${where.projects}) AND ${where.item} AND ${where.annotation}${bothBad}
      ORDER BY k1, k2, k3, k4, k5, k6) q`);
}

// Stand-ins while a format's row template is rendered: NUL never occurs in the database's text (PostgreSQL text
// cannot hold it), and JSON.stringify writes it as \u0000, so a stand-in is found in the JSON as `\u0000<name>\u0000`.
const NUL = "\\u0000";
const standIn = (name: string) => `\u0000${name}\u0000`;
const CHOSEN = "=chosen";
const REJECTED = "=rejected";

/** A value's place in the rendered template: a whole JSON value (its literal goes in) or inside a longer string. */
interface Slot {
  /** the template's JSON before it */
  before: string;
  /** CHOSEN, REJECTED or the key of one of the prompt's values */
  name: string;
  whole: boolean;
}

/**
 * A format's row template rendered once with stand-ins for the prompt's values and the responses, cut at them:
 * the JSON pieces between them, in order, and what the template's JSON ends with.
 */
function skeleton(template: PairTemplate, keys: string[]): { slots: Slot[]; end: string } {
  const parts = Object.fromEntries(keys.map((key) => [key, standIn(key)]));
  const json = JSON.stringify(template.row(parts, standIn(CHOSEN), standIn(REJECTED)));
  const slots: Slot[] = [];
  let from = 0;
  for (;;) {
    const at = json.indexOf(NUL, from);
    if (at === -1) break;
    const close = json.indexOf(NUL, at + NUL.length);
    const name = json.slice(at + NUL.length, close);
    const end = close + NUL.length;
    const whole = json[at - 1] === '"' && json[end] === '"';
    slots.push({ before: json.slice(from, whole ? at - 1 : at), name, whole });
    from = whole ? end + 1 : end;
  }
  const names = slots.map((slot) => slot.name);
  if (names.filter((n) => n === CHOSEN).length !== 1 || names.filter((n) => n === REJECTED).length !== 1) {
    throw new Error("pair template: each response must appear exactly once in a row");
  }
  return { slots, end: json.slice(from) };
}

/**
 * Per prompt, the fixed strings between the two responses (the template's pieces with the prompt's values encoded
 * in); per row, those strings with the responses' JSON literals (as Postgres escaped them) in between. A response
 * that is a whole JSON value (TRL) takes its literal; one inside a longer string (an HH transcript) takes the literal
 * without its quotes: JSON escaping is per character, so the escaped string is the escaped prefix followed by the
 * escaped response.
 */
interface LineBuilder {
  prompt(hash: string, messages: Message[]): void;
  line(chosen: string, rejected: string, tail: string): string;
}

function lineBuilder(format: PairFormat): LineBuilder {
  const template = pairTemplates[format];
  let shape: { slots: Slot[]; end: string } | null = null;
  // a row is fixed0, the first response, fixed1, the second response, fixed2, then its tail — the responses in the
  // template's order, each a whole literal or the inside of one
  let fixed0 = "";
  let fixed1 = "";
  let fixed2 = "";
  let chosenFirst = true;
  let firstWhole = true;
  let secondWhole = true;
  const literal = (text: string, whole: boolean) => (whole ? text : text.slice(1, -1));
  return {
    prompt: (contentHash, messages) => {
      const values = template.prompt({ contentHash, messages });
      if (!shape) {
        const { slots, end } = skeleton(template, Object.keys(values));
        // with a margin, the row goes on where the template's object closes
        shape = { slots, end: template.margin ? end.slice(0, -1) : end };
      }
      const fixed = ["", "", ""];
      let at = 0;
      for (const slot of shape.slots) {
        fixed[at] += slot.before;
        if (slot.name === CHOSEN || slot.name === REJECTED) {
          if (at === 0) {
            chosenFirst = slot.name === CHOSEN;
            firstWhole = slot.whole;
          } else secondWhole = slot.whole;
          at++;
        } else {
          const value = JSON.stringify(values[slot.name]);
          if (!slot.whole && !value.startsWith('"')) throw new Error(`pair template: ${slot.name} sits inside a string but is not one`);
          fixed[at] += literal(value, slot.whole);
        }
      }
      [fixed0, fixed1, fixed2] = [fixed[0], fixed[1], fixed[2] + shape.end];
    },
    line: (chosen, rejected, tail) =>
      chosenFirst
        ? `${fixed0}${literal(chosen, firstWhole)}${fixed1}${literal(rejected, secondWhole)}${fixed2}${tail}`
        : `${fixed0}${literal(rejected, firstWhole)}${fixed1}${literal(chosen, secondWhole)}${fixed2}${tail}`,
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
  /** whether any judgement of the projects is marked both bad (bothBadPresent in ./index.ts) */
  bothBadPresent: boolean;
  writers: { train: SplitWriter; test: SplitWriter };
  isTest: (contentHash: string) => boolean;
  /** called now and then with the number of annotations read so far */
  onAnnotations?: (annotationsRead: number) => void;
}): Promise<void> {
  const format = opts.def.format as PairFormat;
  const { margin } = pairTemplates[format];
  const withScores = opts.ctx.criteria.length > 0 && margin;
  const build = lineBuilder(format);
  const stream = opts.client.query(copyTo(pairQuery({ client: opts.client, def: opts.def, excludedUserIds: opts.excludedUserIds, rejectedPresent: opts.rejectedPresent, bothBadPresent: opts.bothBadPresent, withScores })));
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
