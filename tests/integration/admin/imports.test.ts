// The import page's procedures: a job made before the upload, its progress and outcome, the project's history.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { importFile } from "@/server/services/import";
import { callerFor, makeProject, makeUser, uid } from "../fixtures/annotation";

function jsonl(rows: unknown[]): string {
  return rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n") + "\n";
}

describe("admin: import jobs", () => {
  it("creates a pending job, then shows its counts and errors by line and field, and lists it", async () => {
    const admin = await makeUser("ADMIN");
    const { project } = await makeProject({ items: [], members: [] });
    const api = callerFor(admin);
    const tag = uid();
    const file = jsonl([
      { prompt: `q1 ${tag}`, candidates: [{ text: "a" }, { text: "b" }] },
      { prompt: `q2 ${tag}`, candidates: [{ text: "only one" }] },
      "{not json",
      { prompt: `q3 ${tag}`, candidates: [{ text: "c" }, { text: "d" }] },
    ]);
    const job = await api.importJob.create({ projectId: project.id, fileName: "batch.jsonl", format: "jsonl", bytesTotal: file.length, skipInvalid: true });
    expect(await api.importJob.get({ projectId: project.id, jobId: job.id })).toMatchObject({ status: "PENDING", fileName: "batch.jsonl" });

    await importFile({ projectId: project.id, stream: Readable.from([Buffer.from(file)]), fileName: "batch.jsonl", bytesTotal: file.length, format: "jsonl", skipInvalid: true, createdById: admin.id, jobId: job.id });

    const done = await api.importJob.get({ projectId: project.id, jobId: job.id });
    expect(done).toMatchObject({ status: "SUCCEEDED", bytesRead: file.length, bytesTotal: file.length, linesRead: 4, errorCount: 2, hasRejectedLines: true });
    expect(done.counts).toMatchObject({ items: 2, rejected: 2 });
    expect((done.errors as { line: number }[]).map((e) => e.line)).toEqual([2, 3]);
    expect(done).not.toHaveProperty("rejectedLines");
    expect(await db.item.count({ where: { projectId: project.id } })).toBe(2);

    const history = await api.importJob.list({ projectId: project.id });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ id: job.id, status: "SUCCEEDED", createdBy: admin.name, hasRejectedLines: true });
  });

  it("refuses a job for a project that does not exist, and a job of another project", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    expect(await api.importJob.create({ projectId: "missing", fileName: "f.jsonl", format: "auto", bytesTotal: 1 }).catch((e: unknown) => e)).toMatchObject({ code: "NOT_FOUND" });
    const { project: a } = await makeProject({ items: [], members: [] });
    const { project: b } = await makeProject({ items: [], members: [] });
    const job = await api.importJob.create({ projectId: a.id, fileName: "f.jsonl", format: "auto", bytesTotal: 1 });
    expect(await api.importJob.get({ projectId: b.id, jobId: job.id }).catch((e: unknown) => e)).toMatchObject({ code: "NOT_FOUND" });
  });
});
