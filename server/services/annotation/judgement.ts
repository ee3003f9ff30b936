// Judgements: submit one (idempotent on the client's submission id; late and surplus submits are stored and marked)
// and edit the last one within the edit window. Both check the judgement with the rules the annotation page also
// runs (server/schemas/judgement.ts) and write through the SQL functions that define what a judgement stores
// (rlhf_submit_annotation, rlhf_edit_annotation, both writing comparisons with rlhf_write_comparisons), which
// re-check access under the item's lock.
import { AppError } from "@/server/errors";
import type { Prisma, Project } from "@/server/generated/prisma/client";
import { pool } from "@/server/pg";
import { EDIT_WINDOW_SECONDS, describeErrors, judgementErrors, type Judgement, type JudgementRules, type Strength } from "@/server/schemas/judgement";
import type { SubmitInput } from "@/server/schemas/annotation";
import { judgingRefused, projectForAnnotator } from "@/server/services/annotation/context";
import { toItemView, type ItemView } from "@/server/services/annotation/item-view";
import { latestSuggestion, type SuggestionView } from "@/server/services/judge/suggestions";
import { candidateHash } from "@/server/services/hashing";
import {
  ANNOTATION_ITEM_VIEW_SQL,
  GOLD_PAUSE_SQL,
  EDIT_ANNOTATION_SQL,
  EDIT_CONTEXT_SQL,
  LAST_JUDGEMENT_SQL,
  SUBMIT_ANNOTATION_SQL,
  SUBMIT_CONTEXT_SQL,
} from "@/server/services/annotation/sql";
import { derivePairs, matchesGold } from "@/server/services/comparisons";
import * as audit from "@/server/services/audit";
import { criteriaOf } from "@/server/services/projects";

export interface RulesRow {
  task_type: Project["taskType"];
  allow_ties: boolean;
  require_rationale: boolean;
  thumbs: boolean;
  edits_as_preference: boolean;
  criteria: Prisma.JsonValue;
  candidate_ids: string[];
  is_gold: boolean;
  gold_ranking: string[][] | null;
  gold_thumbs: boolean | null;
}

/** Checks a judgement against its item and project; throws every problem at once as field errors. */
export function check(row: RulesRow, judgement: Judgement): void {
  const rules: JudgementRules = { taskType: row.task_type, allowTies: row.allow_ties, requireRationale: row.require_rationale, thumbs: row.thumbs, criteria: criteriaOf(row) };
  const errors = judgementErrors(rules, row.candidate_ids, judgement);
  if (errors.length) throw new AppError("BAD_REQUEST", `Invalid judgement: ${describeErrors(errors)}`, errors);
}

/**
 * The content hash under which an improved response is stored as a candidate, to compare it with the one it started
 * from — when the project asks for it. Whether the response was changed at all is checked by the SQL function
 * (rlhf_judgement_comparisons), which has the original's text at hand.
 */
function editedHash(j: Judgement, row: RulesRow): string | null {
  if (row.task_type !== "DEMONSTRATION" || !row.edits_as_preference || !j.demonstrationFrom || !j.demonstration) return null;
  return candidateHash(j.demonstration);
}

/** Whether a judgement of a gold item gave its known answer (the ranking, or a rating's thumbs); null when not gold. */
function goldCorrect(j: Judgement, row: RulesRow): boolean | null {
  if (!row.is_gold) return null;
  if (row.task_type === "RATING") return row.gold_thumbs === null || j.thumbs === undefined ? null : j.thumbs === row.gold_thumbs;
  return row.gold_ranking ? matchesGold(j.ranking, row.gold_ranking) : null;
}

