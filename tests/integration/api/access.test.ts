// Walks the whole tRPC router: every admin procedure must refuse anonymous and annotator callers, every
// reviewer procedure anonymous callers and members of the project who do not review it (and a reviewer of another
// project), every protected one anonymous callers. Procedures added later are covered without touching this file;
// a new public procedure must be listed here on purpose.
import { describe, expect, it } from "vitest";
import { appRouter, createCaller } from "@/server/api/root";
import type { Meta } from "@/server/api/trpc";
import { callerFor, makeProject, makeUser, pairItems, pickFirst } from "../fixtures/annotation";

const PUBLIC_PROCEDURES = new Set<string>(["invite.inspect", "invite.accept", "account.inspectSetup", "account.inspectReset", "account.completeSetup", "account.completeReset"]);

interface ProcedureDef {
  meta?: Meta;
  type: "query" | "mutation" | "subscription";
}

function procedures(): [string, ProcedureDef][] {
  const record = (appRouter._def as unknown as { procedures: Record<string, { _def: ProcedureDef }> }).procedures;
  return Object.entries(record).map(([path, p]) => [path, p._def]);
}

async function call(caller: ReturnType<typeof createCaller>, path: string, input: object = {}): Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input: unknown) => Promise<unknown>;
  return fn(input).then(
    () => null,
    (err: unknown) => err,
  );
}

describe("access control across the whole router", () => {
  const all = procedures();

  it("knows every procedure's access level", () => {
    expect(all.length).toBeGreaterThan(5);
    for (const [path, def] of all) {
      expect(def.meta?.access, path).toMatch(/^(public|protected|reviewer|admin)$/);
      if (def.meta?.access === "public") expect(PUBLIC_PROCEDURES.has(path), `unexpected public procedure ${path}`).toBe(true);
    }
  });

  it("admin procedures refuse anonymous and annotator callers; protected ones refuse anonymous callers", async () => {
    const annotator = await makeUser("ANNOTATOR");
    const anonymous = createCaller({ user: null });
    const asAnnotator = createCaller({ user: annotator });
    for (const [path, def] of all) {
      if (def.meta?.access === "public") continue;
      expect(await call(anonymous, path), `${path} as anonymous`).toMatchObject({ code: "UNAUTHORIZED" });
      if (def.meta?.access === "admin") {
        expect(await call(asAnnotator, path), `${path} as annotator`).toMatchObject({ code: "FORBIDDEN" });
      }
    }
  });

  it("reviewer procedures refuse the project's annotators and other projects' reviewers, before reading the rest of the input", async () => {
    const [admin, member, elsewhere] = await Promise.all([makeUser("ADMIN"), makeUser("ANNOTATOR"), makeUser("ANNOTATOR")]);
    const { project } = await makeProject({ items: pairItems(1), members: [member.id] });
    const { project: other } = await makeProject({ items: pairItems(1), members: [] });
    await callerFor(admin).project.setMembers({ projectId: other.id, userIds: [elsewhere.id], reviewerIds: [elsewhere.id] });
    const reviewerProcedures = all.filter(([, def]) => def.meta?.access === "reviewer");
    expect(reviewerProcedures.map(([path]) => path)).toContain("review.act");
    for (const [path] of reviewerProcedures) {
      expect(await call(createCaller({ user: member }), path, { projectId: project.id }), `${path} as a member`).toMatchObject({ code: "FORBIDDEN" });
      expect(await call(createCaller({ user: elsewhere }), path, { projectId: project.id }), `${path} as another project's reviewer`).toMatchObject({ code: "FORBIDDEN" });
      expect(await call(createCaller({ user: member }), path), `${path} without a project`).toMatchObject({ code: "BAD_REQUEST" });
    }
  });

  it("workforce procedures: pausing, resuming and member caps are admin-only (a reviewer of the project included); statistics answers every role with their own", async () => {
    const [admin, annotator, reviewer] = await Promise.all([makeUser("ADMIN"), makeUser("ANNOTATOR"), makeUser("ANNOTATOR")]);
    const { project } = await makeProject({ items: pairItems(2), members: [annotator.id, reviewer.id] });
    await callerFor(admin).project.setMembers({ projectId: project.id, userIds: [annotator.id, reviewer.id], reviewerIds: [reviewer.id] });
    const access = new Map(all.map(([path, def]) => [path, def.meta?.access]));
    expect(["project.pause", "project.resume", "project.setMemberCaps", "account.statistics"].map((p) => access.get(p))).toEqual(["admin", "admin", "admin", "protected"]);
    const writes: [string, object][] = [
      ["project.pause", { id: project.id, message: "stop" }],
      ["project.resume", { id: project.id }],
      ["project.setMemberCaps", { projectId: project.id, userId: annotator.id, dailyCap: 1000, totalCap: null }],
    ];
    for (const user of [annotator, reviewer]) {
      for (const [path, input] of writes) expect(await call(createCaller({ user }), path, input), `${path} as ${user.email}`).toMatchObject({ code: "FORBIDDEN" });
    }
    for (const [path, input] of writes) expect(await call(createCaller({ user: null }), path, input), `${path} as anonymous`).toMatchObject({ code: "UNAUTHORIZED" });
    expect(await callerFor(admin).project.get({ id: project.id })).toMatchObject({ pausedAt: null });
    expect((await callerFor(admin).project.members({ projectId: project.id })).find((m) => m.id === annotator.id)).toMatchObject({ dailyCap: null });
    for (const [path, input] of writes) expect(await call(createCaller({ user: admin }), path, input), `${path} as admin`).toBeNull();

    const { item } = await callerFor(annotator).annotation.next({ projectSlug: project.slug });
    await callerFor(annotator).annotation.submit(pickFirst(item!));
    for (const [user, total] of [[annotator, 1], [reviewer, 0], [admin, null]] as const) {
      const mine = await callerFor(user).account.statistics();
      expect(mine.find((p) => p.projectId === project.id)?.total ?? null, user.email).toBe(total);
    }
  });
});
