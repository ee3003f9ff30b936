// An item as one annotator sees it: the conversation and the candidates in the order their assignment shows them.
import { AppError } from "@/server/errors";
import { pool } from "@/server/pg";
import { OWN_ITEM_VIEW_SQL } from "@/server/services/annotation/sql";
import type { SuggestionView } from "@/server/services/judge/suggestions";

/** One item as the annotator sees it. */
export interface ItemView {
  assignmentId: string;
  itemId: string;
  expiresAt: Date;
  messages: { role: string; content: string }[];
  /** in the order shown to this annotator */
  candidates: { id: string; text: string; model: string | null }[];
  /** the AI judge's latest verdict, served only where the project prefills it (suggestionMode PREFILL) */
  suggestion?: SuggestionView | null;
}

export interface ItemViewRow {
  assignment_id: string;
  item_id: string;
  expires_at: Date;
  /** null for an item without candidates (a demonstration to write) */
  shown_order: string[] | null;
  messages: ItemView["messages"];
  candidates: { id: string; text: string; model: string | null; position: number }[];
}

/** The candidates in the order this assignment shows them (the import order for assignments made before shuffling). */
export function toItemView(row: ItemViewRow, showModelNames: boolean): ItemView {
  const byId = new Map(row.candidates.map((c) => [c.id, c]));
  const order = row.shown_order?.length ? row.shown_order : [...row.candidates].sort((x, y) => x.position - y.position).map((c) => c.id);
  return {
    assignmentId: row.assignment_id,
    itemId: row.item_id,
    expiresAt: row.expires_at,
    messages: row.messages,
    candidates: order.map((id) => {
      const c = byId.get(id)!;
      return { id: c.id, text: c.text, model: showModelNames ? c.model : null };
    }),
  };
}

export async function ownItemView(assignmentId: string, showModelNames: boolean): Promise<ItemView> {
  const { rows } = await pool().query<ItemViewRow>({ name: "own-item-view", text: OWN_ITEM_VIEW_SQL, values: [assignmentId] });
  if (!rows[0]) throw new AppError("NOT_FOUND", "No such assignment.");
  return toItemView(rows[0], showModelNames);
}
