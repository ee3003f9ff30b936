// Who may review a project: its members with the REVIEWER role (admins may review every project; the procedure
// kind in server/api/trpc.ts checks that first).
import { db } from "@/server/db";
import { AppError } from "@/server/errors";

export async function isReviewer(opts: { userId: string; projectId: string }): Promise<boolean> {
  const m = await db.projectMember.findUnique({ where: { projectId_userId: { projectId: opts.projectId, userId: opts.userId } }, select: { role: true } });
  return m?.role === "REVIEWER";
}

/** The projects a person reviews, for their review index: every unarchived project for admins. */
export async function reviewableProjects(opts: { userId: string; isAdmin: boolean }) {
  return db.project.findMany({
    where: { archived: false, ...(opts.isAdmin ? {} : { members: { some: { userId: opts.userId, role: "REVIEWER" } } }) },
    orderBy: { createdAt: "asc" },
    select: { id: true, slug: true, name: true, taskType: true, _count: { select: { annotations: true } } },
  });
}

/** The project as the review pages show it: its name, task type and review settings. */
export async function reviewProject(projectId: string) {
  const project = await db.project.findUnique({
    where: { id: projectId },
    select: { id: true, name: true, slug: true, taskType: true, reviewSampleRate: true, reviewFlagged: true, reviewFailedGold: true, reviewDisagreeing: true },
  });
  if (!project) throw new AppError("NOT_FOUND", "No such project.");
  return project;
}
