// `npm run cli -- self-instruct`: a seed file checked line by line, then a run against a local OpenAI-compatible
// server, with progress on stderr and the counts on stdout.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { run } from "@/scripts/cli/self-instruct";
import { db } from "@/server/db";
import { captureCli } from "@/tests/fixtures/cli";
import { saveEndpoint } from "@/server/services/endpoints";
import { makeProject, uid } from "../fixtures/annotation";
import { startFakeOpenAI, type FakeServer } from "./openai-server";

const dir = mkdtempSync(path.join(os.tmpdir(), "cli-self-instruct-"));
let server: FakeServer | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = null;
});

const cli = (argv: string[]) => captureCli(run, argv);

describe("npm run cli -- self-instruct", () => {
  it("names every bad line of the seed file, and the missing options, with exit code 2", async () => {
    const seeds = path.join(dir, "bad.jsonl");
    writeFileSync(seeds, ['{"instruction": "Give three tips for staying healthy."}', "{oops", '{"input": "no instruction"}', ""].join("\n"));
    const res = await cli(["--project", "p", "--endpoint", "e", "--seeds", seeds, "--target", "3"]);
    expect(res.code).toBe(2);
    expect(res.err).toContain("the seed file has 2 problems");
    expect(res.err).toContain("line 2: not valid JSON");
    expect(res.err).toContain("line 3: instruction:");
    expect(await cli(["--project", "p", "--seeds", seeds])).toMatchObject({ code: 2, err: expect.stringContaining("--endpoint <name> is required") });
  });

  it("keeps new instructions as items of the project and prints what it kept and filtered", async () => {
    const tag = uid();
    server = await startFakeOpenAI(() => ({ kind: "ok", texts: [` Describe the image below please now.\n10. Hi there\n11. Suggest a name for a bakery that sells bagels ${tag}.`] }));
    const endpoint = await saveEndpoint({ input: { name: `cli-si-${tag}`, baseUrl: server.url, model: "teacher", concurrency: 1 } });
    const { project } = await makeProject({ taskType: "DEMONSTRATION", items: [], members: [] });
    const seeds = path.join(dir, `${tag}.jsonl`);
    writeFileSync(seeds, ['{"instruction": "Give three tips for staying healthy."}', '{"instruction": "Translate the sentence into French.", "input": "Hello", "output": "Bonjour"}'].join("\n") + "\n");
    const res = await cli(["--project", project.slug, "--endpoint", endpoint.name, "--seeds", seeds, "--target", "1"]);
    expect(res.code).toBe(0);
    expect(res.out).toContain(`Kept 1 new instructions as items of ${project.slug}`);
    expect(res.out).toMatch(/filtered: (unsuitable keyword 1, too short 1|too short 1, unsuitable keyword 1)/);
    expect(res.err).toContain("self-instruct: 1/1 kept");
    const items = await db.item.findMany({ where: { projectId: project.id }, include: { prompt: true } });
    expect(items.map((i) => (i.prompt.messages as { content: string }[])[0].content)).toEqual([`Suggest a name for a bakery that sells bagels ${tag}.`]);
  });
});
