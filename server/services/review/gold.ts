// Gold from the review pages: an item becomes gold with its expected answer (a ranking, or a rating's thumbs), or
// stops being gold. Import sets gold the same way (Item.isGold, goldRanking, goldThumbs); judgements made from now
// on are scored against it, those made before keep what they were (they were not served as gold).
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { check, type RulesRow } from "@/server/services/annotation/judgement";
import * as audit from "@/server/services/audit";

export async function setGold(opts: { projectId: string; itemId: string; actorId: string; gold: boolean; ranking?: string[][]; thumbs?: boolean }) {
  const item = await db.item.findFirst({
    where: { id: opts.itemId, projectId: opts.projectId },
    select: {
      id: true, isGold: true, goldRanking: true, goldThumbs: true, completedCount: true,
      candidates: { select: { candidateId: true } }, project: { select: { taskType: true, allowTies: true, overlap: true } },
    },
  });
  if (!item) throw new AppError("NOT_FOUND", "No such item in this project.", [{ field: "itemId", message: "unknown item" }]);
  const taskType = item.project.taskType;
  let data: { isGold: boolean; goldRanking: string[][] | undefined; goldThumbs: boolean | null } = { isGold: false, goldRanking: undefined, goldThumbs: null };
  if (opts.gold) {
    if (taskType === "DEMONSTRATION") throw new AppError("PRECONDITION_FAILED", "Demonstrations have no gold: a written response has no single right answer.");
    if (taskType === "RATING") {
      if (opts.thumbs === undefined) throw new AppError("BAD_REQUEST", "A gold rating item needs its expected thumbs.", [{ field: "thumbs", message: "required" }]);
      data = { isGold: true, goldRanking: undefined, goldThumbs: opts.thumbs };
    } else {
      if (!opts.ranking) throw new AppError("BAD_REQUEST", "A gold item needs its expected ranking.", [{ field: "ranking", message: "required" }]);
      const rules: RulesRow = {
        task_type: taskType, allow_ties: item.project.allowTies, require_rationale: false, thumbs: false, edits_as_preference: false, criteria: [],
        candidate_ids: item.candidates.map((c) => c.candidateId), is_gold: true, gold_ranking: null, gold_thumbs: null,
      };
      // a pairwise ranking needs a strength to be a judgement; the expected answer is the order alone
      check(rules, { ranking: opts.ranking, strength: taskType === "PAIRWISE" ? (opts.ranking.length === 1 ? "TIE" : "BETTER") : undefined, bothBad: false, ratings: {}, rationale: "", flags: [], flagNote: "", timeSpentMs: 0 });
      data = { isGold: true, goldRanking: opts.ranking, goldThumbs: null };
    }
  }
  return db.$transaction(async (tx) => {
    const saved = await tx.item.update({
      where: { id: item.id },
      // gold is served to every annotator while open; a former gold item is complete once it has `overlap` judgements
      data: {
        isGold: data.isGold, goldRanking: data.goldRanking ?? undefined, goldThumbs: data.goldThumbs, busyUntil: null,
        status: data.isGold || item.completedCount < item.project.overlap ? "OPEN" : "COMPLETE",
      },
      select: { id: true, isGold: true, goldRanking: true, goldThumbs: true },
    });
    await audit.record(
      { actorId: opts.actorId, action: opts.gold ? "item.gold" : "item.ungold", targetType: "item", targetId: item.id, before: { isGold: item.isGold, goldRanking: item.goldRanking, goldThumbs: item.goldThumbs }, after: saved },
      tx,
    );
    return saved;
  });
}
