// Accounts in the browser: changing one's password, an admin's reset link, and sessions that really end — a cookie
// copied before a sign-out or a password change is refused afterwards, by the tRPC API and by the pages.
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { ADMIN, createUser, signIn } from "./helpers";

const trpcProbe = `/api/trpc/annotation.projects?input=${encodeURIComponent(JSON.stringify({ json: null }))}`;

/** A fresh browser that presents only these cookies: what someone who copied them could do. */
async function replay(browser: Browser, from: BrowserContext): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  await context.addCookies(await from.cookies());
  return { context, page: await context.newPage() };
}

test.describe("accounts", () => {
  test("signing out ends the session: a copied cookie gets 401 from the API and the sign-in page from pages", async ({ page, browser, baseURL }) => {
    const user = await createUser();
    // browsed at another address than NEXTAUTH_URL (localhost): sign-out must stay on it
    const origin = baseURL!.replace("localhost", "127.0.0.1");
    await page.goto(`${origin}/signin?callbackUrl=/annotate`);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("whoami")).toBeVisible();
    expect((await page.request.get(`${origin}${trpcProbe}`)).status()).toBe(200);
    const copied = await replay(browser, page.context());
    expect((await copied.page.request.get(`${origin}${trpcProbe}`)).status()).toBe(200);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${origin}/signin`);

    const probe = await copied.page.request.get(`${origin}${trpcProbe}`);
    expect(probe.status()).toBe(401);
    await copied.page.goto(`${origin}/annotate`);
    await expect(copied.page).toHaveURL(/\/signin\?callbackUrl=%2Fannotate$/);
    await copied.context.close();
  });

  test("a person changes their password on the account page; their other sessions end, this one stays", async ({ page, browser }) => {
    const user = await createUser();
    await signIn(page, user);
    const elsewhere = await browser.newContext();
    const other = await elsewhere.newPage();
    await signIn(other, user);

    await page.getByTestId("whoami").click();
    await expect(page).toHaveURL(/\/account$/);
    const form = page.getByRole("form", { name: "Change your password" });
    const submit = form.getByRole("button", { name: "Change password" });
    await submit.click();
    await expect(form.getByText("required")).toBeVisible();
    await expect(form.getByText("at least 8 characters", { exact: true })).toBeVisible();

    await form.getByLabel("Current password").fill("not my password");
    await form.getByLabel("New password", { exact: true }).fill("a new passphrase");
    await form.getByLabel("Repeat the new password").fill("a new passphrase, typo");
    await submit.click();
    await expect(form.getByText("does not match the new password")).toBeVisible();
    await form.getByLabel("Repeat the new password").fill("a new passphrase");
    await submit.click();
    await expect(form.getByText("not your current password")).toBeVisible();

    await form.getByLabel("Current password").fill(user.password);
    await submit.click();
    await expect(form.getByRole("status")).toHaveText(/Password changed\. Every other session of your account was signed out\./);
    // this browser stays signed in, with a new session
    await page.reload();
    await expect(page.getByTestId("whoami")).toBeVisible();
    expect((await page.request.get(trpcProbe)).status()).toBe(200);
    // the other one is out
    expect((await other.request.get(trpcProbe)).status()).toBe(401);
    await other.goto("/annotate");
    await expect(other).toHaveURL(/\/signin/);
    // and only the new password signs in
    await other.getByLabel("Email").fill(user.email);
    await other.getByLabel("Password").fill(user.password);
    await other.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(other.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
    await elsewhere.close();
  });

  test("an admin creates a reset link under People; the person sets a new password with it and is signed in", async ({ page, browser }) => {
    const person = await createUser();
    await signIn(page, ADMIN, "/admin/people");
    await page.getByRole("button", { name: `Reset the password of ${person.name}` }).click();
    await page.getByRole("button", { name: "Create reset link" }).click();
    const link = await page.getByTestId("reset-link").inputValue();
    expect(link).toMatch(/^http:\/\/localhost:\d+\/reset-password\/[\w-]{40,}$/);

    const theirs = await browser.newContext();
    const tab = await theirs.newPage();
    await tab.goto(link);
    await expect(tab.getByText(`For ${person.name} (${person.email})`)).toBeVisible();
    await tab.getByLabel("New password", { exact: true }).fill("chosen after reset");
    await tab.getByLabel("Repeat the new password").fill("chosen after reset");
    await tab.getByRole("button", { name: "Set password and sign in" }).click();
    await tab.waitForURL(/\/annotate$/);
    await expect(tab.getByTestId("whoami")).toHaveText(new RegExp(person.name));
    // the link worked once
    await tab.goto(link);
    await expect(tab.getByRole("alert").filter({ hasText: "already used" })).toBeVisible();
    await theirs.close();
  });

  test("an admin who signs in without a destination lands on the admin console", async ({ page }) => {
    await page.goto("/signin");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/admin$/);
  });

  test("the site has an icon", async ({ page, request }) => {
    const ico = await request.get("/favicon.ico");
    expect(ico.status()).toBe(200);
    expect(ico.headers()["content-type"]).toBe("image/x-icon");
    await page.goto("/signin");
    const svg = await page.locator('link[rel="icon"][type="image/svg+xml"]').getAttribute("href");
    expect((await request.get(svg!)).status()).toBe(200);
  });
});
