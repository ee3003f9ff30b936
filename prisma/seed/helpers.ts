// Seed helpers shared by `npm run db:seed` and the tests: users, projects, and items built from prompts and
// candidates with the same content hashing as the importer, so seeding twice changes nothing.
import { hash } from "@node-rs/argon2";
import type { Prisma, PrismaClient, Role } from "@/server/generated/prisma/client";
import { candidateHash, itemKey, promptHash, type Message } from "@/server/services/hashing";

export async function upsertUser(
  db: PrismaClient,
  opts: { email: string; name: string; password?: string; role: Role; active?: boolean },
): Promise<{ id: string; created: boolean }> {
  const email = opts.email.toLowerCase();
  const existing = await db.user.findUnique({ where: { email } });
  if (existing) return { id: existing.id, created: false };
  const user = await db.user.create({
    data: {
      email,
      name: opts.name,
      role: opts.role,
      active: opts.active ?? true,
      passwordHash: opts.password ? await hash(opts.password) : null,
    },
  });
  return { id: user.id, created: true };
}

export async function upsertProject(
  db: PrismaClient,
  data: Omit<Prisma.ProjectCreateInput, "criteria"> & { criteria?: { key: string; label: string; description: string }[] },
) {
  const existing = await db.project.findUnique({ where: { slug: data.slug } });
  if (existing) return existing;
  return db.project.create({ data: { ...data, criteria: data.criteria ?? [] } });
}

export async function addMembers(db: PrismaClient, projectId: string, userIds: string[]): Promise<void> {
  await db.projectMember.createMany({ data: userIds.map((userId) => ({ projectId, userId })), skipDuplicates: true });
}

export interface SeedItem {
  messages: Message[];
  candidates: { text: string; model?: string | null }[];
  priority?: number;
  isGold?: boolean;
  /** gold answer as ordered groups of candidate indexes */
  goldRanking?: number[][];
  /** gold answer of a rating item */
  goldThumbs?: boolean;
  source?: string;
}

/** Creates (or reuses) prompts, candidates and items; returns the item ids in input order. */
export async function addItems(db: PrismaClient, projectId: string, items: SeedItem[]): Promise<string[]> {
  const ids: string[] = [];
  for (const it of items) {
    const pHash = promptHash(it.messages);
    const prompt = await db.prompt.upsert({
      where: { contentHash: pHash },
      update: {},
      create: { messages: it.messages as unknown as Prisma.InputJsonValue, contentHash: pHash, source: it.source ?? "seed" },
    });
    const candidateIds: string[] = [];
    const hashes: string[] = [];
    for (const c of it.candidates) {
      const cHash = candidateHash(c.text);
      hashes.push(cHash);
      const cand = await db.candidate.upsert({
        where: { promptId_contentHash: { promptId: prompt.id, contentHash: cHash } },
        update: {},
        create: { promptId: prompt.id, text: c.text, model: c.model ?? null, contentHash: cHash },
      });
      candidateIds.push(cand.id);
    }
    const key = itemKey(pHash, hashes);
    const existing = await db.item.findUnique({ where: { projectId_itemKey: { projectId, itemKey: key } } });
    if (existing) {
      ids.push(existing.id);
      continue;
    }
    const item = await db.item.create({
      data: {
        projectId,
        promptId: prompt.id,
        itemKey: key,
        priority: it.priority ?? 0,
        isGold: it.isGold ?? false,
        goldRanking: it.goldRanking ? it.goldRanking.map((g) => g.map((i) => candidateIds[i])) : undefined,
        goldThumbs: it.goldThumbs,
        candidates: { create: candidateIds.map((candidateId, position) => ({ candidateId, position })) },
      },
    });
    ids.push(item.id);
  }
  return ids;
}
