// A production first run has no demo admin: the first admin comes from the one-time setup link `npm start` prints
// (`npm run cli -- setup-link`) or from `npm run cli -- create-admin`. "No admin yet" is a state of the whole
// database, so this file has a database of its own and its tests run in order.
import { dropOwnDatabase } from "../worker/own-database";
import { Readable } from "node:stream";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { run as createAdmin } from "@/scripts/cli/create-admin";
import { run as setupLink } from "@/scripts/cli/setup-link";
import { db } from "@/server/db";
import { sha256 } from "@/server/services/hashing";
import { inspectSetupLink } from "@/server/services/account-links";
import { verifyCredentials } from "@/server/services/users";
import { callerFor, uid } from "../fixtures/annotation";

const anonymous = callerFor(null);

async function cli(run: () => Promise<number>) {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  const code = await run();
  vi.restoreAllMocks();
  return { code, out, err };
}

function tokenOf(output: string): string {
  const match = output.match(/\/setup\/([\w-]+)/);
  if (!match) throw new Error(`no setup link in: ${output}`);
  return match[1];
}

const setup = (token: string, email: string) =>
  anonymous.account.completeSetup({ token, email, name: "First Admin", password: "first admin password", confirm: "first admin password" });

afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await db.$disconnect();
  await dropOwnDatabase();
});

describe.sequential("the first admin", () => {
  it("setup-link prints a one-time link while there is no admin; only the newest link works, stored as a hash", async () => {
    const first = await cli(() => setupLink([]));
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/No admin account yet\. Open this link .*\n\n {4}http:\/\/localhost:\d+\/setup\/[\w-]{40,}\n/);
    const second = await cli(() => setupLink([]));
    const [old, current] = [tokenOf(first.out), tokenOf(second.out)];
    expect(await db.accountLink.findMany({ where: { kind: "SETUP" }, select: { tokenHash: true } })).toEqual([{ tokenHash: sha256(current) }]);
    expect(await inspectSetupLink({ token: old }).catch((e: unknown) => e)).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/setup-link/) });
    expect(await inspectSetupLink({ token: current })).toMatchObject({ expiresAt: expect.any(Date) });
  });

  it("the link creates the first admin once; then no link is printed or accepted", async () => {
    const token = tokenOf((await cli(() => setupLink([]))).out);
    const badEmail = await anonymous.account.completeSetup({ token, email: "not an email", name: "A", password: "first admin password", confirm: "first admin password" }).catch((e: unknown) => e);
    expect(badEmail).toMatchObject({ code: "BAD_REQUEST" });

    const email = `first-${uid()}@example.com`;
    const [a, b] = await Promise.allSettled([setup(token, email), setup(token, `second-${uid()}@example.com`)]);
    expect([a.status, b.status].sort()).toEqual(["fulfilled", "rejected"]);
    expect(await db.user.findMany({ where: { role: "ADMIN" }, select: { email: true } })).toEqual([{ email }]);
    expect(await verifyCredentials({ email, password: "first admin password", ip: `t-${uid()}` })).toMatchObject({ ok: true, user: { role: "ADMIN" } });
    expect(await db.auditLog.count({ where: { action: "setup.first_admin" } })).toBe(1);

    expect(await setup(token, `late-${uid()}@example.com`).catch((e: unknown) => e)).toMatchObject({ code: "PRECONDITION_FAILED" });
    const after = await cli(() => setupLink([]));
    expect(after).toMatchObject({ code: 1, out: "", err: expect.stringMatching(/already has an admin/) });
  });

  it("create-admin reads the password from stdin, checks it, and refuses an email already in use", async () => {
    const email = `cli-${uid()}@example.com`;
    const short = await cli(() => createAdmin(["--email", email], Readable.from(["short\n"])));
    expect(short).toMatchObject({ code: 2, err: expect.stringMatching(/^error: password: at least 8 characters/) });
    expect(await cli(() => createAdmin(["--name", "X"], Readable.from(["long enough password\n"])))).toMatchObject({ code: 2, err: expect.stringMatching(/--email <email> is required/) });

    const made = await cli(() => createAdmin(["--email", email, "--name", "Shell Admin"], Readable.from(["a password from stdin\n", "ignored second line\n"])));
    expect(made).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`Admin ${email} created\\. Sign in at http://localhost:\\d+/signin`)) });
    expect(await verifyCredentials({ email, password: "a password from stdin", ip: `t-${uid()}` })).toMatchObject({ ok: true, user: { role: "ADMIN", name: "Shell Admin" } });
    expect(await db.auditLog.findFirst({ where: { action: "user.create", targetId: (await db.user.findUniqueOrThrow({ where: { email } })).id } })).toMatchObject({ actorId: null });

    const again = await cli(() => createAdmin(["--email", email], Readable.from(["another password\n"])));
    expect(again).toMatchObject({ code: 1, err: expect.stringMatching(/already exists/) });
  });
});
