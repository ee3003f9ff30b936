// After sign-in the browser goes where the callback URL says, and anyone can write that URL: only paths on this site.
import { describe, expect, it } from "vitest";
import { sameOriginPath } from "@/server/auth/redirect";
import { authOptions } from "@/server/auth/options";

const BASE = "http://localhost:3000";

describe("sameOriginPath", () => {
  it.each([
    ["/annotate", "/annotate"],
    ["/admin/projects/p1?tab=import#upload", "/admin/projects/p1?tab=import#upload"],
    ["http://localhost:3000/admin", "/admin"],
    ["annotate", "/annotate"],
  ])("keeps a path on this site: %s", (url, path) => {
    expect(sameOriginPath(url, BASE)).toBe(path);
  });

  it.each([
    "/\\evil.com", // what /signin?callbackUrl=/%5Cevil.com decodes to: browsers read "\" as "/"
    "//evil.com",
    "/\t/evil.com",
    "\\\\evil.com",
    "https://evil.com/annotate",
    "http://localhost:3001/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
  ])("refuses anything that leaves the site: %s", (url) => {
    expect(sameOriginPath(url, BASE)).toBeNull();
  });

  it("never returns a path the browser would read as another host", () => {
    expect(sameOriginPath("/a/..//evil.com", BASE)).toBe("/evil.com");
  });
});

describe("next-auth's redirect callback", () => {
  const redirect = (url: string) => authOptions.callbacks!.redirect!({ url, baseUrl: BASE });

  it("sends off-site callback URLs to the home page and keeps on-site ones", async () => {
    expect(await redirect("/\\evil.com")).toBe(BASE);
    expect(await redirect("https://evil.com/")).toBe(BASE);
    expect(await redirect("/annotate/p?x=1")).toBe(`${BASE}/annotate/p?x=1`);
  });
});
