// Who may annotate what: the project as one annotator sees it, read in one query together with what the queue needs
// (their own leases, the gold they were served). Annotators see projects they are members of, admins every project;
// a project someone may not see is "not found" to them, by slug, without its name; archived projects are closed.
import { AppError } from "@/server/errors";
import type { Project } from "@/server/generated/prisma/client";
import { pool } from "@/server/pg";
import { ANNOTATOR_CONTEXT_SQL } from "@/server/services/annotation/sql";
import { criteriaOf, type Criterion } from "@/server/services/projects";

/** What the annotation page knows of its project. */
export interface ProjectView {
  id: string;
  slug: string;
  name: string;
  guidelines: string;
  taskType: Project["taskType"];
  criteria: Criterion[];
  allowTies: boolean;
  requireRationale: boolean;
  showModelNames: boolean;
  /** RATING: thumbs up/down are asked for */
  thumbs: boolean;
  /** DEMONSTRATION: an improved response is also stored as the preference "edited ≻ original" */
  editsAsPreference: boolean;
  /** what the page shows of the AI judge's verdicts (server/services/judge/suggestions.ts) */
  suggestionMode: Project["suggestionMode"];
}

export interface OwnLease {
  id: string;
  itemId: string;
  live: boolean;
}

/**
 * Why the queue hands the caller no new item (ANNOTATOR_CONTEXT_SQL decides it; leases they already hold still come,
 * except when they are paused themselves: then nothing of theirs can be submitted). `message` is what the page shows;
 * `resetsAt`: when a daily cap lets them go on (the next UTC midnight).
 */
export interface Refusal {
  reason: "daily_cap" | "total_cap" | "paused" | "project_paused";
  message: string;
  resetsAt?: Date;
}

type RefusalRow = { reason: "project_paused" } | { reason: "total_cap"; cap: number } | { reason: "daily_cap"; cap: number; resetsAt: string };

function items(n: number): string {
  return `${n} item${n === 1 ? "" : "s"}`;
}

function refusalOf(row: RefusalRow, project: Project): Refusal {
  switch (row.reason) {
    case "project_paused":
      return { reason: row.reason, message: project.pauseMessage || "An admin has paused this project for now. Work you already hold can still be submitted." };
    case "total_cap":
      return { reason: row.reason, message: `You have reached your limit of ${items(row.cap)} in this project. Thank you!` };
    case "daily_cap":
      return { reason: row.reason, message: `You have reached your daily limit of ${items(row.cap)} in this project.`, resetsAt: new Date(row.resetsAt) };
  }
}

export interface AnnotatorContext {
  project: Project;
  /** why no new item may be claimed now (only when leases were asked for); null: the queue is open */
  refusal: Refusal | null;
  /** the caller's ACTIVE assignments in the project, oldest first, less the excluded ones (only when asked for) */
  own: OwnLease[];
  /** the caller's assignments in the project, gold and all (only when asked for and the project serves gold) */
  served: { gold: number; total: number } | null;
}

/**
 * The project for the caller, with what the queue needs when `leases`. A member paused by the gold-accuracy rule gets
 * their pause as the refusal from the queue (`allowPaused`), and PRECONDITION_FAILED from everything else.
 */
export async function annotatorContext(opts: { slug: string; userId: string; isAdmin: boolean; leases: boolean; exclude?: string[]; allowPaused?: boolean }): Promise<AnnotatorContext> {
  const { rows } = await pool().query<
    Project & { _member: boolean; _paused: string | null; _own: OwnLease[] | null; _served: { gold: number; total: number } | null; _refusal: RefusalRow | null }
  >({
    name: "annotator-context",
    text: ANNOTATOR_CONTEXT_SQL,
    values: [opts.slug, opts.userId, opts.leases, opts.exclude ?? []],
  });
  const row = rows[0];
  if (!row || (!opts.isAdmin && !row._member)) throw new AppError("NOT_FOUND", `No project "${opts.slug}" for you.`);
  const { _member, _paused, _own, _served, _refusal, ...project } = row;
  if (project.archived) throw new AppError("PRECONDITION_FAILED", `Project "${project.name}" is archived.`);
  if (_paused !== null) {
    const message = `You are paused in "${project.name}". ${_paused}`;
    if (!opts.allowPaused) throw new AppError("PRECONDITION_FAILED", message);
    return { project, refusal: { reason: "paused", message }, own: [], served: null };
  }
  return { project, refusal: _refusal && refusalOf(_refusal, project), own: _own ?? [], served: _served };
}

export async function projectForAnnotator(opts: { slug: string; userId: string; isAdmin: boolean }): Promise<Project> {
  return (await annotatorContext({ ...opts, leases: false })).project;
}

export function projectView(project: Project): ProjectView {
  return {
    id: project.id,
    slug: project.slug,
    name: project.name,
    guidelines: project.guidelines,
    taskType: project.taskType,
    criteria: criteriaOf(project),
    allowTies: project.allowTies,
    requireRationale: project.requireRationale,
    showModelNames: project.showModelNames,
    thumbs: project.thumbs,
    editsAsPreference: project.editsAsPreference,
    suggestionMode: project.suggestionMode,
  };
}

/** The refusals of rlhf_judging_refusal (a write re-checks access under the item's lock) as errors. */
export function judgingRefused(outcome: string): AppError | null {
  if (outcome === "not_found") return new AppError("NOT_FOUND", "This item is not assigned to you.", [{ field: "assignmentId", message: "unknown assignment" }]);
  if (outcome === "archived") return new AppError("PRECONDITION_FAILED", "This project is archived: judgements are closed.");
  if (outcome === "paused") return new AppError("PRECONDITION_FAILED", "You are paused in this project (gold accuracy): an admin can let you continue.");
  return null;
}
