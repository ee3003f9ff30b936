// Project settings through the admin procedures: create, edit, archive, membership — each leaves an audit entry.
import { describe, expect, it } from "vitest";
import type { ZodError } from "zod";
import { zodFieldErrors } from "@/server/errors";
import { db } from "@/server/db";
import { findProject } from "@/server/services/projects";
import { callerFor, makeProject, makeUser, pairItems, uid } from "../fixtures/annotation";

function settings(slug = `proj-${uid()}`) {
  return {
    name: "Helpfulness round 1",
    slug,
    guidelines: "# Pick the more helpful answer\n\n- be strict",
    taskType: "RANKING" as const,
    criteria: [{ key: "helpfulness", label: "Helpfulness", description: "Does it answer?" }],
    allowTies: false,
    requireRationale: true,
    overlap: 3,
    leaseSeconds: 300,
    goldRate: 0.1,
    showModelNames: true,
    activeLearning: true,
  };
}

describe("admin: projects", () => {
  it("creates a project with every setting and audits it", async () => {
    const admin = await makeUser("ADMIN");
    const api = callerFor(admin);
    const input = settings();
    const created = await api.project.create(input);
    const stored = await api.project.get({ id: created.id });
    expect(stored).toMatchObject({ ...input, archived: false });
    const entry = await db.auditLog.findFirst({ where: { targetId: created.id, action: "project.create" } });
    expect(entry).toMatchObject({ actorId: admin.id, targetType: "project" });
    expect(entry?.after).toMatchObject({ slug: input.slug, overlap: 3 });
  });

  it("edits settings and records before and after", async () => {
    const admin = await makeUser("ADMIN");
    const api = callerFor(admin);
    const created = await api.project.create(settings());
    // the settings form always sends every setting
    await api.project.update({ ...settings(created.slug), id: created.id, overlap: 5, guidelines: "new text", criteria: [] });
    const stored = await api.project.get({ id: created.id });
    expect(stored).toMatchObject({ overlap: 5, guidelines: "new text", criteria: [], allowTies: false });
    const entry = await db.auditLog.findFirst({ where: { targetId: created.id, action: "project.update" } });
    expect(entry?.before).toMatchObject({ overlap: 3 });
    expect(entry?.after).toMatchObject({ overlap: 5 });
  });

  it("a partial update changes only the settings it sends", async () => {
    const admin = await makeUser("ADMIN");
    const api = callerFor(admin);
    const input = settings();
    const created = await api.project.create(input);
    await api.project.update({ id: created.id, overlap: 7 });
    const stored = await api.project.get({ id: created.id });
    expect(stored).toMatchObject({ ...input, overlap: 7 });
  });

  it("archives and unarchives: archived projects leave the default list and the annotators' lists", async () => {
    const admin = await makeUser("ADMIN");
    const annotator = await makeUser("ANNOTATOR");
    const { project } = await makeProject({ items: pairItems(1), members: [annotator.id] });
    const api = callerFor(admin);
    expect((await callerFor(annotator).annotation.projects()).map((p) => p.id)).toContain(project.id);

    await api.project.setArchived({ id: project.id, archived: true });
    expect((await api.project.list({ includeArchived: false })).map((p) => p.id)).not.toContain(project.id);
    expect((await api.project.list({ includeArchived: true })).map((p) => p.id)).toContain(project.id);
    expect((await callerFor(annotator).annotation.projects()).map((p) => p.id)).not.toContain(project.id);

    await api.project.setArchived({ id: project.id, archived: false });
    expect((await api.project.list({ includeArchived: false })).map((p) => p.id)).toContain(project.id);
    const actions = (await db.auditLog.findMany({ where: { targetId: project.id }, orderBy: { id: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["project.archive", "project.unarchive"]);
  });

  it("reports bad settings by field", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    const err = await api.project.create({ ...settings("X"), overlap: 0, goldRate: 0.9 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_REQUEST" });
    const fields = zodFieldErrors((err as { cause: ZodError }).cause);
    expect(fields.map((f) => f.field).sort()).toEqual(["goldRate", "overlap", "slug"]);
    expect(fields).toContainEqual({ field: "overlap", message: "at least 1" });

    const taken = await api.project.create(settings());
    const dup = await api.project.create(settings(taken.slug)).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: "CONFLICT", cause: { fieldErrors: [{ field: "slug", message: "already in use" }] } });
  });

  it("assigns annotators: only members see a project", async () => {
    const admin = await makeUser("ADMIN");
    const [a, b] = [await makeUser(), await makeUser()];
    const { project } = await makeProject({ items: pairItems(1), members: [] });
    await callerFor(admin).project.setMembers({ projectId: project.id, userIds: [a.id] });
    expect((await callerFor(a).annotation.projects()).map((p) => p.id)).toContain(project.id);
    expect((await callerFor(b).annotation.projects()).map((p) => p.id)).not.toContain(project.id);
    expect((await callerFor(admin).project.members({ projectId: project.id })).map((m) => m.id)).toEqual([a.id]);
  });
});

describe("findProject: the one project lookup", () => {
  it("finds by id, by slug only when asked, and says what was missing", async () => {
    const admin = await makeUser("ADMIN");
    const created = await callerFor(admin).project.create(settings());
    expect((await findProject(created.id)).slug).toBe(created.slug);
    expect((await findProject(created.slug, { slug: true })).id).toBe(created.id);
    // a slug is not an id: pages and procedures look up by id only
    await expect(findProject(created.slug)).rejects.toMatchObject({ code: "NOT_FOUND", message: `No project "${created.slug}".` });
    // a launch form that chose a project that is gone gets a field error, not a 404
    await expect(findProject("gone", { field: "projectId" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: [{ field: "projectId", message: "not found" }],
    });
  });
});
