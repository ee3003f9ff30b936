// The files and paths a run's trainer reads, made from its database inputs by the worker before the trainer starts:
// snapshot splits, prompt files, registered model directories, the rows a reward model scores. Each kind's entry in
// kinds.ts picks the ones it needs. Everything lands in the run's directory <DATA_DIR>/runs/<runId>/ (the same on
// every attempt, which is what makes resume work).
import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { AppError } from "@/server/errors";
import { db } from "@/server/db";
import type { ModelKind } from "@/server/generated/prisma/client";
import { projectPrompts } from "@/server/services/generation";
import { modelDirOnThisHost, stageSnapshotFile } from "@/server/services/artifacts";

export function runDir(dataDir: string, runId: string): string {
  return path.resolve(dataDir, "runs", runId);
}

interface SnapshotFile {
  name: string;
  split: string;
  bytes?: number;
  sha256?: string;
  rows?: number | null;
}

/** A snapshot's JSONL file of one split, if it has one. */
export function snapshotSplitFile(snapshot: { files: unknown }, split: "train" | "test"): SnapshotFile | undefined {
  const files = (Array.isArray(snapshot.files) ? snapshot.files : []) as unknown as SnapshotFile[];
  return files.find((f) => f.split === split && /\.jsonl(\.gz)?$/.test(f.name));
}

/** The JSONL train (and test) split of a ready snapshot, as paths under <DATA_DIR>/snapshots/<id>/. */
export async function snapshotSplits(dataDir: string, snapshotId: string) {
  const snapshot = await db.snapshot.findUnique({ where: { id: snapshotId } });
  if (!snapshot) throw new AppError("PRECONDITION_FAILED", `snapshot ${snapshotId} no longer exists`);
  if (snapshot.status !== "SUCCEEDED") throw new AppError("PRECONDITION_FAILED", `snapshot "${snapshot.name}" is not ready`);
  const pick = (split: "train" | "test") => snapshotSplitFile(snapshot, split);
  const train = pick("train");
  if (!train) {
    throw new AppError("PRECONDITION_FAILED", `snapshot "${snapshot.name}" v${snapshot.version} has no JSONL train split: export it as JSONL to train on it`);
  }
  const test = pick("test");
  const dir = path.resolve(dataDir, "snapshots", snapshot.id);
  // fetched from the artifact store when this host has no copy (a worker on another machine than the export)
  const stage = (file: SnapshotFile) => stageSnapshotFile(snapshot.id, file, path.join(dir, file.name));
  return {
    snapshot,
    train: await stage(train),
    test: test ? await stage(test) : null,
    /** rows of the test split as recorded when it was written (null: not recorded) */
    testRows: typeof test?.rows === "number" ? test.rows : null,
    sha256: train.sha256 ?? null,
  };
}

/** The distinct prompts of a snapshot's train split, in file order. */
export async function snapshotPrompts(file: string): Promise<{ prompt_id: string | number; prompt: unknown }[]> {
  const seen = new Set<string>();
  const out: { prompt_id: string | number; prompt: unknown }[] = [];
  const rl = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { prompt?: unknown; prompt_id?: string | number };
    const key = row.prompt_id !== undefined ? `id:${row.prompt_id}` : `p:${JSON.stringify(row.prompt)}`;
    if (seen.has(key) || row.prompt === undefined) continue;
    seen.add(key);
    out.push({ prompt_id: row.prompt_id ?? out.length + 1, prompt: row.prompt });
  }
  return out;
}

/**
 * A snapshot's prompts as rows whose prompt_id is the database prompt's id (a snapshot names prompts by content
 * hash), for a generation run whose candidates land in a project. Prompts no longer in the database are left out.
 */
export async function snapshotPromptRows(file: string): Promise<{ prompt_id: string; prompt: unknown }[]> {
  const rows = await snapshotPrompts(file);
  const hashes = rows.map((r) => String(r.prompt_id));
  const prompts = await db.prompt.findMany({ where: { contentHash: { in: hashes } }, select: { id: true, contentHash: true, messages: true } });
  const byHash = new Map(prompts.map((p) => [p.contentHash, p]));
  return hashes.flatMap((h) => {
    const p = byHash.get(h);
    return p ? [{ prompt_id: p.id, prompt: p.messages }] : [];
  });
}

/** The project's prompts as trainer prompt rows {prompt_id, prompt}. */
export async function projectPromptRows(projectId: string): Promise<{ prompt_id: string; prompt: unknown }[]> {
  return (await projectPrompts({ projectId })).map((p) => ({ prompt_id: p.id, prompt: p.messages }));
}

/**
 * Every (prompt, candidate) of the project's items, open or completed, once per candidate even when it appears in
 * several items: the {id, prompt, response} rows `rlhf.score` reads.
 */
export async function projectScoreRows(projectId: string): Promise<{ id: string; prompt: unknown; response: string }[]> {
  const items = await db.item.findMany({
    where: { projectId },
    select: { prompt: { select: { messages: true } }, candidates: { select: { candidate: { select: { id: true, text: true } } } } },
  });
  const rows = new Map<string, { id: string; prompt: unknown; response: string }>();
  for (const item of items) {
    for (const { candidate } of item.candidates) rows.set(candidate.id, { id: candidate.id, prompt: item.prompt.messages, response: candidate.text });
  }
  return [...rows.values()];
}

export async function writeJsonl(file: string, rows: unknown[]): Promise<void> {
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n", "utf8");
}

/**
 * A model the run was launched with, still in the registry and of the kind it was chosen as, with `path` where its
 * directory is on this host (fetched from the artifact store into `dataDir` when it is stored there).
 */
export async function registeredModel(id: string, kind: ModelKind, role: string, dataDir: string) {
  const model = await db.model.findUnique({ where: { id } });
  if (!model || model.kind !== kind) throw new AppError("PRECONDITION_FAILED", `the ${role} (${id}) is not in the model registry`);
  return { ...model, path: await modelDirOnThisHost(model, dataDir) };
}
