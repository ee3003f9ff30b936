// Signing in through OpenID Connect, the whole way: the browser clicks "Continue with Test SSO" on the real sign-in
// page, next-auth sends it to a local provider that speaks the protocol (tests/e2e/oidc-provider.ts), the provider
// sends it back with a code, and the app exchanges the code, checks the signed ID token and decides who it is. An
// account is linked on a verified email only, and found by its account id after that.
import { expect, test, type Page } from "@playwright/test";
import { e2eOidc } from "../../playwright.config";
import { withDb } from "./helpers";
import { startOidcProvider, type Identity, type OidcProvider } from "./oidc-provider";

let provider: OidcProvider;
const tag = Math.random().toString(36).slice(2, 8);

test.beforeAll(async () => {
  provider = await startOidcProvider(e2eOidc);
});
test.afterAll(async () => {
  await provider.close();
});

async function addUser(name: string): Promise<{ id: string; email: string; name: string }> {
  const user = { id: `usr${tag}${name}`, email: `${name}-${tag}@sso.test`, name: `${name} ${tag}` };
  await withDb((db) => db.query(`INSERT INTO "User"(id, email, name, role, "updatedAt") VALUES ($1, $2, $3, 'ANNOTATOR', now())`, [user.id, user.email, user.name]));
  return user;
}

const linkedUser = (sub: string) =>
  withDb(async (db) => (await db.query<{ userId: string }>(`SELECT "userId" FROM "OAuthAccount" WHERE provider = 'oidc' AND "providerAccountId" = $1`, [sub])).rows[0]?.userId ?? null);

/** Signs in at the provider as `identity`, then through the app's button, until the app has decided. */
async function ssoSignIn(page: Page, identity: Identity) {
  provider.signInAs(identity);
  await page.context().clearCookies();
  await page.goto("/signin?callbackUrl=%2Fannotate");
  await page.getByRole("button", { name: "Continue with Test SSO" }).click();
  // back on the app: the callback URL when signed in, the sign-in page with an error code when not
  await page.waitForURL((url) => url.pathname === "/annotate" || url.searchParams.has("error"));
}

const alert = (page: Page) => page.getByRole("alert").filter({ hasText: /./ });

test("an unverified email is refused, a verified one links, and later sign-ins go by account id", async ({ page }) => {
  const ann = await addUser("ann");
  const bob = await addUser("bob");
  const sub = `oidc-sub-${tag}-ann`;

  // the provider does not vouch for the address: no sign-in, and nothing is linked
  await ssoSignIn(page, { sub, email: ann.email, email_verified: false, name: "Ann at the IdP" });
  await expect(alert(page)).toHaveText("Your account at that provider has no verified email address. Verify it there, then try again.");
  await expect(page.getByTestId("whoami")).toHaveCount(0);
  expect(await linkedUser(sub)).toBeNull();
  // the app used the authorization code flow with state and PKCE (the provider refuses it otherwise)
  expect(provider.authorizations.at(-1)).toMatchObject({ codeChallengeMethod: "S256", state: expect.any(String) });

  // verified: signed in as Ann, under the name the app has for her, and the account is linked
  await ssoSignIn(page, { sub, email: ann.email, email_verified: true, name: "Ann at the IdP" });
  await expect(page.getByTestId("whoami")).toHaveText(`${ann.name} · annotator`);
  expect(await linkedUser(sub)).toBe(ann.id);

  // the address changed at the provider — even to another user's — and is not verified: still Ann, by account id
  await ssoSignIn(page, { sub, email: `ann-new-${tag}@elsewhere.test`, email_verified: false });
  await expect(page.getByTestId("whoami")).toHaveText(`${ann.name} · annotator`);
  await ssoSignIn(page, { sub, email: bob.email, email_verified: true });
  await expect(page.getByTestId("whoami")).toHaveText(`${ann.name} · annotator`);
  expect(await linkedUser(sub)).toBe(ann.id);

  // deactivated: the link no longer signs her in
  await withDb((db) => db.query(`UPDATE "User" SET active = false WHERE id = $1`, [ann.id]));
  await ssoSignIn(page, { sub, email: ann.email, email_verified: true });
  await expect(alert(page)).toHaveText("This account is deactivated. Ask an admin.");
  await expect(page.getByTestId("whoami")).toHaveCount(0);
});

test("a verified email nobody here has is refused: no self sign-up", async ({ page }) => {
  const sub = `oidc-sub-${tag}-stranger`;
  await ssoSignIn(page, { sub, email: `stranger-${tag}@sso.test`, email_verified: true });
  await expect(alert(page)).toHaveText("That account is not registered here. Ask an admin for an invite.");
  await expect(page.getByTestId("whoami")).toHaveCount(0);
  expect(await linkedUser(sub)).toBeNull();
  expect(await withDb(async (db) => (await db.query(`SELECT 1 FROM "User" WHERE email = $1`, [`stranger-${tag}@sso.test`])).rowCount)).toBe(0);
});

test("email claims that only the userinfo endpoint serves are read from there", async ({ page }) => {
  const cy = await addUser("cy");
  const sub = `oidc-sub-${tag}-cy`;
  await ssoSignIn(page, { sub, email: cy.email, email_verified: true, emailOnlyFromUserinfo: true });
  await expect(page.getByTestId("whoami")).toHaveText(`${cy.name} · annotator`);
  expect(await linkedUser(sub)).toBe(cy.id);
});
