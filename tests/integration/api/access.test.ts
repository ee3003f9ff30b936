// Walks the whole tRPC router: every admin procedure must refuse anonymous and annotator callers, every
// protected one anonymous callers. Procedures added later are covered without touching this file; a new
// public procedure must be listed here on purpose.
import { describe, expect, it } from "vitest";
import { appRouter, createCaller } from "@/server/api/root";
import type { Meta } from "@/server/api/trpc";
import { makeUser } from "../fixtures/annotation";

const PUBLIC_PROCEDURES = new Set<string>(["invite.inspect", "invite.accept", "account.inspectSetup", "account.inspectReset", "account.completeSetup", "account.completeReset"]);

interface ProcedureDef {
  meta?: Meta;
  type: "query" | "mutation" | "subscription";
}

function procedures(): [string, ProcedureDef][] {
  const record = (appRouter._def as unknown as { procedures: Record<string, { _def: ProcedureDef }> }).procedures;
  return Object.entries(record).map(([path, p]) => [path, p._def]);
}

async function call(caller: ReturnType<typeof createCaller>, path: string): Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input: unknown) => Promise<unknown>;
  return fn({}).then(
    () => null,
    (err: unknown) => err,
  );
}

describe("access control across the whole router", () => {
  const all = procedures();

  it("knows every procedure's access level", () => {
    expect(all.length).toBeGreaterThan(5);
    for (const [path, def] of all) {
      expect(def.meta?.access, path).toMatch(/^(public|protected|admin)$/);
      if (def.meta?.access === "public") expect(PUBLIC_PROCEDURES.has(path), `unexpected public procedure ${path}`).toBe(true);
    }
  });

  it("admin procedures refuse anonymous and annotator callers; protected ones refuse anonymous callers", async () => {
    const annotator = await makeUser("ANNOTATOR");
    const anonymous = createCaller({ user: null });
    const asAnnotator = createCaller({ user: annotator });
    for (const [path, def] of all) {
      if (def.meta?.access === "public") continue;
      expect(await call(anonymous, path), `${path} as anonymous`).toMatchObject({ code: "UNAUTHORIZED" });
      if (def.meta?.access === "admin") {
        expect(await call(asAnnotator, path), `${path} as annotator`).toMatchObject({ code: "FORBIDDEN" });
      }
    }
  });
});
