import fs from "node:fs";
import path from "node:path";
import { hash } from "@node-rs/argon2";
import { expect, type Page } from "@playwright/test";
import pg from "pg";

/** The e2e database (created by scripts/e2e-server.ts), for asserting what the product stored. */
export async function withDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = fs.readFileSync(path.resolve(".data", "e2e", "database-url"), "utf8").trim();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export const ADMIN = { email: "admin@demo.local", password: "demo-admin-pass" };
export const ANNOTATOR = { email: "annotator@demo.local", password: "demo-annotator-pass" };

export async function signIn(page: Page, who: { email: string; password: string }, callbackUrl = "/annotate") {
  await page.goto(`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("whoami")).toBeVisible();
}

/**
 * A person of their own for a spec that signs out or changes passwords (which end every session of the account, so
 * the shared demo logins must not be used for it). Straight in the database, like createProject.
 */
export async function createUser(role: "ADMIN" | "ANNOTATOR" = "ANNOTATOR"): Promise<{ id: string; email: string; password: string; name: string }> {
  const tag = Math.random().toString(36).slice(2, 10);
  const user = { id: `usr${tag}`, email: `e2e-${tag}@test.local`, password: `password of ${tag}`, name: `E2E ${tag}` };
  await withDb((db) =>
    hash(user.password).then((passwordHash) =>
      db.query(`INSERT INTO "User"(id, email, name, role, "passwordHash", "updatedAt") VALUES ($1, $2, $3, $4, $5, now())`, [user.id, user.email, user.name, role, passwordHash]),
    ),
  );
  return user;
}

/**
 * Creates a project straight in the database for a spec (raw SQL: the specs run outside the app's module
 * graph), with the demo annotator as a member. Returns the slug.
 */
export async function createProject(opts: {
  taskType: "PAIRWISE" | "RANKING" | "RATING" | "DEMONSTRATION";
  /** `key`, when given, is the prompt's content hash (else one from the random slug): fixes the export order */
  items: { prompt: string; candidates: string[]; key?: string }[];
  allowTies?: boolean;
  criteria?: { key: string; label: string; description: string; scale?: unknown }[];
  requireRationale?: boolean;
  thumbs?: boolean;
  editsAsPreference?: boolean;
}): Promise<string> {
  const slug = `e2e-${Math.random().toString(36).slice(2, 10)}`;
  await withDb(async (db) => {
    const id = (p: string) => `${p}${Math.random().toString(36).slice(2, 14)}`;
    const projectId = id("prj");
    await db.query(
      `INSERT INTO "Project"(id, name, slug, "taskType", "allowTies", criteria, "requireRationale", thumbs, "editsAsPreference", "updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())`,
      [projectId, `E2E ${slug}`, slug, opts.taskType, opts.allowTies ?? true, JSON.stringify(opts.criteria ?? []), opts.requireRationale ?? false, opts.thumbs ?? true, opts.editsAsPreference ?? false],
    );
    await db.query(
      `INSERT INTO "ProjectMember"("projectId", "userId") SELECT $1, id FROM "User" WHERE email = ANY($2)`,
      [projectId, [ANNOTATOR.email, ADMIN.email]],
    );
    for (const [i, it] of opts.items.entries()) {
      const promptId = id("pr");
      await db.query(`INSERT INTO "Prompt"(id, messages, "contentHash") VALUES ($1, $2, $3)`, [
        promptId,
        JSON.stringify([{ role: "user", content: it.prompt }]),
        it.key ?? `${slug}-${i}`,
      ]);
      const itemId = id("it");
      // created in order, a second apart: the queue serves the oldest first, so items come up in the order given
      await db.query(`INSERT INTO "Item"(id, "projectId", "promptId", "itemKey", "createdAt") VALUES ($1, $2, $3, $4, now() - make_interval(secs => $5))`, [itemId, projectId, promptId, `${slug}-${i}`, opts.items.length - i]);
      for (const [j, text] of it.candidates.entries()) {
        const cid = id("c");
        await db.query(`INSERT INTO "Candidate"(id, "promptId", text, model, "contentHash") VALUES ($1, $2, $3, $4, $5)`, [cid, promptId, text, `m${j}`, `${slug}-${i}-${j}`]);
        await db.query(`INSERT INTO "ItemCandidate"("itemId", "candidateId", position) VALUES ($1, $2, $3)`, [itemId, cid, j]);
      }
    }
  });
  return slug;
}

/** Judgements straight in the database: ten items of the project, first candidate preferred. */
export async function judge(slug: string) {
  await withDb(async (db) => {
    await db.query(
      `WITH picked AS (
         SELECT i.id AS item_id, i."projectId", i."promptId",
                (SELECT array_agg(ic."candidateId" ORDER BY ic.position) FROM "ItemCandidate" ic WHERE ic."itemId" = i.id) AS c
           FROM "Item" i JOIN "Project" p ON p.id = i."projectId" WHERE p.slug = $1 ORDER BY i.id LIMIT 10),
       ann AS (
         INSERT INTO "Annotation"(id, "submissionId", "itemId", "projectId", "userId", ranking, strength, "timeSpentMs", flags, "updatedAt")
         SELECT 'e2e-' || item_id, gen_random_uuid()::text, item_id, "projectId", (SELECT id FROM "User" WHERE email = $2),
                json_build_array(json_build_array(c[1]), json_build_array(c[2])), 'BETTER', 1000, '{}', now()
           FROM picked RETURNING id, "itemId", "projectId", "userId")
       INSERT INTO "Comparison"("annotationId", "projectId", "itemId", "promptId", "userId", "chosenId", "rejectedId", margin)
       SELECT ann.id, ann."projectId", ann."itemId", picked."promptId", ann."userId", picked.c[1], picked.c[2], 2
         FROM ann JOIN picked ON picked.item_id = ann."itemId"`,
      [slug, ANNOTATOR.email],
    );
  });
}

export async function annotationCount(email: string, slug?: string): Promise<number> {
  return withDb(async (db) => {
    const res = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM "Annotation" a JOIN "User" u ON u.id = a."userId" JOIN "Project" p ON p.id = a."projectId"
        WHERE u.email = $1 AND ($2::text IS NULL OR p.slug = $2)`,
      [email, slug ?? null],
    );
    return Number(res.rows[0].n);
  });
}
