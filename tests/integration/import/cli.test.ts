import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { run } from "@/scripts/cli/import";
import { db } from "@/server/db";
import { captureCli } from "@/tests/fixtures/cli";
import { countRows, fixture, makeProject, newTag, NOTHING, takeFile } from "./helpers";

const dir = mkdtempSync(path.join(os.tmpdir(), "cli-import-"));

const cli = (argv: string[]) => captureCli(run, argv);

afterEach(() => vi.restoreAllMocks());

describe("npm run cli -- import", () => {
  it("explains bad arguments with exit code 2", async () => {
    expect(await cli(["--file", "x.jsonl"])).toMatchObject({ code: 2, err: expect.stringMatching(/^error: --project <slug> is required/) });
    expect(await cli(["--project", "p", "--file", "/nonexistent.jsonl"])).toMatchObject({ code: 2, err: expect.stringMatching(/is not a readable file/) });
    expect(await cli(["--project", "p", "--file", "/etc/hostname", "--format", "xml"])).toMatchObject({ code: 2, err: expect.stringMatching(/--format/) });
    expect(await cli(["--project", "p", "--file", "/etc/hostname", "--rejected-out", "r"])).toMatchObject({ code: 2, err: expect.stringMatching(/only makes sense with --skip-invalid/) });
    expect(await cli(["--project", "p", "--wat"])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option --wat/) });
  });

  it("imports a file by project slug and prints a summary", async () => {
    const tag = newTag();
    const project = await makeProject();
    const file = path.join(dir, `${tag}.jsonl`);
    writeFileSync(file, fixture("project.jsonl", tag));
    const res = await cli(["--project", project.slug, "--file", file]);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/new: 3 prompts, 6 candidates, 3 items/);
    expect(res.err).toMatch(/100\.0%/);
    expect((await countRows(tag, project.id)).items).toBe(3);
  });

  it("fails with exit code 1 and the errors by line, or skips them and writes --rejected-out", async () => {
    const tag = newTag();
    const project = await makeProject();
    const bad = "{not json";
    const file = path.join(dir, `${tag}-bad.jsonl`);
    writeFileSync(file, `${fixture("project.jsonl", tag)}${bad}\n`);
    const failed = await cli(["--project", project.slug, "--file", file]);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/line 4: line 4 is not valid JSON/);
    expect(await countRows(tag, project.id)).toEqual(NOTHING);

    const out = path.join(dir, `${tag}-rejected.jsonl`);
    const skipped = await cli(["--project", project.slug, "--file", file, "--skip-invalid", "--rejected-out", out]);
    expect(skipped.code).toBe(0);
    expect(skipped.out).toMatch(/rejected: 1 lines/);
    expect(readFileSync(out, "utf8")).toBe(`${bad}\n`);
    // the job's own copy under DATA_DIR
    takeFile((await db.importJob.findFirstOrThrow({ where: { projectId: project.id, status: "SUCCEEDED" } })).rejectedLines);
  });
});
