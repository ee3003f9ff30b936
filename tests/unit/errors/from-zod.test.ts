// Bad input → field errors, the one conversion every edge uses (tRPC, HTTP routes, services, forms).
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, parseOrThrow, zodFieldErrors } from "@/server/errors";

const schema = z.object({
  name: z.string().min(1, "a name is needed"),
  candidates: z.array(z.object({ name: z.string().min(1, "name it"), text: z.string() })).min(2),
  settings: z.object({ overlap: z.number().int().max(9) }),
});

const bad = { name: "", candidates: [{ name: "a", text: "x" }, { name: "", text: 3 }], settings: { overlap: 12 } };

function zodErrorOf(value: unknown) {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error("expected the value to fail the schema");
  return parsed.error;
}

describe("AppError.fromZod", () => {
  it("names every field by its dotted path, array indexes included", () => {
    const err = AppError.fromZod(zodErrorOf(bad));
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.fieldErrors?.map((f) => f.field).sort()).toEqual(["candidates.1.name", "candidates.1.text", "name", "settings.overlap"]);
    expect(err.fieldErrors?.find((f) => f.field === "candidates.1.name")?.message).toBe("name it");
  });

  it("says what was checked and where each problem is, in one line", () => {
    const err = AppError.fromZod(zodErrorOf({ ...bad, candidates: [{ name: "a", text: "x" }, { name: "b", text: "y" }], settings: { overlap: 2 } }), {
      what: "Invalid project",
    });
    expect(err.message).toBe("Invalid project: name: a name is needed");
    expect(AppError.fromZod(zodErrorOf(bad)).message).toMatch(/^Invalid input: .*candidates\.1\.name: name it.*settings\.overlap: /);
  });

  it("puts a prefix before every path and names the whole value when there is no path", () => {
    const nested = AppError.fromZod(zodErrorOf(bad), { prefix: "config" });
    expect(nested.fieldErrors?.map((f) => f.field)).toContain("config.candidates.1.text");
    const whole = z.string().safeParse(4);
    expect(whole.success).toBe(false);
    expect(zodFieldErrors(whole.error!)).toEqual([{ field: "(input)", message: expect.stringMatching(/string/) }]);
  });

  it("keeps a given sentence as the message, with the fields still attached", () => {
    const err = AppError.fromZod(zodErrorOf(bad), { message: "Choose a table." });
    expect(err.message).toBe("Choose a table.");
    expect(err.fieldErrors).toHaveLength(4);
  });
});

describe("parseOrThrow", () => {
  it("returns the parsed value (defaults applied) or throws the AppError", () => {
    expect(parseOrThrow(z.object({ n: z.number().default(3) }), {})).toEqual({ n: 3 });
    expect(() => parseOrThrow(schema, bad, { what: "Invalid item" })).toThrow(/^Invalid item: /);
    let caught: unknown = null;
    try {
      parseOrThrow(schema, bad);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).fieldErrors).toHaveLength(4);
  });
});