/** The judgement's parameters of rlhf_submit_annotation / rlhf_edit_annotation, in their order. */
export function judgementParams(j: Judgement, row: RulesRow): unknown[] {
  const pairs = derivePairs(j.ranking, j.strength ?? null);
  return [
    JSON.stringify(j.ranking),
    j.strength ?? null,
    j.bothBad,
    JSON.stringify(j.ratings),
    j.rationale,
    j.flags,
    j.flagNote,
    j.timeSpentMs,
    goldCorrect(j, row),
    pairs.map((p) => p.chosenId),
    pairs.map((p) => p.rejectedId),
    pairs.map((p) => p.margin),
    j.thumbs ?? null,
    j.demonstration ?? null,
    j.demonstrationFrom ?? null,
    editedHash(j, row),
  ];
}

export interface SubmitResult {
  annotationId: string;
  duplicate: boolean;
  late: boolean;
  surplus: boolean;
  /** the AI judge's latest verdict on the item, when the project shows it after the submit */
  suggestion?: SuggestionView | null;
}

const ALREADY_SUBMITTED = "This item was already submitted; edit your last submission instead.";

function notAssigned(): AppError {
  return judgingRefused("not_found")!;
}

interface SubmitContextRow extends RulesRow {
  project_id: string | null;
  min_gold_accuracy: number | null;
  suggestion_mode: Project["suggestionMode"] | null;
  item_id: string | null;
  stored_id: string | null;
  stored_user_id: string | null;
  stored_late: boolean | null;
  stored_surplus: boolean | null;
  user_id: string | null;
  state: string | null;
}

function duplicateOf(a: { id: string; userId: string; late: boolean; surplus: boolean }, userId: string): SubmitResult {
  if (a.userId !== userId) throw new AppError("CONFLICT", "This submission id belongs to another annotator.");
  return { annotationId: a.id, duplicate: true, late: a.late, surplus: a.surplus };
}

export async function submit(opts: { userId: string; input: SubmitInput }): Promise<SubmitResult> {
  const { input, userId } = opts;
  const { rows } = await pool().query<SubmitContextRow>({ name: "submit-context", text: SUBMIT_CONTEXT_SQL, values: [input.submissionId, input.assignmentId] });
  const c = rows[0];
  if (c.stored_id) return duplicateOf({ id: c.stored_id, userId: c.stored_user_id!, late: c.stored_late!, surplus: c.stored_surplus! }, userId);
  if (!c.user_id || c.user_id !== userId) throw notAssigned();
  if (c.state === "SUBMITTED") throw new AppError("CONFLICT", ALREADY_SUBMITTED);
  if (c.state === "SKIPPED") throw new AppError("CONFLICT", "You skipped this item.");
  check(c, input);
  // rlhf_submit_annotation re-checks the id, the assignment and the caller's access under the item's row lock: two
  // copies of one submit racing past the checks above still land once, and a member removed meanwhile lands none.
  const { rows: stored } = await pool().query<{ outcome: string; annotation_id: string; owner_id: string; late: boolean; surplus: boolean }>({
    name: "submit-annotation",
    text: SUBMIT_ANNOTATION_SQL,
    values: [input.submissionId, input.assignmentId, userId, ...judgementParams(input, c)],
  });
  const r = stored[0];
  switch (r.outcome) {
    case "ok":
      // only a gold judgement can change the gold accuracy: everything else skips the check
      if (c.is_gold && c.min_gold_accuracy !== null) await pauseBelowGold(c.project_id!, userId);
      return {
        annotationId: r.annotation_id,
        duplicate: false,
        late: r.late,
        surplus: r.surplus,
        ...(c.suggestion_mode === "AFTER_SUBMIT" ? { suggestion: await latestSuggestion(c.item_id!) } : {}),
      };
    case "duplicate":
      return duplicateOf({ id: r.annotation_id, userId: r.owner_id, late: r.late, surplus: r.surplus }, userId);
    case "submitted":
      throw new AppError("CONFLICT", ALREADY_SUBMITTED);
    case "skipped":
      throw new AppError("CONFLICT", "You skipped this item.");
    default:
      throw judgingRefused(r.outcome) ?? notAssigned();
  }
}

