// The demo data set: two people who can sign in, three demo raters who cannot, and two projects. Only for demos:
// the passwords are public. In "Helpful & harmless (pairwise)" the raters have already judged about twenty prompts
// and some gold items, so the analytics page shows agreement, gold accuracy and a leaderboard from the start;
// the rest of its prompts, and all of the ranking project, are left open for whoever tries the demo.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@/server/generated/prisma/client";
import { submit } from "@/server/services/annotation/judgement";
import { next } from "@/server/services/annotation/queue";
import { DEMO_ADMIN, DEMO_ANNOTATOR } from "./demo-accounts";
import { addItems, addMembers, upsertProject, upsertUser } from "./helpers";
import { pairwisePrompts, rankingPrompts, type DemoPrompt } from "./demo-data";


/**
 * Demo raters: no password, so nobody signs in as them. `accuracy` is how often each picks the better response,
 * so the analytics page has a careful, an average and a sloppy annotator to tell apart.
 */
const DEMO_RATERS = [
  { email: "ada.rater@demo.local", name: "Ada (demo rater)", accuracy: 0.95 },
  { email: "ben.rater@demo.local", name: "Ben (demo rater)", accuracy: 0.85 },
  { email: "cleo.rater@demo.local", name: "Cleo (demo rater)", accuracy: 0.55 },
] as const;

const GUIDELINES = `# How to judge

Pick the response a careful expert would rather send.

1. **Correctness first.** A confident wrong answer is worse than a hedged right one.
2. **Helpfulness.** Does it answer what was asked, at the right length?
3. **Harmlessness.** Requests for dangerous help should be declined *politely*, with a safe alternative.
4. **Honesty.** No invented facts, sources or capabilities.

Use **Tie** only when you truly cannot prefer one. Flag anything unsafe or containing personal data.
`;

const HOUR_MS = 3600_000;

/** A small seeded generator (LCG), so every demo install holds the same judgements. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function seedItem(p: DemoPrompt) {
  return {
    messages: p.messages,
    candidates: p.candidates,
    source: `demo/${p.category}`,
    // the raters' prompts come first in the queue, so they are the ones already judged
    priority: p.better === undefined ? 0 : 1,
    isGold: p.gold ?? false,
    goldRanking: p.gold && p.better !== undefined ? [[p.better], [1 - p.better]] : undefined,
  };
}

/**
 * The raters judge through the real queue (claim, submit), as annotators would: each takes the prioritised prompts
 * in turn, with gold interleaved at the project's gold rate. Their judgements are then spread over the last day and
 * a half, so the hourly chart and the pace look like a project under way.
 */
async function judgeAsRaters(db: PrismaClient, project: { id: string; slug: string }, raterIds: string[]): Promise<void> {
  const byText = new Map<string, { prompt: DemoPrompt; index: number }>();
  for (const prompt of pairwisePrompts) prompt.candidates.forEach((c, index) => byText.set(c.text, { prompt, index }));
  const toJudge = pairwisePrompts.filter((p) => p.better !== undefined && !p.gold).length;
  const random = rng(20261201);
  for (const [r, userId] of raterIds.entries()) {
    let judged = 0;
    while (judged < toJudge) {
      const { item } = await next({ slug: project.slug, userId, isAdmin: false });
      if (!item) break;
      const [a, b] = item.candidates;
      const known = byText.get(a.text)!;
      const right = random() < DEMO_RATERS[r].accuracy;
      const aIsBetter = known.index === known.prompt.better;
      // a rater who gets it right picks the better response, one who does not the other
      const [chosen, rejected] = aIsBetter === right ? [a, b] : [b, a];
      const strength = random() < 0.3 ? "MUCH_BETTER" : random() < 0.7 ? "BETTER" : "SLIGHTLY_BETTER";
      await submit({
        userId,
        input: {
          submissionId: randomUUID(),
          assignmentId: item.assignmentId,
          ranking: [[chosen.id], [rejected.id]],
          strength,
          bothBad: false,
          ratings: {},
          rationale: "",
          flags: [],
          flagNote: "",
          timeSpentMs: Math.round(20_000 + random() * 70_000),
        },
      });
      if (!known.prompt.gold) judged++;
    }
  }
  const rows = await db.annotation.findMany({ where: { projectId: project.id }, select: { id: true }, orderBy: { createdAt: "asc" } });
  for (const [i, row] of rows.entries()) {
    const at = new Date(Date.now() - 36 * HOUR_MS + (i * 35 * HOUR_MS) / rows.length);
    await db.annotation.update({ where: { id: row.id }, data: { createdAt: at, updatedAt: at } });
  }
}

export async function seedDemo(db: PrismaClient): Promise<{ created: boolean }> {
  const admin = await upsertUser(db, { ...DEMO_ADMIN, role: "ADMIN" });
  const annotator = await upsertUser(db, { ...DEMO_ANNOTATOR, role: "ANNOTATOR" });
  const raters = [];
  for (const r of DEMO_RATERS) raters.push(await upsertUser(db, { email: r.email, name: r.name, role: "ANNOTATOR" }));
  const pairwise = await upsertProject(db, {
    name: "Helpful & harmless (pairwise)",
    slug: "demo-pairwise",
    guidelines: GUIDELINES,
    taskType: "PAIRWISE",
    criteria: [
      { key: "helpfulness", label: "Helpfulness", description: "Answers the request well" },
      { key: "harmlessness", label: "Harmlessness", description: "Avoids dangerous or hurtful content" },
      { key: "honesty", label: "Honesty", description: "Accurate, no fabrication" },
    ],
    // three judgements per prompt, so agreement can be measured; one gold item in five
    overlap: 3,
    goldRate: 0.2,
  });
  const ranking = await upsertProject(db, {
    name: "Best of four (ranking)",
    slug: "demo-ranking",
    guidelines: GUIDELINES,
    taskType: "RANKING",
    overlap: 2,
  });
  await addMembers(db, pairwise.id, [annotator.id, admin.id, ...raters.map((r) => r.id)]);
  await addMembers(db, ranking.id, [annotator.id, admin.id]);
  await addItems(db, pairwise.id, pairwisePrompts.map(seedItem));
  await addItems(db, ranking.id, rankingPrompts.map(seedItem));
  if (admin.created) await judgeAsRaters(db, pairwise, raters.map((r) => r.id));
  return { created: admin.created };
}
