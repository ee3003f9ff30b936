// Next.js Proxy (formerly Middleware): a fresh CSP nonce for every page request (server/csp.ts). Next reads the
// nonce from the request's policy while rendering and puts it on its scripts; the browser gets the same policy.
import { NextResponse, type NextRequest } from "next/server";
import { pageCsp } from "@/server/csp";
import { env } from "@/server/env";

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = pageCsp(nonce, env.NODE_ENV === "development");
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  matcher: [
    // pages only: API routes, static files and prefetches carry no scripts that need the nonce
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
