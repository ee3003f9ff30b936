// Files that are wrong as a whole or in ways people actually get wrong: each is answered with what is wrong and on
// which line, never with a 500. Measured before the fixes: 100,000 nested arrays overflowed the stack (HTTP 500,
// "Maximum call stack size exceeded", a failed job without errors, and --skip-invalid could not skip the line);
// a bad CSV header was reported at line 2 and every CSV row error but the last one line late; a JSON array, a
// gzip file and a semicolon CSV got "could not detect the format" or "not valid UTF-8"; missing fields read
// "Invalid input: expected array, received undefined".
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { importFile, type ImportFileOptions } from "@/server/services/import";
import { countRows, fixture, makeProject, newTag, NOTHING, streamOf, takeFile } from "./helpers";

type Opts = Omit<ImportFileOptions, "projectId" | "stream">;

async function failure(projectId: string, content: string | Buffer, opts: Opts = {}): Promise<AppError> {
  const err = await importFile({ projectId, stream: streamOf(content, 4096), ...opts }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const fieldsOf = (err: AppError) => err.fieldErrors?.map((e) => ({ line: e.line, field: e.field, message: e.message }));

describe("deeply nested JSON", () => {
  const deep = (tag: string, levels: number) =>
    JSON.stringify({ prompt: `${tag} deep`, candidates: [{ text: `${tag} a`, metadata: { x: 0 } }, { text: `${tag} b` }] }).replace(
      '{"x":0}',
      `{"x":${"[".repeat(levels)}${"]".repeat(levels)}}`,
    );
  const ok = (tag: string, i: number) => JSON.stringify({ prompt: `${tag} q${i}`, candidates: [{ text: `${tag} a${i}` }, { text: `${tag} b${i}` }] });

  it("is an error at its line, recorded on the job", async () => {
    const tag = newTag();
    const project = await makeProject();
    const err = await failure(project.id, [ok(tag, 1), deep(tag, 100_000), ok(tag, 3)].join("\n") + "\n");
    expect(err.code).toBe("BAD_REQUEST");
    expect(fieldsOf(err)).toEqual([{ line: 2, field: "candidates", message: "nests arrays and objects more than 100 levels deep" }]);
    const job = await db.importJob.findFirstOrThrow({ where: { projectId: project.id } });
    expect(job).toMatchObject({ status: "FAILED", errorCount: 1, errors: [{ line: 2, field: "candidates" }] });
    expect(await countRows(tag, project.id)).toEqual(NOTHING);
  });

  it("is skipped with skipInvalid, and the other lines are imported", async () => {
    const tag = newTag();
    const project = await makeProject();
    const summary = await importFile({
      projectId: project.id,
      stream: streamOf([ok(tag, 1), deep(tag, 100_000), ok(tag, 3)].join("\n") + "\n", 4096),
      skipInvalid: true,
    });
    expect(summary.counts).toMatchObject({ items: 2, rejected: 1 });
    expect(summary.errors).toEqual([{ line: 2, field: "candidates", message: "nests arrays and objects more than 100 levels deep" }]);
    expect(takeFile(summary.rejectedLinesPath)).toBe(deep(tag, 100_000) + "\n");
  });

  it("up to the limit is imported as it is", async () => {
    const tag = newTag();
    const project = await makeProject();
    // the row object, candidates, a candidate, its metadata, then the arrays: 4 + 96 = 100 levels
    const summary = await importFile({ projectId: project.id, stream: streamOf(deep(tag, 96) + "\n", 4096) });
    expect(summary.counts.items).toBe(1);
    const err = await failure(project.id, deep(newTag(), 97) + "\n");
    expect(fieldsOf(err)?.[0]).toMatchObject({ line: 1, field: "candidates" });
  });
});

describe("CSV line numbers", () => {
  it("reports a bad header at line 1", async () => {
    const project = await makeProject();
    const err = await failure(project.id, `prompt,answer_1,response_2\n${newTag()} q,a,b\n`);
    expect(err.message).toMatch(/^line 1: the CSV header must be/);
    expect(fieldsOf(err)).toEqual([{ line: 1, field: "header", message: "invalid CSV header" }]);
  });

  it("reports each bad row at the line where it ends", async () => {
    const tag = newTag();
    const project = await makeProject();
    const err = await failure(project.id, fixture("csv-errors.csv", tag));
    expect(fieldsOf(err)).toEqual([
      { line: 2, field: "", message: "has 2 columns, the header has 3" },
      { line: 5, field: "response_1", message: "an item needs at least 2 non-empty responses" },
      { line: 6, field: "", message: "has 4 columns, the header has 3" },
    ]);
  });
});

describe("files in the wrong shape", () => {
  it("a JSON array instead of JSON Lines", async () => {
    const tag = newTag();
    const project = await makeProject();
    const pretty = await failure(project.id, fixture("array.json", tag), { fileName: "array.json" });
    expect(pretty.message).toMatch(/one JSON array; the importer reads JSON Lines, one object per line \(convert it with: jq -c/);
    expect(pretty.fieldErrors?.[0]).toMatchObject({ line: 1 });
    const oneLine = JSON.stringify(JSON.parse(fixture("array.json", tag)));
    expect((await failure(project.id, oneLine + "\n")).message).toMatch(/one JSON array/);
    // with the format chosen, the line's own error says it too
    const chosen = await failure(project.id, oneLine + "\n", { format: "jsonl" });
    expect(fieldsOf(chosen)?.[0].message).toMatch(/^line 1 must be a JSON object; the file looks like one JSON array/);
  });

  it("a gzip file", async () => {
    const project = await makeProject();
    const gz = readFileSync(path.resolve(__dirname, "../../fixtures/import/project.jsonl.gz"));
    for (const format of ["auto", "jsonl"] as const) {
      const err = await failure(project.id, gz, { format });
      expect(err.message).toBe("The file is gzip-compressed; decompress it first (gunzip file.jsonl.gz) and import the uncompressed file.");
    }
    const job = await db.importJob.findFirstOrThrow({ where: { projectId: project.id }, orderBy: { createdAt: "desc" } });
    expect(job.message).toMatch(/gzip-compressed/);
  });

  it("a CSV with semicolons", async () => {
    const project = await makeProject();
    const auto = await failure(project.id, fixture("semicolon.csv", newTag()));
    expect(auto.message).toBe('Could not read the file: the CSV file separates its columns with ";"; save it with "," as the delimiter.');
    const chosen = await failure(project.id, fixture("semicolon.csv", newTag()), { format: "csv" });
    expect(chosen.message).toBe('line 1: the CSV file separates its columns with ";"; save it with "," as the delimiter');
  });
});

describe("missing fields", () => {
  it("are named as missing", async () => {
    const project = await makeProject();
    const err = await failure(project.id, fixture("missing-fields.jsonl", newTag()));
    expect(fieldsOf(err)).toEqual([
      { line: 2, field: "candidates", message: "missing: a PAIRWISE item needs at least 2 candidates to compare" },
      { line: 3, field: "prompt", message: "missing" },
      { line: 3, field: "candidates.1.text", message: "missing" },
      { line: 4, field: "prompt", message: "must be string or array, not number" },
    ]);
    expect(err.message).toMatch(/First: line 2 \(candidates\): missing: a PAIRWISE item/);
  });

  it("in the OpenAI chat format too", async () => {
    const project = await makeProject();
    const err = await failure(project.id, fixture("missing-messages.jsonl", newTag()));
    expect(fieldsOf(err)).toEqual([
      { line: 2, field: "messages", message: "missing" },
      { line: 3, field: "messages.0.content", message: "missing" },
    ]);
  });
});
