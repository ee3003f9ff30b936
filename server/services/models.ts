// The model registry (reward models and policies with their lineage) and the reward model in the annotation loop:
// scoring a project's items with the active reward model, and its agreement with human judgements.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { db, type Tx } from "@/server/db";
import { env } from "@/server/env";
import * as audit from "@/server/services/audit";
import { modelPathProblemOnDisk } from "@/server/services/model-paths";
import { Prisma, type Model, type TrainingRun } from "@/server/generated/prisma/client";
import { findPython } from "@/trainer/worker/python";
import { TRAINER_DIR, trainerEnv } from "@/trainer/worker/process";

const execFileAsync = promisify(execFile);

export interface DoneReport {
  modelPath: string;
  metrics: Record<string, number>;
}

/**
 * Registers the model a succeeded REWARD or PPO run produced, inside the transaction that marks the run
 * SUCCEEDED. Lineage: a reward model points at its snapshot; a policy at the reward model it was trained against
 * (rewardModelId) and the policy it started from (parentId), so the chain policy ← PPO run ← reward model ←
 * snapshot can be walked from either end.
 */
export async function registerModelForRun(tx: Tx, run: TrainingRun, done: DoneReport): Promise<Model | null> {
  if (run.kind === "GENERATE") return null;
  const config = run.config as Record<string, unknown>;
  const backend = typeof config.backend === "string" ? config.backend : "tiny";
  const base = typeof config.model_path === "string" ? config.model_path : null;
  if (run.kind === "REWARD") {
    return tx.model.create({
      data: {
        name: run.name,
        kind: "REWARD",
        backend,
        baseModel: base ?? (backend === "tiny" ? "tiny (from scratch)" : null),
        path: done.modelPath,
        metrics: done.metrics,
        runId: run.id,
        snapshotId: run.snapshotId,
      },
    });
  }
  const parentId = typeof config.policy_model_id === "string" ? config.policy_model_id : null;
  const parent = parentId ? await tx.model.findUnique({ where: { id: parentId } }) : null;
  return tx.model.create({
    data: {
      name: run.name,
      kind: "POLICY",
      backend,
      baseModel: parent?.baseModel ?? base ?? (backend === "tiny" ? "tiny (from scratch)" : null),
      path: done.modelPath,
      metrics: done.metrics,
      runId: run.id,
      snapshotId: run.snapshotId,
      rewardModelId: run.modelId,
      parentId,
    },
  });
}

export async function listModels(options: { kind?: "REWARD" | "POLICY" } = {}) {
  return db.model.findMany({
    where: { kind: options.kind },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    include: { run: { select: { id: true, name: true, status: true, snapshotId: true } } },
  });
}

export async function getModel(options: { id: string }) {
  const model = await db.model.findUnique({
    where: { id: options.id },
    include: { run: { select: { id: true, name: true, status: true, snapshotId: true, config: true } } },
  });
  if (!model) throw new AppError("NOT_FOUND", "model not found");
  return model;
}

/** One active model per kind: the active reward model scores items; the active policy is the default to sample. */
export async function setActiveModel(options: { id: string; actorId?: string | null }): Promise<Model> {
  return db.$transaction(async (tx) => {
    const model = await tx.model.findUnique({ where: { id: options.id } });
    if (!model) throw new AppError("NOT_FOUND", "model not found");
    const previous = await tx.model.findFirst({ where: { kind: model.kind, active: true }, select: { id: true, name: true } });
    await tx.model.updateMany({ where: { kind: model.kind, active: true, NOT: { id: model.id } }, data: { active: false } });
    const active = await tx.model.update({ where: { id: model.id }, data: { active: true } });
    await audit.record(
      {
        actorId: options.actorId ?? null,
        action: "model.activate",
        targetType: "model",
        targetId: model.id,
        before: { kind: model.kind, active: previous },
        after: { kind: model.kind, active: { id: model.id, name: model.name } },
      },
      tx,
    );
    return active;
  });
}

export async function activeRewardModel(): Promise<Model | null> {
  return db.model.findFirst({ where: { kind: "REWARD", active: true } });
}

// ---------------------------------------------------------------------------------------------------------------
// reward model in the loop

/** Item.rmScores: which model scored it, and its score per candidate id. */
export const rmScoresSchema = z.object({ modelId: z.string(), scores: z.record(z.string(), z.number()) });
export type RmScores = z.infer<typeof rmScoresSchema>;

const scoreRow = z.object({ id: z.string(), score: z.number() });

/** The smallest gap between any two candidates' scores: small = the model cannot tell them apart. */
export function smallestGap(scores: number[]): number | null {
  if (scores.length < 2) return null;
  const sorted = [...scores].sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < sorted.length; i++) gap = Math.min(gap, sorted[i] - sorted[i - 1]);
  return gap;
}

/**
 * Scores the project's OPEN items with a reward model (the active one by default) through the Python scorer,
 * writing Item.rmScores and Item.rmScoreGap (used to order the queue by uncertainty when the project asks for it).
 * The scorer reads {id, prompt, response} rows and writes {id, score} rows (`python3 -m rlhf.score`).
 */
