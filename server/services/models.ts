// The model registry (reward models and policies with their lineage) and the reward model in the annotation loop:
// the scores a SCORE run (runs/kinds.ts) writes onto a project's items, and the model's agreement with human
// judgements.
import { randomUUID } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { AppError, parseOrThrow } from "@/server/errors";
import { db, type Tx } from "@/server/db";
import * as audit from "@/server/services/audit";
import { modelPathProblemOnDisk } from "@/server/services/model-paths";
import { publishModelDir } from "@/server/services/artifacts";
import { env } from "@/server/env";
import { Prisma, type Model, type TrainingRun } from "@/server/generated/prisma/client";
import { baseModelInput, type BaseModelInput } from "@/server/schemas/model";

/** What a trainer's `done` event reported. */
export interface DoneReport {
  modelPath: string;
  /** where the worker uploaded it in the artifact store (null/absent without one) and its directory digest */
  storeKey?: string | null;
  sha256?: string;
  metrics: Record<string, number>;
}

/**
 * The model a succeeded REWARD, PPO, GRPO, RLOO or DPO run produced, registered inside the transaction that marks the run
 * SUCCEEDED. Lineage: a reward model points at its snapshot; a policy at the reward model it was trained against
 * (rewardModelId) and the policy it started from (parentId), so the chain policy ← PPO run ← reward model ←
 * snapshot can be walked from either end.
 */
export async function registerRewardModel(tx: Tx, run: TrainingRun, done: DoneReport): Promise<Model> {
  const { backend, base } = modelOrigin(run);
  return tx.model.create({
    data: {
      name: run.name,
      kind: "REWARD",
      backend,
      baseModel: base ?? (backend === "tiny" ? "tiny (from scratch)" : null),
      path: done.modelPath,
      storeKey: done.storeKey ?? null,
      sha256: done.sha256 ?? null,
      metrics: done.metrics,
      runId: run.id,
      snapshotId: run.snapshotId,
    },
  });
}

export async function registerPolicy(tx: Tx, run: TrainingRun, done: DoneReport): Promise<Model> {
  const { backend, base } = modelOrigin(run);
  const config = run.config as Record<string, unknown>;
  const parentId = typeof config.policy_model_id === "string" ? config.policy_model_id : null;
  const parent = parentId ? await tx.model.findUnique({ where: { id: parentId } }) : null;
  return tx.model.create({
    data: {
      name: run.name,
      kind: "POLICY",
      backend,
      baseModel: parent?.baseModel ?? base ?? (backend === "tiny" ? "tiny (from scratch)" : null),
      path: done.modelPath,
      storeKey: done.storeKey ?? null,
      sha256: done.sha256 ?? null,
      metrics: done.metrics,
      runId: run.id,
      snapshotId: run.snapshotId,
      rewardModelId: run.modelId,
      parentId,
    },
  });
}

function modelOrigin(run: TrainingRun): { backend: string; base: string | null } {
  const config = run.config as Record<string, unknown>;
  return {
    backend: typeof config.backend === "string" ? config.backend : "tiny",
    base: typeof config.model_path === "string" ? config.model_path : null,
  };
}

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = JSON.parse(await readFile(file, "utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new AppError("BAD_REQUEST", `${path.basename(file)} is not valid JSON`, [{ field: "path", message: `${path.basename(file)}: not valid JSON` }]);
  }
}

const exists = (file: string) => stat(file).then(() => true, () => false);

/**
 * What a model directory is, as the trainer will read it (trainer/rlhf/backends.py detect_backend, hf.HFTokenizer):
 * a tiny directory (config.json with "backend": "tiny"; byte tokenizer and chat template built in) or a Hugging Face
 * one (config.json, safetensors weights, a tokenizer, and normally a chat template in tokenizer_config.json or
 * chat_template.jinja / chat_template.json).
 */
export async function inspectModelDirectory(dir: string): Promise<{ backend: "tiny" | "hf"; chatTemplate: boolean; architecture: string | null }> {
  const bad = (message: string): never => {
    throw new AppError("BAD_REQUEST", `${dir}: ${message}`, [{ field: "path", message }]);
  };
  const config = await readJson(path.join(dir, "config.json"));
  if (!config) return bad("no config.json: not a model directory");
  if (config.backend === "tiny") {
    if (!(await exists(path.join(dir, "model.pt")))) bad("a tiny model directory needs its model.pt");
    return { backend: "tiny", chatTemplate: true, architecture: "tiny" };
  }
  const files = await readdir(dir);
  if (!files.some((f) => f.endsWith(".safetensors") || f === "model.safetensors.index.json")) {
    bad("no safetensors weights (the trainer loads Hugging Face weights from safetensors only)");
  }
  if (!files.some((f) => ["tokenizer.json", "tokenizer.model", "vocab.json", "spiece.model"].includes(f))) {
    bad("no tokenizer (tokenizer.json, tokenizer.model or vocab.json)");
  }
  const tokenizerConfig = await readJson(path.join(dir, "tokenizer_config.json"));
  const chatTemplate = typeof tokenizerConfig?.chat_template === "string" || Array.isArray(tokenizerConfig?.chat_template) ||
    files.includes("chat_template.jinja") || files.includes("chat_template.json");
  const architectures = Array.isArray(config.architectures) ? config.architectures.filter((a): a is string => typeof a === "string") : [];
  return { backend: "hf", chatTemplate, architecture: architectures[0] ?? (typeof config.model_type === "string" ? config.model_type : null) };
}

