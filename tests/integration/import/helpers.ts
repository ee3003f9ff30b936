// Shared by the importer's integration tests: a fresh project per test, fixtures made unique per test with a tag
// (prompts are shared across projects by content, so each test counts only the rows carrying its own tag).
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { db } from "@/server/db";
import type { TaskType } from "@/server/generated/prisma/client";
import { pool } from "@/server/pg";

export function newTag(): string {
  return `t${randomBytes(6).toString("hex")}`;
}

export async function makeProject(taskType: TaskType = "PAIRWISE") {
  const slug = `import-${randomBytes(5).toString("hex")}`;
  return db.project.create({ data: { name: slug, slug, taskType } });
}

export function fixture(name: string, tag: string): string {
  return readFileSync(path.resolve(__dirname, "../../fixtures/import", name), "utf8").replaceAll("{{tag}}", tag);
}

export function streamOf(content: string | Buffer, chunkSize = 7): Readable {
  // small chunks: line splitting across chunk boundaries is part of what is tested
  const buf = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkSize) chunks.push(buf.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

export interface RowCounts {
  prompts: number;
  candidates: number;
  items: number;
  itemCandidates: number;
}

/** Rows written for `tag` (prompts, candidates) and for the project (items, their candidate links). */
export async function countRows(tag: string, projectId: string): Promise<RowCounts> {
  const { rows } = await pool().query<RowCounts>(
    `SELECT
      (SELECT count(*) FROM "Prompt" WHERE messages::text LIKE '%' || $1 || '%')::int AS prompts,
      (SELECT count(*) FROM "Candidate" WHERE text LIKE '%' || $1 || '%')::int AS candidates,
      (SELECT count(*) FROM "Item" WHERE "projectId" = $2)::int AS items,
      (SELECT count(*) FROM "ItemCandidate" ic JOIN "Item" i ON i.id = ic."itemId" WHERE i."projectId" = $2)::int AS "itemCandidates"`,
    [tag, projectId],
  );
  return rows[0];
}

export const NOTHING: RowCounts = { prompts: 0, candidates: 0, items: 0, itemCandidates: 0 };

/** Items of a project with their candidates in position order and the gold ranking as texts. */
export async function itemsOf(projectId: string) {
  const items = await db.item.findMany({
    where: { projectId },
    include: { candidates: { include: { candidate: true }, orderBy: { position: "asc" } }, prompt: true },
    orderBy: { createdAt: "asc" },
  });
  return items.map((it) => {
    const textOf = new Map(it.candidates.map((c) => [c.candidate.id, c.candidate.text]));
    return {
      messages: it.prompt.messages as { role: string; content: string }[],
      source: it.prompt.source,
      promptMetadata: it.prompt.metadata,
      priority: it.priority,
      isGold: it.isGold,
      texts: it.candidates.map((c) => c.candidate.text),
      models: it.candidates.map((c) => c.candidate.model),
      gold: (it.goldRanking as string[][] | null)?.map((g) => g.map((id) => textOf.get(id))) ?? null,
    };
  });
}

/** The content of a rejected-lines file, removed afterwards so test runs leave nothing under DATA_DIR. */
export function takeFile(file: string | null): string {
  if (!file) throw new Error("expected a rejected-lines file");
  const text = readFileSync(file, "utf8");
  rmSync(file);
  return text;
}
