// The browser upload route is authenticated by the session cookie, which a browser also attaches to requests other
// sites make: those are refused before anything else happens, even before the session is read.
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/projects/[projectId]/upload/route";

function upload(headers: Record<string, string>) {
  const req = new Request("http://localhost:3000/api/projects/p1/upload?fileName=a.jsonl", { method: "POST", headers, body: "{}\n" });
  return POST(req, { params: Promise.resolve({ projectId: "p1" }) });
}

describe("POST /api/projects/{projectId}/upload", () => {
  it.each([
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site", origin: "https://evil.example" }],
    ["Sec-Fetch-Site: same-site (a sibling subdomain)", { "sec-fetch-site": "same-site", origin: "http://other.localhost:3000" }],
    ["a foreign Origin from a browser without Sec-Fetch-Site", { origin: "https://evil.example" }],
  ])("refuses a cross-site request (%s) with 403 and says why", async (_name, headers) => {
    const res = await upload(headers);
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/^Cross-site request refused/);
  });

  // Same-origin uploads with a real session cookie: tests/e2e/security.spec.ts (the session needs a Next request).
});
