// Random corruptions of a valid file: the importer never crashes, never writes part of a file, and an error names
// the line it is about.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { importFile } from "@/server/services/import";
import { countRows, makeProject, newTag, streamOf } from "./helpers";

type Corruption =
  | { kind: "delete"; at: number; len: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "replace"; at: number; byte: number }
  | { kind: "truncate"; at: number };

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 30 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 6 }),
      fc.constantFrom(...["\n", '"', "{", "}", ",", "\\", "\r\n", "\u0000"].map((s) => new Uint8Array(Buffer.from(s)))),
    ),
  }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

function apply(buf: Buffer, c: Corruption): Buffer {
  const at = buf.length === 0 ? 0 : c.at % buf.length;
  switch (c.kind) {
    case "delete":
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + c.len)]);
    case "insert":
      return Buffer.concat([buf.subarray(0, at), Buffer.from(c.bytes), buf.subarray(at)]);
    case "replace": {
      const out = Buffer.from(buf);
      out[at] = c.byte;
      return out;
    }
    case "truncate":
      return buf.subarray(0, at);
  }
}

function validFile(tag: string): Buffer {
  const rows = Array.from({ length: 6 }, (_, i) =>
    JSON.stringify({
      prompt: i % 2 ? `${tag} question ${i}` : [{ role: "system", content: "sys" }, { role: "user", content: `${tag} q${i}` }],
      candidates: [{ text: `${tag} a${i}`, model: "m1" }, { text: `${tag} b${i}`, model: "m2", metadata: { i } }],
      ...(i === 3 ? { gold: { chosen: 1 }, priority: 2 } : {}),
    }),
  );
  return Buffer.from(rows.join("\n") + "\n");
}

describe("import fuzz", () => {
  it("survives random corruptions without partial writes, naming the line of each error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(corruption, { minLength: 1, maxLength: 3 }), async (corruptions) => {
        const tag = newTag();
        const project = await makeProject();
        const content = corruptions.reduce(apply, validFile(tag));
        const lineCount = content.toString("latin1").split("\n").length;
        const outcome = await importFile({ projectId: project.id, stream: streamOf(content, 16) }).then(
          (summary) => ({ summary, error: null }),
          (error: unknown) => ({ summary: null, error }),
        );
        const rows = await countRows(tag, project.id);
        if (outcome.error) {
          expect(outcome.error).toBeInstanceOf(AppError);
          const err = outcome.error as AppError;
          expect(err.code).not.toBe("INTERNAL_SERVER_ERROR");
          expect(rows).toEqual({ prompts: 0, candidates: 0, items: 0, itemCandidates: 0 });
          if (err.fieldErrors?.length) {
            for (const fe of err.fieldErrors) {
              expect(fe.line).toBeGreaterThanOrEqual(1);
              expect(fe.line).toBeLessThanOrEqual(lineCount);
            }
            expect(err.message).toMatch(/line \d+/);
          } else {
            expect(err.message).toMatch(/UTF-16|empty|no rows/);
          }
        } else {
          const summary = outcome.summary as NonNullable<typeof outcome.summary>;
          expect(rows.items).toBe(summary.counts.items);
          expect(rows.itemCandidates).toBe(2 * summary.counts.items);
        }
      }),
      { numRuns: 40 },
    );
  });
});
