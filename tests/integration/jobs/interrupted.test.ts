// Imports and snapshot builds run inside a web or CLI process; when it dies mid-job (a restart), the reaper fails the
// job with a message that says so and removes its partial files. Before: the row stayed RUNNING forever and the
// files stayed on disk. Also: two uploads to one import job id both ran; now only one starts it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { pool } from "@/server/pg";
import { AppError } from "@/server/errors";
import { reapInterruptedSnapshots, snapshotDir, SNAPSHOT_INTERRUPTED, getSnapshot } from "@/server/services/export";
import { createImportJob, getImportJob, importFile, IMPORT_INTERRUPTED, reapInterruptedImports } from "@/server/services/import";
import { countRows, makeProject, newTag, NOTHING, streamOf } from "../import/helpers";

const IMPORTER = path.resolve(__dirname, "../../fixtures/jobs/stdin-import.ts");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const row = (tag: string, i: number) => JSON.stringify({ prompt: `${tag} q${i}`, candidates: [{ text: `${tag} a${i}` }, { text: `${tag} b${i}` }] });

describe("an import whose process dies", () => {
  it("keeps a heartbeat while it lives; once dead it is failed with what happened, its partial file removed", async () => {
    const tag = newTag();
    const project = await makeProject();
    const child = spawn(process.execPath, ["--import", "tsx", IMPORTER, project.id], { stdio: ["pipe", "pipe", "inherit"] });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const jobId = ((await lines.next()).value as string).replace(/^job /, "");
      // valid rows, and an invalid one that starts the rejected-lines file; stdin stays open, so the import waits
      child.stdin.write(`${row(tag, 1)}\n{"prompt": "${tag} broken"}\n${row(tag, 2)}\n`);
      const rejected = path.resolve(env.DATA_DIR, "imports", `${jobId}.rejected.jsonl`);
      await until(() => existsSync(rejected), "the rejected-lines file");
      const first = await db.importJob.findUniqueOrThrow({ where: { id: jobId } });
      expect(first.status).toBe("RUNNING");

      // alive: the heartbeat moves on, and the reaper leaves the job alone
      await until(async () => (await db.importJob.findUniqueOrThrow({ where: { id: jobId } })).heartbeatAt! > first.heartbeatAt!, "a heartbeat", 10_000);
      expect(await reapInterruptedImports({ staleSeconds: 3 })).not.toContain(jobId);

      child.kill("SIGKILL");
      await exited;
      await sleep(3_500);
      expect(await reapInterruptedImports({ staleSeconds: 3 })).toContain(jobId);
      const job = await getImportJob({ projectId: project.id, jobId });
      expect(job).toMatchObject({ status: "FAILED", message: IMPORT_INTERRUPTED });
      expect(job.message).toMatch(/interrupted by a restart.*Start it again/);
      expect(job.finishedAt).not.toBeNull();
      expect(existsSync(rejected)).toBe(false);
      // the import's transaction died with its connection
      expect(await countRows(tag, project.id)).toEqual(NOTHING);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("a job left RUNNING from before heartbeats existed is judged by its age", async () => {
    const project = await makeProject();
    const old = await db.importJob.create({
      data: { projectId: project.id, fileName: "old.jsonl", format: "jsonl", status: "RUNNING", createdAt: new Date(Date.now() - 3_600_000) },
    });
    expect(await reapInterruptedImports()).toContain(old.id);
    expect((await getImportJob({ projectId: project.id, jobId: old.id })).status).toBe("FAILED");
  });
});

describe("two uploads to one import job", () => {
  it("only one of them runs; the other is told the import already ran", async () => {
    const tag = newTag();
    const project = await makeProject();
    const { id } = await createImportJob({ projectId: project.id, fileName: "twice.jsonl" });
    const body = `${row(tag, 1)}\n${row(tag, 2)}\n`;
    // The race made certain: the job's row is locked while both uploads look at it, so both see it PENDING and
    // both then wait to start it; the lock is released only once both are waiting.
    const lock = await pool().connect();
    let settled: Promise<PromiseSettledResult<unknown>[]>;
    try {
      await lock.query("BEGIN");
      await lock.query(`SELECT 1 FROM "ImportJob" WHERE id = $1 FOR UPDATE`, [id]);
      settled = Promise.allSettled([
        importFile({ projectId: project.id, jobId: id, stream: streamOf(body) }),
        importFile({ projectId: project.id, jobId: id, stream: streamOf(body) }),
      ]);
      await until(async () => {
        const { rows } = await pool().query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ~ 'UPDATE .*ImportJob' AND datname = current_database()`,
        );
        return rows[0].n === 2;
      }, "both uploads waiting to start the job");
    } finally {
      await lock.query("COMMIT");
      lock.release();
    }
    const results = await settled;
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toBeInstanceOf(AppError);
    expect(refused[0].reason).toMatchObject({ code: "CONFLICT", message: "This import already ran; start a new one." });
    const job = await getImportJob({ projectId: project.id, jobId: id });
    expect(job).toMatchObject({ status: "SUCCEEDED", counts: { items: 2, duplicateItems: 0 } });
  });

  it("a job of another project is not found", async () => {
    const a = await makeProject();
    const b = await makeProject();
    const { id } = await createImportJob({ projectId: a.id, fileName: "x.jsonl" });
    await expect(importFile({ projectId: b.id, jobId: id, stream: streamOf(`${row(newTag(), 1)}\n`) })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("a snapshot build whose process dies", () => {
  async function runningSnapshot(heartbeatAt: Date | null) {
    const snapshot = await db.snapshot.create({
      data: { name: `interrupted-${newTag()}`, version: 1, projectIds: [], definition: {}, status: "RUNNING", salt: "s", heartbeatAt },
    });
    await mkdir(snapshotDir(snapshot.id), { recursive: true });
    await writeFile(path.join(snapshotDir(snapshot.id), "train.jsonl"), '{"partial": tru');
    return snapshot;
  }

  it("is failed with what happened and its partial files are removed; a live one is left alone", async () => {
    const dead = await runningSnapshot(new Date(Date.now() - 120_000));
    const live = await runningSnapshot(new Date());
    const reaped = await reapInterruptedSnapshots();
    expect(reaped).toContain(dead.id);
    expect(reaped).not.toContain(live.id);
    expect(await getSnapshot({ id: dead.id })).toMatchObject({ status: "FAILED", error: SNAPSHOT_INTERRUPTED });
    expect(existsSync(snapshotDir(dead.id))).toBe(false);
    expect((await getSnapshot({ id: live.id })).status).toBe("RUNNING");
    expect(existsSync(snapshotDir(live.id))).toBe(true);
    await db.snapshot.update({ where: { id: live.id }, data: { heartbeatAt: new Date(Date.now() - 120_000) } });
    expect(await reapInterruptedSnapshots()).toContain(live.id);
  });
});
