// The tRPC API as the production web server serves it (server/web.ts: tRPC's Node adapter ahead of Next's router,
// one process per core), seen from outside: sessions, errors, limits and headers.
import { expect, test } from "@playwright/test";
import { ANNOTATOR, createProject, signIn } from "./helpers";

const json = (input: unknown) => ({ headers: { "content-type": "application/json" }, data: JSON.stringify({ json: input }) });

test.describe("tRPC over HTTP", () => {
  test("an anonymous call is refused with a tRPC error and the site's security headers", async ({ request }) => {
    const res = await request.post("/api/trpc/annotation.next", json({ projectSlug: "anything" }));
    expect(res.status()).toBe(401);
    const body = (await res.json()) as { error: { json: { message: string; data: { code: string } } } };
    expect(body.error.json.data.code).toBe("UNAUTHORIZED");
    expect(body.error.json.message).toBe("Sign in first.");
    expect(res.headers()["x-content-type-options"]).toBe("nosniff");
    expect(res.headers()["content-security-policy"]).toContain("default-src 'none'");
    expect(res.headers()["x-frame-options"]).toBe("DENY");
  });

  test("a forged session cookie counts as no session", async ({ request }) => {
    const res = await request.post("/api/trpc/annotation.next", {
      ...json({ projectSlug: "anything" }),
      headers: { "content-type": "application/json", cookie: "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..x.y.z" },
    });
    expect(res.status()).toBe(401);
  });

  test("the signed-in annotator's session works for batched calls, and bad input names the field", async ({ page }) => {
    const slug = await createProject({ taskType: "PAIRWISE", items: [{ prompt: "Say hi", candidates: ["Hi!", "Hello."] }] });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    await expect(page.getByTestId("item")).toBeVisible();

    // the browser's own cookie jar: the same session the page uses
    const batch = await page.request.get(`/api/trpc/annotation.projects,annotation.progress?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { json: null }, 1: { json: { projectSlug: slug } } }))}`);
    expect(batch.status()).toBe(200);
    const [projects, progress] = (await batch.json()) as [{ result: { data: { json: { slug: string }[] } } }, { result: { data: { json: { leftForYou: number } } } }];
    expect(projects.result.data.json.map((p) => p.slug)).toContain(slug);
    // the item on screen (claimed while the page rendered) is still left to do
    expect(progress.result.data.json.leftForYou).toBe(1);

    const bad = await page.request.post("/api/trpc/annotation.submit", json({ submissionId: "not-a-uuid", assignmentId: "x", ranking: "first", timeSpentMs: -1 }));
    expect(bad.status()).toBe(400);
    const error = (await bad.json()) as { error: { json: { message: string; data: { fieldErrors: { field: string }[] } } } };
    expect(error.error.json.data.fieldErrors.map((f) => f.field)).toEqual(expect.arrayContaining(["submissionId", "ranking", "timeSpentMs"]));
  });

  test("a request body over the limit is refused before it is parsed", async ({ page }) => {
    await signIn(page, ANNOTATOR);
    const res = await page.request.post("/api/trpc/annotation.skip", json({ assignmentId: "x", reason: "y".repeat(2 << 20) }));
    expect(res.status()).toBe(413);
  });
});
