// What an annotator may see of the AI judge (the project's suggestionMode): nothing; the latest verdict on the item
// they just submitted (AFTER_SUBMIT, returned by the submit, never before it, so it cannot anchor them); or the
// latest verdict as the item's prefill (PREFILL, served with the item). Only verdicts, never the judge's raw answers.
import { pool } from "@/server/pg";
import type { Strength } from "@/server/schemas/judgement";

export interface SuggestionView {
  /** the endpoint's model or the reward model's name */
  judge: string;
  ranking: string[][];
  strength: Strength | null;
  thumbs: boolean | null;
  ratings: Record<string, Record<string, number>>;
}

// $2: leave gold items without one (a prefill there would hand out the expected answer whenever the judge is right)
const LATEST_SQL = `SELECT s.judge, s.ranking, s.strength, s.thumbs, s.ratings FROM "Suggestion" s
  WHERE s."itemId" = $1 AND s.ranking IS NOT NULL AND NOT ($2 AND EXISTS (SELECT 1 FROM "Item" i WHERE i.id = $1 AND i."isGold"))
  ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1`;

export async function latestSuggestion(itemId: string, options: { exceptGold?: boolean } = {}): Promise<SuggestionView | null> {
  const { rows } = await pool().query<SuggestionView>({ name: "latest-suggestion", text: LATEST_SQL, values: [itemId, options.exceptGold ?? false] });
  return rows[0] ?? null;
}
