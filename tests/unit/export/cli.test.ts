// Argument validation of `npm run cli -- export`.
import { describe, expect, it } from "vitest";
import { parseArgs } from "@/scripts/cli/export";

describe("export CLI arguments", () => {
  it("parses a full command line", () => {
    const args = parseArgs([
      "--name", "helpful", "--project", "a, b", "--format", "trl-conversational", "--file-type", "parquet",
      "--aggregation", "majority", "--ties", "keep", "--min-agreement", "0.6", "--test-ratio", "0.2", "--from", "2026-01-01",
      "--exclude-gold", "--min-judgements", "2", "--out", "/tmp/x",
    ]);
    expect(args).toMatchObject({
      name: "helpful", project: ["a", "b"], format: "trl-conversational", "file-type": "parquet", aggregation: "majority",
      ties: "keep", "min-agreement": 0.6, "test-ratio": 0.2, "exclude-gold": true, "min-judgements": 2, out: "/tmp/x",
    });
    expect(args.from?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it.each([
    [["--project", "a"], /name/],
    [["--name", "n"], /--project/],
    [["--name", "n", "--project", "a", "--format", "csv"], /--format must be one of/],
    [["--name", "n", "--project", "a", "--test-ratio", "1.5"], /--test-ratio must be between 0 and 1/],
    [["--name", "n", "--project", "a", "--min-judgements", "0"], /--min-judgements/],
    [["--name", "n", "--project", "a", "--from", "yesterday-ish"], /--from needs a date/],
    [["--name", "n", "--project", "a", "--bogus"], /bogus/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(message);
  });
});
