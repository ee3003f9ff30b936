// Where a sign-in may send the browser afterwards. A callback URL comes from the query string, so anyone can write
// one; an open redirect would let a link to our sign-in page end on another site that looks like ours.

/**
 * `url` as a path on `base`'s origin, or null when it leads anywhere else. Parsed the way browsers parse it, so
 * "/\evil.com", "//evil.com" and "/\t/evil.com" are recognised as other sites, which a prefix check is not.
 */
export function sameOriginPath(url: string, base: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    return null;
  }
  if (parsed.origin !== new URL(base).origin) return null;
  // "/a/..//evil.com" resolves to the path "//evil.com", which as a redirect target is another site again
  return `/${parsed.pathname.replace(/^\/+/, "")}${parsed.search}${parsed.hash}`;
}
