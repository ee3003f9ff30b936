import { defineConfig } from "@playwright/test";

// E2E_PORT lets two checkouts on one machine run their e2e suites side by side.
const PORT = Number(process.env.E2E_PORT ?? 3100);

/** The app signs in through a local OpenID Connect provider too (tests/e2e/oidc-provider.ts, started by its spec). */
export const e2eOidc = {
  port: PORT + 1000,
  clientId: "rlhf-studio-e2e",
  clientSecret: "e2e-client-secret-for-the-local-provider",
  redirectUri: `http://localhost:${PORT}/api/auth/callback/oidc`,
};

// Debian's Chromium: Playwright cannot download its own browsers on these machines.
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
];

export default defineConfig({
  testDir: "tests/e2e",
  // The specs share one app and database; one worker keeps them from competing for the 2 cores.
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  retries: 0,
  use: {
    baseURL: `http://localhost:${PORT}`,
    browserName: "chromium",
    headless: true,
    launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
    trace: "retain-on-failure",
    // A missing element should fail in seconds, not hang until the test timeout.
    actionTimeout: 20_000,
  },
  webServer: {
    // A fresh database, migrated and seeded, the production build, the trainer worker: see the script.
    command: `npx tsx scripts/e2e-server.ts`,
    url: `http://localhost:${PORT}/signin`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      OIDC_ISSUER: `http://127.0.0.1:${e2eOidc.port}`,
      OIDC_ID: e2eOidc.clientId,
      OIDC_SECRET: e2eOidc.clientSecret,
      OIDC_NAME: "Test SSO",
      // local servers of the specs listen on 127.0.0.1, which outbound requests may not reach by default: the
      // OpenAI-compatible one (self-instruct.spec.ts) and the webhook receiver, whose retry comes after a second
      // instead of 30
      ENDPOINT_ALLOWED_HOSTS: "127.0.0.1",
      WEBHOOK_RETRY_BASE_MS: "1000",
      // the analytics page counts only what the take-in loop has taken in: a tick a second, so a spec that opens it
      // right after its judgements finds them counted
      ANALYTICS_REFRESH_MS: "1000",
    },
  },
});
