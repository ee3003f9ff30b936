import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(__dirname),
      // `server-only` throws outside React Server Components; under Vitest the guard has nothing to guard.
      "server-only": path.resolve(__dirname, "tests/setup/empty-module.ts"),
    },
  },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    globalSetup: ["tests/setup/global-setup.ts"],
    // the fake model servers of the endpoint tests listen on 127.0.0.1, which endpoints may not reach by default
    env: { ENDPOINT_ALLOWED_HOSTS: "127.0.0.1" },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one fresh database per run; files run in parallel but each test seeds its own rows.
    pool: "forks",
  },
});
