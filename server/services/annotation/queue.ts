// The work queue: which item an annotator gets next (a lease), gold interleaved at the project's rate, and skips.
// Rules that must hold under concurrency:
//  - an item is never leased to the same annotator twice (unique itemId+userId on Assignment);
//  - a non-gold item never has more than `overlap` submitted + live (unexpired) leases at claim time.
// `next` is half of the hot path (every judgement is one next and one submit): the annotator context plus one call of
// rlhf_claim_item, as prepared statements on the plain pool (./sql.ts).
import { AppError } from "@/server/errors";
import type { Project } from "@/server/generated/prisma/client";
import { pool, withTransaction } from "@/server/pg";
import { annotatorContext, judgingRefused, projectView, type AnnotatorContext, type ProjectView, type Refusal } from "@/server/services/annotation/context";
import { ownItemView, toItemView, type ItemView, type ItemViewRow } from "@/server/services/annotation/item-view";
import { latestSuggestion } from "@/server/services/judge/suggestions";
import {
  CLAIM_ITEM_VIEW_SQL,
  CLEAR_BUSY_SQL,
  EXPIRE_LEASE_SQL,
  LOCK_ITEM_SQL,
  RENEW_LEASE_SQL,
  SKIP_CONTEXT_SQL,
  SKIP_SQL,
} from "@/server/services/annotation/sql";

/** Extends the caller's own expired lease when the item still has room, so a reload after a break keeps it. */
async function renewExpired(opts: { project: Project; assignmentId: string; itemId: string; userId: string }): Promise<boolean> {
  return withTransaction(async (client) => {
    await client.query(LOCK_ITEM_SQL, [opts.itemId]);
    const renewed = await client.query(RENEW_LEASE_SQL, [opts.itemId, opts.userId, opts.project.leaseSeconds, opts.assignmentId, opts.project.overlap]);
    if (renewed.rowCount === 0) {
      await client.query(EXPIRE_LEASE_SQL, [opts.assignmentId]);
      return false;
    }
    return true;
  });
}

/** Whether the next claim should be a gold item, interleaving gold at the project's rate. */
function goldDue(project: Project, served: AnnotatorContext["served"]): boolean {
  if (project.goldRate <= 0 || !served) return false;
  return served.gold < project.goldRate * (served.total + 1);
}

/** Claims a new item for the caller (see rlhf_claim_item) and returns it as they see it; null when none is free. */
async function claimNew(opts: { project: Project; userId: string; gold: boolean }): Promise<ItemView | null> {
  const { project } = opts;
  const { rows } = await pool().query<ItemViewRow>({
    name: "claim-item",
    text: CLAIM_ITEM_VIEW_SQL,
    values: [project.id, opts.userId, opts.gold, project.overlap, project.leaseSeconds, project.activeLearning],
  });
  return rows[0] ? toItemView(rows[0], project.showModelNames) : null;
}

/**
 * The caller's next item: their own live lease first (a reload does not burn a new item), else a new claim — unless
 * the context refuses new items (a cap, a paused project or member: `refusal`, which the page shows).
 * `exclude` lists leases the client already holds, so it can prefetch one item ahead; `prefer` is the lease the page
 * showed last (two pages opened at once can each have claimed an item: a reload should show the one in hand).
 */
export async function next(opts: { slug: string; userId: string; isAdmin: boolean; exclude?: string[]; prefer?: string }): Promise<{
  project: ProjectView;
  item: ItemView | null;
  refusal: Refusal | null;
}> {
  const { project, own, served, refusal } = await annotatorContext({ ...opts, leases: true, allowPaused: true });
  const view = projectView(project);
  // the lease the page last showed comes back first, whatever order the leases were taken in
  const ordered = opts.prefer ? [...own.filter((a) => a.id === opts.prefer), ...own.filter((a) => a.id !== opts.prefer)] : own;
  for (const a of ordered) {
    if (a.live || (await renewExpired({ project, assignmentId: a.id, itemId: a.itemId, userId: opts.userId }))) {
      return { project: view, item: await withSuggestion(project, await ownItemView(a.id, project.showModelNames)), refusal };
    }
  }
  if (refusal) return { project: view, item: null, refusal };
  const preferGold = goldDue(project, served);
  let item = await claimNew({ project, userId: opts.userId, gold: preferGold });
  // Gold items are only interleaved between real work: no gold when the real queue is dry.
  if (!item && preferGold) item = await claimNew({ project, userId: opts.userId, gold: false });
  return { project: view, item: item && (await withSuggestion(project, item)), refusal: null };
}

/** The item with the AI judge's verdict as its prefill, where the project asks for one (never on gold items). */
async function withSuggestion(project: Project, item: ItemView): Promise<ItemView> {
  if (project.suggestionMode !== "PREFILL") return item;
  return { ...item, suggestion: await latestSuggestion(item.itemId, { exceptGold: true }) };
}

/** Skipping releases the item for others and never serves it to the skipper again. Skipping twice is a no-op. */
export async function skip(opts: { userId: string; assignmentId: string; reason: string }): Promise<void> {
  await withTransaction(async (client) => {
    const { rows } = await client.query<{ item_id: string; state: string; refusal: string | null }>(SKIP_CONTEXT_SQL, [opts.assignmentId, opts.userId]);
    const a = rows[0];
    if (!a) throw new AppError("NOT_FOUND", "This item is not assigned to you.");
    const refused = a.refusal ? judgingRefused(a.refusal) : null;
    if (refused) throw refused;
    if (a.state === "SKIPPED") return;
    if (a.state === "SUBMITTED") throw new AppError("CONFLICT", "This item was already submitted.");
    await client.query(SKIP_SQL, [opts.assignmentId, opts.reason]);
    await client.query(CLEAR_BUSY_SQL, [a.item_id]);
  });
}