/** The gold-accuracy rule after a gold judgement (GOLD_PAUSE_SQL); a pause is audited. */
async function pauseBelowGold(projectId: string, userId: string): Promise<void> {
  const { rows } = await pool().query<{ reason: string }>(GOLD_PAUSE_SQL, [projectId, userId]);
  if (rows[0]) await audit.record({ actorId: null, action: "member.pause", targetType: "project", targetId: projectId, after: { userId, reason: rows[0].reason } });
}

function withinEditWindow(createdAt: Date): boolean {
  return Date.now() - createdAt.getTime() <= EDIT_WINDOW_SECONDS * 1000;
}

const NOT_EDITABLE = `Only your last submission can be edited, within ${EDIT_WINDOW_SECONDS / 60} minutes.`;

/** The caller's last judgement in a project, as the page shows it for editing, while it is still editable. */
export interface EditableJudgement {
  annotationId: string;
  createdAt: Date;
  /** the item as the annotator saw it (same order of candidates) */
  item: ItemView;
  judgement: Omit<Judgement, "timeSpentMs">;
}

export async function lastEditable(opts: { slug: string; userId: string; isAdmin: boolean }): Promise<EditableJudgement | null> {
  const project = await projectForAnnotator(opts);
  const { rows } = await pool().query<{
    id: string;
    created_at: Date;
    ranking: string[][];
    strength: Strength | null;
    both_bad: boolean;
    ratings: Record<string, Record<string, number>>;
    rationale: string;
    flags: Judgement["flags"];
    flag_note: string;
    thumbs: boolean | null;
    demonstration: string | null;
    demonstration_from: string | null;
  }>(LAST_JUDGEMENT_SQL, [opts.userId, project.id]);
  const n = rows[0];
  if (!n || !withinEditWindow(n.created_at)) return null;
  const { rows: views } = await pool().query(ANNOTATION_ITEM_VIEW_SQL, [n.id]);
  return {
    annotationId: n.id,
    createdAt: n.created_at,
    item: toItemView(views[0], project.showModelNames),
    judgement: {
      ranking: n.ranking,
      ...(n.strength ? { strength: n.strength } : {}),
      bothBad: n.both_bad,
      ratings: n.ratings,
      rationale: n.rationale,
      flags: n.flags ?? [],
      flagNote: n.flag_note,
      ...(n.thumbs === null ? {} : { thumbs: n.thumbs }),
      ...(n.demonstration === null ? {} : { demonstration: n.demonstration }),
      ...(n.demonstration_from === null ? {} : { demonstrationFrom: n.demonstration_from }),
    },
  };
}

interface EditContextRow extends RulesRow {
  created_at: Date;
  is_last: boolean;
}

/** Edits the caller's last submission within the edit window; the derived comparisons follow the edit. */
export async function editLast(opts: { userId: string; annotationId: string; judgement: Judgement }): Promise<{ annotationId: string }> {
  const { rows } = await pool().query<EditContextRow>(EDIT_CONTEXT_SQL, [opts.annotationId, opts.userId]);
  const c = rows[0];
  if (!c) throw new AppError("NOT_FOUND", "No such annotation of yours.");
  if (!c.is_last || !withinEditWindow(c.created_at)) throw new AppError("PRECONDITION_FAILED", NOT_EDITABLE);
  check(c, opts.judgement);
  const { rows: done } = await pool().query<{ outcome: string }>(EDIT_ANNOTATION_SQL, [
    opts.annotationId,
    opts.userId,
    EDIT_WINDOW_SECONDS,
    ...judgementParams(opts.judgement, c),
  ]);
  const outcome = done[0].outcome;
  if (outcome === "not_last") throw new AppError("PRECONDITION_FAILED", NOT_EDITABLE);
  if (outcome !== "ok") throw judgingRefused(outcome) ?? new AppError("NOT_FOUND", "No such annotation of yours.");
  return { annotationId: opts.annotationId };
}
