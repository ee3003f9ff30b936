// The direct path for pairwise JSONL snapshots (server/services/export/pair-lines.ts) must write exactly the bytes
// the general path writes: every eligible definition is built both ways, on the golden fixture and on a project
// whose texts hold everything JSON has to escape, judged through the real annotation service.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSnapshotInput } from "@/server/schemas/export";
import { createSnapshot, snapshotDir, type SnapshotView } from "@/server/services/export";
import { writesPairLines } from "@/server/services/export/pair-lines";
import { snapshotDefinitionSchema } from "@/server/schemas/export";
import { buildFixture, readSnapshotFile, type Fixture } from "@/tests/fixtures/export/fixture";
import { callerFor, makeProject, makeUser } from "../fixtures/annotation";

// Quotes, backslashes, every control character PostgreSQL text can hold, DEL, line and paragraph separators,
// astral-plane emoji, right-to-left text and a combining mark.
const NASTY = `"quoted" \\back\\slash\\ ${Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join("")} \u007f \u2028\u2029 🦜👩‍🔬 שלום e\u0301 </script>`;

let fx: Fixture;
let nasty: { projectId: string };
const created: string[] = [];

beforeAll(async () => {
  fx = await buildFixture();
  const [u1, u2] = [await makeUser(), await makeUser()];
  const { project } = await makeProject({
    members: [u1.id, u2.id],
    overlap: 2,
    criteria: [
      { key: "helpful", label: "Helpful", description: "" },
      { key: "honest", label: "Honest", description: "" },
      { key: "harmless", label: "Harmless", description: "" },
    ],
    items: [
      { messages: [{ role: "user", content: `Echo ${NASTY}` }], candidates: [{ text: `A ${NASTY}`, model: "m1" }, { text: "B\nline two", model: "m2" }] },
      {
        messages: [
          { role: "system", content: `Rules ${NASTY}` },
          { role: "user", content: "Hi\r\n\tthere" },
          { role: "assistant", content: "Hello." },
          { role: "user", content: "And?" },
        ],
        candidates: [{ text: "", model: "m1" }, { text: "\\u0041 is not A", model: null }],
      },
      { messages: [{ role: "system", content: "Only a system turn" }], candidates: [{ text: "x", model: "m1" }, { text: "y", model: "m2" }] },
    ],
  });
  nasty = { projectId: project.id };
  for (const [n, u] of [u1, u2].entries()) {
    for (;;) {
      const { item } = await callerFor(u).annotation.next({ projectSlug: project.slug });
      if (!item) break;
      const [a, b] = item.candidates.map((c) => c.id);
      await callerFor(u).annotation.submit({
        submissionId: crypto.randomUUID(),
        assignmentId: item.assignmentId,
        ranking: n === 0 ? [[a], [b]] : [[b], [a]],
        strength: n === 0 ? "SLIGHTLY_BETTER" : "MUCH_BETTER",
        // means like 17/3: the scores' rounding is part of what must match
        ratings: { [a]: { helpful: 5, honest: 6, harmless: 6 }, [b]: { helpful: 2, honest: 7 } },
        timeSpentMs: 1000,
      });
    }
  }
});

afterAll(async () => {
  for (const id of created) await rm(snapshotDir(id), { recursive: true, force: true });
});

async function both(def: Partial<CreateSnapshotInput>): Promise<[SnapshotView, SnapshotView]> {
  const input = { name: `pair-lines-${fx.suffix}`, projectIds: [fx.projects.a.id, fx.projects.b.id, nasty.projectId], ...def } as CreateSnapshotInput;
  expect(writesPairLines(snapshotDefinitionSchema.parse(input)), "the definition should take the direct path").toBe(true);
  const direct = await createSnapshot(input);
  const general = await createSnapshot({ ...input, generalPath: true });
  created.push(direct.id, general.id);
  return [direct, general];
}

const definitions: [string, Partial<CreateSnapshotInput>][] = [
  ["trl, both splits", { format: "trl", split: { testRatio: 0.5, seed: "s1" } }],
  ["trl-conversational, both splits", { format: "trl-conversational", split: { testRatio: 0.5, seed: "s2" } }],
  ["hh, both splits", { format: "hh", split: { testRatio: 0.5, seed: "s3" } }],
  ["trl gzipped", { format: "trl", gzip: true }],
  ["trl of the rating-free project alone (no score columns)", { format: "trl" }],
  [
    "trl with every filter",
    {
      format: "trl",
      filters: {
        excludeFlagged: true,
        excludeGold: true,
        excludeInactiveAnnotators: true,
        minGoldAccuracy: 0.5,
        from: new Date("2000-01-01T00:00:00Z"),
        to: new Date("2100-01-01T00:00:00Z"),
      },
    },
  ],
  ["hh with a date range that excludes everything", { format: "hh", filters: { excludeFlagged: false, excludeGold: false, excludeInactiveAnnotators: false, from: new Date("2100-01-01T00:00:00Z") } }],
];

describe("pairwise JSONL: direct path = general path", () => {
  for (const [name, def] of definitions) {
    it(name, async () => {
      const projectIds = name.includes("rating-free") ? { projectIds: [fx.projects.b.id] } : {};
      const [direct, general] = await both({ ...def, ...projectIds });
      expect(direct.status).toBe("SUCCEEDED");
      expect(direct.stats).toEqual(general.stats);
      expect(direct.rowCounts).toEqual(general.rowCounts);
      const files = (s: SnapshotView) => s.files.filter((f) => f.split !== null);
      expect(files(direct)).toEqual(files(general));
      for (const f of files(direct)) {
        expect(await readSnapshotFile(direct.id, f.name)).toBe(await readSnapshotFile(general.id, f.name));
      }
    });
  }

  it("holds the nasty texts intact", async () => {
    const [direct] = await both({ format: "trl", projectIds: [nasty.projectId] });
    const rows = (await readSnapshotFile(direct.id, "train.jsonl")).trim().split("\n").map((l) => JSON.parse(l) as { prompt: string; chosen: string; rejected: string; score_chosen: number | null });
    expect(rows.length).toBe(6);
    expect(rows.some((r) => r.prompt === `Echo ${NASTY}` && (r.chosen === `A ${NASTY}` || r.rejected === `A ${NASTY}`))).toBe(true);
    expect(rows.map((r) => r.score_chosen)).toEqual(expect.arrayContaining([5.666667, 4.5]));
  });
});