/**
 * A base policy from a directory on disk (a downloaded Hugging Face checkpoint, or a tiny model), so runs start from
 * the registry instead of a typed path. The directory must lie under a model folder, symlinks resolved.
 */
export async function registerBaseModel(options: { input: BaseModelInput; actorId: string | null; roots?: string[] }): Promise<Model> {
  const input = parseOrThrow(baseModelInput, options.input, { what: "Invalid model" });
  const dir = path.resolve(input.path);
  const problem = await modelPathProblemOnDisk(dir, options.roots);
  if (problem) throw new AppError("BAD_REQUEST", `${input.path} ${problem}`, [{ field: "path", message: problem }]);
  const found = await inspectModelDirectory(dir);
  if (!found.chatTemplate && !input.allowNoChatTemplate) {
    throw new AppError(
      "BAD_REQUEST",
      `${input.path}: the tokenizer has no chat template (tokenizer_config.json has no chat_template, and there is no chat_template.jinja): prompts would be rendered as plain "role: content" text. Add the template, or register it anyway`,
      [{ field: "allowNoChatTemplate", message: "no chat template" }],
    );
  }
  // its digest, and with an artifact store its upload (multipart), so workers on other hosts can fetch it
  const stored = await publishModelDir({ dir, dataDir: env.DATA_DIR, key: `models/${randomUUID()}` });
  return db.$transaction(async (tx) => {
    const model = await tx.model.create({
      data: { name: input.name, kind: "POLICY", backend: found.backend, baseModel: found.architecture ?? path.basename(dir), path: dir, chatTemplate: found.chatTemplate, ...stored },
    });
    await audit.record({ actorId: options.actorId, action: "model.register", targetType: "model", targetId: model.id, after: { name: model.name, path: dir, backend: found.backend, chatTemplate: found.chatTemplate, ...stored } }, tx);
    return model;
  });
}

export async function listModels(options: { kind?: "REWARD" | "POLICY" } = {}) {
  return db.model.findMany({
    where: { kind: options.kind },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    include: { run: { select: { id: true, name: true, kind: true, status: true, snapshotId: true } } },
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

/** The smallest gap between any two candidates' scores: small = the model cannot tell them apart. */
export function smallestGap(scores: number[]): number | null {
  if (scores.length < 2) return null;
  const sorted = [...scores].sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < sorted.length; i++) gap = Math.min(gap, sorted[i] - sorted[i - 1]);
  return gap;
}

/**
 * Writes a reward model's scores onto the project's items (Item.rmScores, and Item.rmScoreGap, which orders the
 * queue by uncertainty when the project asks for it): every item, open or completed, whose candidates all have a
 * score. Completed items are what the agreement with the annotators is measured on. One statement, whatever the
 * project's size. `scores` maps candidate id → score (what a SCORE run's `rlhf.score` wrote).
 */
export async function applyRmScores(
  tx: Tx,
  options: { projectId: string; modelId: string; scores: Map<string, number> },
): Promise<{ items: number; candidates: number }> {
  const items = await tx.item.findMany({
    where: { projectId: options.projectId },
    select: { id: true, candidates: { select: { candidateId: true } } },
  });
  const ids: string[] = [];
  const values: string[] = [];
  const gaps: (number | null)[] = [];
  const used = new Set<string>();
  for (const item of items) {
    const own: Record<string, number> = {};
    for (const { candidateId } of item.candidates) {
      const s = options.scores.get(candidateId);
      if (s !== undefined) own[candidateId] = s;
    }
    if (item.candidates.length === 0 || Object.keys(own).length < item.candidates.length) continue;
    for (const id of Object.keys(own)) used.add(id);
    ids.push(item.id);
    values.push(JSON.stringify({ modelId: options.modelId, scores: own } satisfies RmScores));
    gaps.push(smallestGap(Object.values(own)));
  }
  if (ids.length > 0) {
    await tx.$executeRaw`
      UPDATE "Item" i SET "rmScores" = v.scores, "rmScoreGap" = v.gap
        FROM unnest(${ids}::text[], ${values}::text[]::jsonb[], ${gaps}::float8[]) AS v(id, scores, gap)
       WHERE i.id = v.id`;
  }
  return { items: ids.length, candidates: used.size };
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