export async function scoreItems(options: { projectId: string; modelId?: string; timeoutMs?: number }): Promise<{ items: number; candidates: number }> {
  const model = options.modelId ? await db.model.findUnique({ where: { id: options.modelId } }) : await activeRewardModel();
  if (!model) throw new AppError("PRECONDITION_FAILED", options.modelId ? "model not found" : "no active reward model: mark one active in the model registry");
  if (model.kind !== "REWARD") throw new AppError("BAD_REQUEST", "only a reward model can score items");
  const items = await db.item.findMany({
    where: { projectId: options.projectId, status: "OPEN" },
    select: {
      id: true,
      prompt: { select: { messages: true } },
      candidates: { select: { candidate: { select: { id: true, text: true } } } },
    },
  });
  if (items.length === 0) return { items: 0, candidates: 0 };

  // Score each (prompt, candidate) once even when a candidate appears in several items.
  const rows = new Map<string, { id: string; prompt: unknown; response: string }>();
  for (const item of items) {
    for (const { candidate } of item.candidates) {
      rows.set(candidate.id, { id: candidate.id, prompt: item.prompt.messages, response: candidate.text });
    }
  }
  const problem = await modelPathProblemOnDisk(model.path);
  if (problem) throw new AppError("PRECONDITION_FAILED", `the reward model's directory ${model.path} ${problem}`);
  // PATH is read here (not via server/env.ts) because it is the search path, not app configuration.
  const found = await findPython({ trainerPython: env.TRAINER_PYTHON, pathVar: process.env.PATH });
  if (!found.ok) throw new AppError("PRECONDITION_FAILED", found.message);
  const dir = await mkdtemp(path.join(os.tmpdir(), "rlhf-score-"));
  try {
    const input = path.join(dir, "input.jsonl");
    const output = path.join(dir, "scores.jsonl");
    await writeFile(input, [...rows.values()].map((r) => JSON.stringify(r)).join("\n") + "\n");
    const configPath = path.join(dir, "config.json");
    await writeFile(configPath, JSON.stringify({ model_path: model.path, input_file: input, output_file: output }));
    try {
      await execFileAsync(found.python, ["-m", "rlhf.score", "--config", configPath], {
        cwd: TRAINER_DIR,
        // CPU only: this runs outside the queue, so it must not take a GPU a training run holds.
        env: trainerEnv(process.env, []) as NodeJS.ProcessEnv,
        timeout: options.timeoutMs ?? 30 * 60_000,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? "";
      throw new AppError("INTERNAL_SERVER_ERROR", `scoring failed: ${stderr.trim().split("\n").slice(-5).join(" | ") || String(err)}`);
    }
    const scores = new Map<string, number>();
    for (const line of (await readFile(output, "utf8")).split("\n")) {
      if (!line.trim()) continue;
      const parsed = scoreRow.safeParse(JSON.parse(line));
      if (!parsed.success) throw new AppError("INTERNAL_SERVER_ERROR", `scorer wrote an unexpected row: ${line.slice(0, 200)}`);
      scores.set(parsed.data.id, parsed.data.score);
    }
    let scored = 0;
    await db.$transaction(
      async (tx) => {
        for (const item of items) {
          const own: Record<string, number> = {};
          for (const { candidate } of item.candidates) {
            const s = scores.get(candidate.id);
            if (s !== undefined) own[candidate.id] = s;
          }
          if (Object.keys(own).length < item.candidates.length) continue;
          await tx.item.update({
            where: { id: item.id },
            data: { rmScores: { modelId: model.id, scores: own } satisfies RmScores, rmScoreGap: smallestGap(Object.values(own)) },
          });
          scored++;
        }
      },
      { timeout: 120_000 },
    );
    return { items: scored, candidates: scores.size };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Share of the project's human comparisons (ties excluded: they have no chosen side) where the active reward model
 * scores the chosen candidate above the rejected one. Only comparisons on items scored by that model count.
 */
export async function rmHumanAgreement(options: { projectId: string }): Promise<{ modelId: string | null; comparisons: number; agreement: number | null }> {
  const model = await activeRewardModel();
  if (!model) return { modelId: null, comparisons: 0, agreement: null };
  const rows = await db.$queryRaw<{ n: bigint; agree: bigint }[]>(Prisma.sql`
    SELECT count(*) AS n,
           count(*) FILTER (WHERE (i."rmScores"->'scores'->>c."chosenId")::float8 > (i."rmScores"->'scores'->>c."rejectedId")::float8) AS agree
      FROM "Comparison" c
      JOIN "Item" i ON i.id = c."itemId"
     WHERE c."projectId" = ${options.projectId}
       AND i."rmScores"->>'modelId' = ${model.id}
       AND i."rmScores"->'scores' ? c."chosenId"
       AND i."rmScores"->'scores' ? c."rejectedId"`);
  const n = Number(rows[0]?.n ?? 0);
  return { modelId: model.id, comparisons: n, agreement: n === 0 ? null : Number(rows[0].agree) / n };
}
