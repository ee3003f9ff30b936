// Adjudication: a reviewer's final answer for an item its annotators disagree on, checked with the project's ranking
// rules (the candidates, ties, strength) as a submit is. The "adjudicated" aggregation of an export reads it.
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import type { Strength } from "@/server/generated/prisma/client";
import { check, type RulesRow } from "@/server/services/annotation/judgement";
import * as audit from "@/server/services/audit";

export async function adjudicate(opts: { projectId: string; itemId: string; reviewerId: string; ranking: string[][]; strength?: Strength; note: string }) {
  const item = await db.item.findFirst({
    where: { id: opts.itemId, projectId: opts.projectId },
    select: {
      id: true,
      isGold: true,
      candidates: { select: { candidateId: true } },
      _count: { select: { annotations: true } },
      adjudicated: true,
      project: { select: { taskType: true, allowTies: true } },
    },
  });
  if (!item) throw new AppError("NOT_FOUND", "No such item in this project.", [{ field: "itemId", message: "unknown item" }]);
  if (item.project.taskType !== "PAIRWISE" && item.project.taskType !== "RANKING") {
    throw new AppError("PRECONDITION_FAILED", "Only pairwise and ranking items are adjudicated: ratings and demonstrations are corrected one by one.");
  }
  if (item._count.annotations < 2) throw new AppError("PRECONDITION_FAILED", "Adjudication settles a disagreement: this item has fewer than two votes.");
  const rules: RulesRow = {
    task_type: item.project.taskType,
    allow_ties: item.project.allowTies,
    require_rationale: false,
    thumbs: false,
    edits_as_preference: false,
    criteria: [],
    candidate_ids: item.candidates.map((c) => c.candidateId),
    is_gold: item.isGold,
    gold_ranking: null,
    gold_thumbs: null,
  };
  check(rules, { ranking: opts.ranking, strength: opts.strength, bothBad: false, ratings: {}, rationale: "", flags: [], flagNote: "", timeSpentMs: 0 });
  const data = { ranking: opts.ranking, strength: opts.strength ?? null, note: opts.note, reviewerId: opts.reviewerId };
  return db.$transaction(async (tx) => {
    const saved = await tx.adjudication.upsert({ where: { itemId: item.id }, create: { itemId: item.id, projectId: opts.projectId, ...data }, update: data });
    await audit.record({ actorId: opts.reviewerId, action: "review.adjudicate", targetType: "item", targetId: item.id, before: item.adjudicated, after: saved }, tx);
    return saved;
  });
}
