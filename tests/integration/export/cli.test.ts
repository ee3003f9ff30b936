// `npm run cli -- export …` end to end: the command's run() with real arguments against the fixture projects.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { run } from "@/scripts/cli/export";
import { getSnapshot, snapshotDir, snapshotFile } from "@/server/services/export";
import { buildFixture, type Fixture } from "@/tests/fixtures/export/fixture";

let fx: Fixture;
let out: string;
const created: string[] = [];

beforeAll(async () => {
  fx = await buildFixture();
  out = await mkdtemp(path.join(os.tmpdir(), "export-cli-"));
});

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
  for (const id of created) await rm(snapshotDir(id), { recursive: true, force: true });
});

async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await run(argv), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("export CLI", () => {
  it("builds a snapshot from project slugs, prints its id and files, and copies them to --out", async () => {
    const res = await capture([
      "--name", `cli-${fx.suffix}`, "--project", `${fx.projects.a.slug},${fx.projects.b.slug}`,
      "--format", "hh", "--aggregation", "majority", "--both-bad", "keep", "--test-ratio", "0", "--out", out,
    ]);
    expect(res.stderr).not.toContain("error");
    expect(res.code).toBe(0);
    const id = res.stdout.match(/^snapshot (\S+)\s+cli-\S+ v1$/m)?.[1];
    expect(id).toBeDefined();
    created.push(id!);
    const snap = await getSnapshot({ id: id! });
    expect(snap.definition).toMatchObject({ format: "hh", aggregation: { policy: "majority" }, bothBad: "keep" });
    expect((await readdir(out)).sort()).toEqual(["README.md", "test.jsonl", "train.jsonl"]);
    for (const f of snap.files) {
      expect(res.stdout).toContain(f.sha256);
      const copied = await readFile(path.join(out, f.name));
      expect(copied.equals(await readFile((await snapshotFile({ id: id!, name: f.name })).path))).toBe(true);
    }
  });

  it("exits 2 with the usage on bad arguments and names an unknown project", async () => {
    const bad = await capture(["--name", "x", "--project", fx.projects.a.slug, "--file-type", "xlsx"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--file-type must be one of jsonl, parquet");
    expect(bad.stderr).toContain("npm run cli -- export");
    const badBothBad = await capture(["--name", "x", "--project", fx.projects.a.slug, "--both-bad", "maybe"]);
    expect(badBothBad.code).toBe(2);
    expect(badBothBad.stderr).toContain("--both-bad must be drop or keep");
    const badLabels = await capture(["--name", "x", "--project", fx.projects.a.slug, "--labels", "robots"]);
    expect(badLabels.code).toBe(2);
    expect(badLabels.stderr).toContain("--labels must be human, ai or both");
    // an AI judge's labels without naming the judge run: refused by the definition's own rule, naming it
    const noJudge = await capture(["--name", "x", "--project", fx.projects.a.slug, "--labels", "ai"]);
    expect(noJudge.code).toBe(2);
    expect(noJudge.stderr).toContain("judgeRunId");
    const unknown = await capture(["--name", "x", "--project", `no-such-${fx.suffix}`]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`No project "no-such-${fx.suffix}"`);
  });
});
