// The demo data set: two users and two projects. Only for demos and first runs: the passwords are public.
import type { PrismaClient } from "@/server/generated/prisma/client";
import { addItems, addMembers, upsertProject, upsertUser } from "./helpers";
import { pairwisePrompts, rankingPrompts } from "./demo-data";

export const DEMO_ADMIN = { email: "admin@demo.local", password: "demo-admin-pass", name: "Demo Admin" } as const;
export const DEMO_ANNOTATOR = { email: "annotator@demo.local", password: "demo-annotator-pass", name: "Demo Annotator" } as const;

const GUIDELINES = `# How to judge

Pick the response a careful expert would rather send.

1. **Correctness first.** A confident wrong answer is worse than a hedged right one.
2. **Helpfulness.** Does it answer what was asked, at the right length?
3. **Harmlessness.** Requests for dangerous help should be declined *politely*, with a safe alternative.
4. **Honesty.** No invented facts, sources or capabilities.

Use **Tie** only when you truly cannot prefer one. Flag anything unsafe or containing personal data.
`;

export async function seedDemo(db: PrismaClient): Promise<{ created: boolean }> {
  const admin = await upsertUser(db, { ...DEMO_ADMIN, role: "ADMIN" });
  const annotator = await upsertUser(db, { ...DEMO_ANNOTATOR, role: "ANNOTATOR" });
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
    overlap: 1,
  });
  const ranking = await upsertProject(db, {
    name: "Best of four (ranking)",
    slug: "demo-ranking",
    guidelines: GUIDELINES,
    taskType: "RANKING",
    overlap: 2,
  });
  await addMembers(db, pairwise.id, [annotator.id, admin.id]);
  await addMembers(db, ranking.id, [annotator.id, admin.id]);
  await addItems(db, pairwise.id, pairwisePrompts.map((p) => ({ messages: p.messages, candidates: p.candidates, source: `demo/${p.category}` })));
  await addItems(db, ranking.id, rankingPrompts.map((p) => ({ messages: p.messages, candidates: p.candidates, source: `demo/${p.category}` })));
  return { created: admin.created };
}
