// The data browser's filtered set as a file: CSV (one row per judgement, RFC 4180 through the analytics' CSV writer)
// or JSON Lines (one object per judgement), read page after page with the browser's own keyset query so memory
// stays flat however many judgements match.
import { toCsv } from "@/server/services/analytics/csv";
import type { BrowseFilters } from "@/server/schemas/review";
import { browse, type BrowseRow } from "@/server/services/review/browse";

const PAGE = 1000;

export const JUDGEMENT_CSV_HEADER = [
  "annotation_id", "created_at", "annotator_id", "annotator", "item_id", "ranking", "best_models", "strength", "both_bad",
  "thumbs", "flags", "is_gold", "gold_correct", "late", "surplus", "time_spent_ms", "disagrees", "review_state", "rationale", "demonstration",
] as const;

function record(r: BrowseRow) {
  return {
    annotation_id: r.id,
    created_at: r.createdAt.toISOString(),
    annotator_id: r.userId,
    annotator: r.annotator,
    item_id: r.itemId,
    ranking: r.ranking,
    best_models: r.bestModels,
    strength: r.strength,
    both_bad: r.bothBad,
    thumbs: r.thumbs,
    flags: r.flags,
    is_gold: r.isGold,
    gold_correct: r.goldCorrect,
    late: r.late,
    surplus: r.surplus,
    time_spent_ms: r.timeSpentMs,
    disagrees: r.disagrees,
    review_state: r.reviewState,
    rationale: r.rationale,
    demonstration: r.demonstration,
  };
}

/** The file's lines, a page of judgements at a time. */
export async function* judgementLines(opts: { projectId: string; filters: BrowseFilters; format: "csv" | "jsonl" }): AsyncGenerator<string> {
  let cursor: string | undefined;
  let first = true;
  do {
    const page = await browse({ projectId: opts.projectId, filters: opts.filters, cursor, limit: PAGE, fullText: true });
    const records = page.rows.map(record);
    if (opts.format === "jsonl") {
      if (records.length) yield records.map((r) => JSON.stringify(r)).join("\n") + "\n";
    } else {
      const csv = toCsv(
        JUDGEMENT_CSV_HEADER,
        records.map((r) => JUDGEMENT_CSV_HEADER.map((k) => {
          const v = r[k];
          return Array.isArray(v) ? JSON.stringify(v) : v;
        })),
      );
      // the header once, at the top
      yield first ? csv : csv.slice(csv.indexOf("\r\n") + 2);
    }
    first = false;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
